// A move recorded but never seen running (Temporal's answer to the start was lost, or the API died
// between recording and starting) would block its client, and hold its destination spaces, for ever.
// Such a move is settled against Temporal: adopted if its run exists, closed if none does. A closed
// move is CANCELLED like any other, so its T2 contact (if chosen) gets the outcome email: its email
// workflow starts in the same breath, and the move closes only once it has. Settling runs before a
// new start for the client, on a cancel of the move, and in a periodic sweep (unstartedSweep.ts).
// Each settle locks its move row and skips one another process is settling, so any number of API
// instances can sweep at once.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Config } from '../config';
import { insertAuditEntries } from '../activities/shared/audit';
import { Prisma, type Db } from '../db/client';
import { plainRows, plainTransaction } from '../db/plainSql';
import { outcomeEmailKey, scheduledProgress, type EmailState, type MoveProgress } from '../domain/move';
import type { EmailStatus } from '../generated/prisma/client';
import { outcomeEmailWorkflowOptions } from '../workflows/startOptions';
import { findStartedRun, type TemporalDeps } from './startedRun';
import { withTemporalDeadline } from './temporal';

/** A start still in progress (recorded, not yet started) is left alone this long. */
export const UNSTARTED_GRACE_MS = 60_000;

const NEVER_STARTED = 'Never started: Temporal has no run of it';

export type SettleDeps = TemporalDeps & {
  db: Db;
  /** Where the outcome email's workflow runs (the workers' task queue). */
  taskQueue: string;
  move: Pick<Config['move'], 'emailDeliveryWindow'>;
  log?: { warn(details: object, message: string): void };
};

/** Temporal did not confirm the outcome email's workflow: the move stays as it was, to be settled again. */
class EmailNotStarted extends Error {}

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
  try {
    return await closeIfNeverStarted(deps, moveId, now, reason, graceEnd);
  } catch (error) {
    if (!(error instanceof EmailNotStarted)) throw error;
    deps.log?.warn({ moveId, err: error.cause }, `${error.message}; the move is settled again later`);
    return 'unknown';
  }
}

async function closeIfNeverStarted(
  deps: SettleDeps,
  moveId: string,
  now: Date,
  reason: string,
  graceEnd: Date,
): Promise<SettleOutcome> {
  // The describe and the email's start are each bounded by startMs; the row lock is held that long.
  return plainTransaction(
    deps.db,
    { timeout: 2 * deps.timeouts.startMs + 10_000, maxWait: 5_000 },
    async (tx): Promise<SettleOutcome> => {
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
        await tx.$executeRaw`
          UPDATE client_site_move SET run_id = ${run.runId}::text, updated_at = CURRENT_TIMESTAMP
          WHERE id = ${move.id}::uuid`;
        return 'adopted';
      }
      // Nothing ran, so nothing moved: the move is closed as cancelled, with the reason, the client is
      // ACTIVE again and its task closes. Its Idempotency-Key is let go, so the caller's retry with
      // that key starts a move of its own.
      await tx.$executeRaw`
        UPDATE client_site_move
        SET status = 'CANCELLED'::"MovePhase", finished_at = ${now}::timestamptz, cancel_reason = ${reason}::text,
            idempotency_key = NULL, request_fingerprint = NULL, updated_at = CURRENT_TIMESTAMP
        WHERE id = ${move.id}::uuid`;
      await tx.$executeRaw`
        UPDATE client SET status = 'ACTIVE'::"ClientStatus", updated_at = CURRENT_TIMESTAMP
        WHERE id = ${move.clientId}::uuid AND status = 'ACTIVE_MOVE_SCHEDULED'::"ClientStatus"`;
      // An email that already has an outbox row (an earlier close that did not commit) shows its state.
      const [earlier] = await tx.$queryRaw<{ status: EmailStatus }[]>`
        SELECT status::text AS status FROM email_outbox WHERE dedupe_key = ${outcomeEmailKey(move.id, 'CANCELLED')}::text`;
      // SENDING shows as PENDING, as the email's own attempts show it until they know.
      const email: EmailState = !earlier || earlier.status === 'SENDING' ? 'PENDING' : earlier.status;
      const progress = cancelledProgress(move, now, reason, email);
      await tx.$executeRaw`
        UPDATE dashboard_task
        SET phase = 'CANCELLED'::"MovePhase", open = false, closed_at = ${now}::timestamptz,
            progress = ${JSON.stringify(progress)}::jsonb, updated_at = CURRENT_TIMESTAMP
        WHERE move_id = ${move.id}::uuid`;
      await tx.$executeRaw(
        insertAuditEntries([
          {
            action: 'MOVE_NEVER_STARTED',
            clientId: move.clientId,
            moveId: move.id,
            at: now,
            details: { workflowId: move.workflowId, reason },
            dedupeKey: `move:${move.id}:never-started`,
          },
        ]),
      );
      // Last, so the row commits only with the email on its way. Its activity's first write to the
      // task waits for this transaction's lock, so it lands on the CANCELLED task, not under it.
      if (move.notify) await startOutcomeEmail(deps, move.id, progress);
      return 'closed';
    },
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
  const graceEnd = new Date(now.getTime() - UNSTARTED_GRACE_MS);
  // Runs before every start: one plain statement on the pool, planned once per connection.
  const ofClient = where.clientId === undefined ? Prisma.empty : Prisma.sql`AND client_id = ${where.clientId}::uuid`;
  return plainRows<{ id: string }>(
    db,
    Prisma.sql`
      SELECT id FROM client_site_move
      WHERE status = 'SCHEDULED' AND run_id IS NULL AND created_at < ${graceEnd}::timestamptz ${ofClient}
      ORDER BY created_at LIMIT ${limit}::int`,
    where.clientId === undefined ? 'unstarted_moves' : 'unstarted_moves_of_client',
  );
}

/** Starts (or finds) the move's outcome email workflow, as a finished move's workflow does. */
async function startOutcomeEmail(deps: SettleDeps, moveId: string, progress: MoveProgress): Promise<void> {
  const input = { moveId, phase: 'CANCELLED' as const, progress, deliveryWindow: deps.move.emailDeliveryWindow };
  try {
    await withTemporalDeadline(deps.temporal, deps.timeouts.startMs, () =>
      deps.temporal.workflow.start('moveOutcomeEmail', outcomeEmailWorkflowOptions(input, deps.taskQueue)),
    );
  } catch (error) {
    // Started before, and already finished: its email was dealt with.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw new EmailNotStarted(`The outcome email of move ${moveId} could not be started`, { cause: error });
  }
}

function cancelledProgress(move: UnstartedRow, now: Date, reason: string, email: EmailState): MoveProgress {
  const at = now.toISOString();
  return {
    ...scheduledProgress(move.id, move.scheduledFor.toISOString(), move.notify, at),
    phase: 'CANCELLED',
    finishedAt: at,
    currentStep: null,
    cancelReason: reason,
    // Its own workflow delivers the email; the state follows the outbox from here on.
    email: move.notify ? { state: email, error: null } : { state: 'NOT_REQUESTED', error: null },
  };
}
