// A move recorded but never seen running (Temporal's answer to the start was lost, or the API died
// between recording and starting) would block its client, and hold its destination spaces, for ever.
// Such a move is settled against Temporal: adopted if its run exists, closed if none does. Settling
// runs before a new start for the client, on a cancel of the move, and in a periodic sweep
// (unstartedSweep.ts). Each settle locks its move row and skips one another process is settling, so
// any number of API instances can sweep at once. A closed move emails its contact like every other
// final phase, through the outcome email's own workflow.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Config } from '../config';
import type { Db } from '../db/client';
import { toJson } from '../db/json';
import { scheduledProgress, type MoveProgress } from '../domain/move';
import { outcomeEmailWorkflowOptions } from '../workflows/startOptions';
import { findStartedRun, type TemporalDeps } from './startedRun';

/** A start still in progress (recorded, not yet started) is left alone this long. */
export const UNSTARTED_GRACE_MS = 60_000;

const NEVER_STARTED = 'Never started: Temporal has no run of it';

export type SettleDeps = TemporalDeps & {
  db: Db;
  /** Where the outcome email's workflow runs, and for how long it tries. */
  taskQueue: string;
  move: Pick<Config['move'], 'emailDeliveryWindow'>;
  log?: { warn(details: object, message: string): void };
};

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
  let closed: { progress: MoveProgress } | null = null;
  // The describe is bounded by startMs; the transaction holds the row lock only that long.
  const outcome = await deps.db.$transaction(
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
      const progress = cancelledProgress(move, now, reason);
      await tx.dashboardTask.updateMany({
        where: { moveId: move.id },
        data: { phase: 'CANCELLED', open: false, closedAt: now, progress: toJson(progress) },
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
      if (move.notify) closed = { progress };
      return 'closed';
    },
    { timeout: deps.timeouts.startMs + 10_000, maxWait: 5_000 },
  );
  // After the commit: the email's activity reads the closed move. Only the settle that closed it
  // gets here, and a second start of the email's workflow finds the first.
  if (closed) await emailTheContact(deps, moveId, closed);
  return outcome;
}

async function emailTheContact(deps: SettleDeps, moveId: string, { progress }: { progress: MoveProgress }) {
  const input = { moveId, phase: 'CANCELLED' as const, progress, deliveryWindow: deps.move.emailDeliveryWindow };
  try {
    await deps.temporal.workflow.start('moveOutcomeEmail', outcomeEmailWorkflowOptions(input, deps.taskQueue));
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    // Temporal answered the describe moments ago; if it fails now, the move shows why.
    const reason = `The outcome email could not be handed over: ${error instanceof Error ? error.message : String(error)}`;
    deps.log?.warn({ moveId, err: error }, reason);
    await deps.db.$executeRaw`
      UPDATE dashboard_task SET progress = jsonb_set(progress, '{email}', ${toJson({ state: 'FAILED', error: reason })}::jsonb)
      WHERE move_id = ${moveId}::uuid`;
  }
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
    // The outcome email's workflow, started after the commit, follows its outbox row from here.
    email: move.notify ? { state: 'PENDING', error: null } : { state: 'NOT_REQUESTED', error: null },
  };
}
