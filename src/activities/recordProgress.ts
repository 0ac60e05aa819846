// Mirrors the workflow's progress onto the move row and its dashboard task, so the dashboard still
// shows the last known state when Temporal is unreachable. The workflow calls it at every step, so a
// report that changes no phase is two statements: the move's lock (with the run check every activity
// makes, and the phase before) and one that updates the move row and its task together, without
// Prisma's per-query planning (a third of the time of the Prisma updates it replaced;
// docs/performance.md). Audit entries are written only when there is something to audit.
import { FINAL_PHASES, isFinalPhase, type MoveProgress } from '../domain/move';
import { Prisma } from '../db/client';
import type { ActivityDeps } from './shared/deps';
import { insertAuditEntries, temporalActionEntries, type AuditInput } from './shared/audit';
import { lockMove, type LockedMove, type Tx } from './shared/moveRecord';
import { plainTransaction } from '../db/plainSql';

/**
 * Ends well inside the workflow's 30 s start-to-close for this activity: an attempt Temporal has given
 * up on (and retried) can never commit after the newer report its retry wrote.
 */
const RECORD_TX_OPTIONS = { timeout: 20_000, maxWait: 5_000 } as const;

const FINAL = Prisma.join(FINAL_PHASES.map((phase) => Prisma.sql`${phase}::"MovePhase"`));

export async function recordProgress(deps: ActivityDeps, progress: MoveProgress): Promise<void> {
  await plainTransaction(deps.db, RECORD_TX_OPTIONS, async (tx) => {
    await writeProgress(tx, await lockMove(tx, progress.moveId), progress, deps.now());
  });
}

/**
 * The mirror's write, in a transaction that holds the move's lock (`before`, with the run check
 * made): recordProgress's, or a step's that was handed the progress to mirror as it begins
 * (StepRef.mirror).
 */
export async function writeProgress(
  tx: Tx,
  before: Pick<LockedMove, 'id' | 'status' | 'clientId'>,
  progress: MoveProgress,
  now: Date,
): Promise<void> {
  const final = isFinalPhase(progress.phase);
  // The CHECKs want finished_at (and the task's closed_at) set exactly in a final phase; taking them
  // from the progress, not the clock, makes a retry write the same values.
  const finishedAt = final ? new Date(progress.finishedAt ?? now.toISOString()) : null;
  const needsHuman = progress.needsHuman.length > 0 ? JSON.stringify(progress.needsHuman) : null;
  const [written] = await tx.$queryRaw<{ moved: boolean }[]>`
    WITH move AS (
      UPDATE client_site_move SET
        status = ${progress.phase}::"MovePhase",
        scheduled_for = ${new Date(progress.scheduledFor)},
        started_at = ${progress.startedAt ? new Date(progress.startedAt) : null},
        finished_at = ${finishedAt},
        last_error = ${progress.lastError?.message ?? null},
        needs_human = ${needsHuman}::jsonb,
        cancel_reason = ${progress.cancelReason},
        updated_at = ${now}
      -- A late, stale report must not reopen a finished move.
      WHERE id = ${before.id}::uuid AND (${final} OR status NOT IN (${FINAL}))
      RETURNING id
    ), task AS (
      UPDATE dashboard_task SET
        phase = ${progress.phase}::"MovePhase",
        open = ${!final},
        closed_at = ${finishedAt},
        progress = ${JSON.stringify(progress)}::jsonb,
        updated_at = ${now}
      WHERE move_id IN (SELECT id FROM move)
      RETURNING id
    )
    SELECT EXISTS (SELECT 1 FROM move) AS moved`;
  if (written?.moved) await auditProgress(tx, before, progress);
}

/**
 * The audit trail's share of a progress report: the phase change it brings (the mirror may skip a
 * phase it never saw, e.g. while the database was down), and every action taken in Temporal itself
 * (Temporal Web, the CLI): an operator's action through the API is audited by the API, with its name.
 */
async function auditProgress(
  tx: Tx,
  before: Pick<LockedMove, 'status' | 'clientId'>,
  progress: MoveProgress,
): Promise<void> {
  const { moveId } = progress;
  const phaseChange: AuditInput[] =
    before.status === progress.phase
      ? []
      : [
          {
            dedupeKey: `move:${moveId}:phase:${before.status}:${progress.phase}:${progress.updatedAt}`,
            action: 'PHASE_CHANGED',
            clientId: before.clientId,
            moveId,
            at: new Date(progress.updatedAt),
            details: { from: before.status, to: progress.phase, currentStep: progress.currentStep },
          },
        ];
  // One statement, and none when there is nothing to audit (most reports).
  const entries = [...phaseChange, ...temporalActionEntries(before.clientId, progress)];
  if (entries.length > 0) await tx.$executeRaw(insertAuditEntries(entries));
}
