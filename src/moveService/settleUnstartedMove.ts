// A move recorded but never seen running (Temporal's answer to the start was lost, or the API died
// between recording and starting) would block its client, and hold its destination spaces, for ever.
// Such a move is settled against Temporal: adopted if its run exists, closed if none does. Settling
// runs before a new start for the client, on a cancel of the move, and in a periodic sweep
// (unstartedSweep.ts). Each settle locks its move row and skips one another process is settling, so
// any number of API instances can sweep at once.
import type { Db } from '../db/client';
import { toJson } from '../db/json';
import { scheduledProgress, type MoveProgress } from '../domain/move';
import { findStartedRun, type TemporalDeps } from './startedRun';

/** A start still in progress (recorded, not yet started) is left alone this long. */
export const UNSTARTED_GRACE_MS = 60_000;

const NEVER_STARTED = 'Never started: Temporal has no run of it';

export type SettleDeps = TemporalDeps & { db: Db };

/**
 * What settling found: `adopted` (its run exists; the run id is recorded now), `closed` (no run: the
 * move is CANCELLED and the client ACTIVE again), `unknown` (Temporal did not answer), or `skipped`
 * (not an unstarted move past its grace, or another process is settling it right now).
 */
export type SettleOutcome = 'adopted' | 'closed' | 'unknown' | 'skipped';

interface UnstartedRow {
  id: string;
  workflowId: string;
  clientId: string;
  scheduledFor: Date;
  notify: boolean;
}

/** Settles one move; `reason` is the cancel reason recorded when it is closed (an operator's, on cancel). */
export async function settleUnstartedMove(
  deps: SettleDeps,
  moveId: string,
  now: Date,
  reason = NEVER_STARTED,
): Promise<SettleOutcome> {
  const graceEnd = new Date(now.getTime() - UNSTARTED_GRACE_MS);
  // The describe is bounded by startMs; the transaction holds the row lock only that long.
  return deps.db.$transaction(
    async (tx) => {
      const [move] = await tx.$queryRaw<UnstartedRow[]>`
        SELECT id, workflow_id AS "workflowId", client_id AS "clientId", scheduled_for AS "scheduledFor",
               notify_operator_id IS NOT NULL AS notify
        FROM client_site_move
        WHERE id = ${moveId}::uuid AND status = 'SCHEDULED' AND run_id IS NULL AND created_at < ${graceEnd}
        FOR NO KEY UPDATE SKIP LOCKED`;
      if (!move) return 'skipped';
      const run = await findStartedRun(deps, move.workflowId, move.id);
      if (run.found === 'unknown') return 'unknown';
      if (run.found === 'this-move') {
        await tx.clientSiteMove.update({ where: { id: move.id }, data: { runId: run.runId } });
        return 'adopted';
      }
      // Nothing ran, so nothing moved: the move is closed as cancelled, with the reason, the client is
      // ACTIVE again and its task closes. Its Idempotency-Key is let go, so the caller's retry with
      // that key starts a move of its own.
      await tx.clientSiteMove.update({
        where: { id: move.id },
        data: {
          status: 'CANCELLED',
          finishedAt: now,
          cancelReason: reason,
          idempotencyKey: null,
          requestFingerprint: null,
        },
      });
      await tx.client.updateMany({
        where: { id: move.clientId, status: 'ACTIVE_MOVE_SCHEDULED' },
        data: { status: 'ACTIVE' },
      });
      await tx.dashboardTask.updateMany({
        where: { moveId: move.id },
        data: {
          phase: 'CANCELLED',
          open: false,
          closedAt: now,
          progress: toJson(cancelledProgress(move, now, reason)),
        },
      });
      await tx.auditEntry.createMany({
        skipDuplicates: true,
        data: [
          {
            action: 'MOVE_NEVER_STARTED',
            clientId: move.clientId,
            moveId: move.id,
            at: now,
            details: { workflowId: move.workflowId, reason },
            dedupeKey: `move:${move.id}:never-started`,
          },
        ],
      });
      return 'closed';
    },
    { timeout: deps.timeouts.startMs + 10_000, maxWait: 5_000 },
  );
}

/** Before a new start for the client: settles its unstarted move, if it has one past its grace. */
export async function settleUnstartedMovesOfClient(deps: SettleDeps, clientId: string, now: Date): Promise<void> {
  const unstarted = await findUnstartedMoves(deps.db, now, { clientId });
  // Unknown stays unknown: the start that follows answers 409 naming the move.
  for (const { id } of unstarted) await settleUnstartedMove(deps, id, now);
}

/** Moves recorded more than the grace ago and still without a run, oldest first. */
export function findUnstartedMoves(
  db: Db,
  now: Date,
  where: { clientId?: string } = {},
  limit = 20,
): Promise<{ id: string }[]> {
  return db.clientSiteMove.findMany({
    where: {
      ...where,
      status: 'SCHEDULED',
      runId: null,
      createdAt: { lt: new Date(now.getTime() - UNSTARTED_GRACE_MS) },
    },
    select: { id: true },
    orderBy: { createdAt: 'asc' },
    take: limit,
  });
}

function cancelledProgress(move: UnstartedRow, now: Date, reason: string): MoveProgress {
  const at = now.toISOString();
  return {
    ...scheduledProgress(move.id, move.scheduledFor.toISOString(), move.notify, at),
    phase: 'CANCELLED',
    finishedAt: at,
    currentStep: null,
    cancelReason: reason,
    // No workflow ran, so no email went out (and none will).
    email: move.notify
      ? { state: 'FAILED', error: 'The move never started, so no outcome email was sent' }
      : { state: 'NOT_REQUESTED', error: null },
  };
}
