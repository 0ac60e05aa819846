// Mirrors the workflow's progress onto the move row and its dashboard task, so the dashboard still
// shows the last known state when Temporal is unreachable. The workflow calls it at every step, so it
// is one statement: the move row's update (which takes the row lock every activity takes) and the
// task's, in one round trip, without Prisma's per-query planning (a third of the time of the
// lock-then-two-updates it replaced; docs/performance.md).
import { FINAL_PHASES, isFinalPhase, type MoveProgress } from '../domain/move';
import { Prisma } from '../db/client';
import type { ActivityDeps } from './shared/deps';
import { moveMissing, requireMoveId } from './shared/moveRecord';

/**
 * Ends well inside the workflow's 30 s start-to-close for this activity: an attempt Temporal has given
 * up on (and retried) can never commit after the newer report its retry wrote.
 */
const RECORD_TX_OPTIONS = { timeout: 20_000, maxWait: 5_000 } as const;

const FINAL = Prisma.join(FINAL_PHASES.map((phase) => Prisma.sql`${phase}::"MovePhase"`));

export async function recordProgress(deps: ActivityDeps, progress: MoveProgress): Promise<void> {
  const moveId = requireMoveId(progress.moveId);
  const final = isFinalPhase(progress.phase);
  // The CHECKs want finished_at (and the task's closed_at) set exactly in a final phase; taking them
  // from the progress, not the clock, makes a retry write the same values.
  const finishedAt = final ? new Date(progress.finishedAt ?? deps.now().toISOString()) : null;
  const needsHuman = progress.needsHuman.length > 0 ? JSON.stringify(progress.needsHuman) : null;
  const now = deps.now();
  const [found] = await deps.db.$transaction(
    (tx) => tx.$queryRaw<{ found: boolean }[]>`
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
        WHERE id = ${moveId}::uuid AND (${final} OR status NOT IN (${FINAL}))
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
      SELECT EXISTS (SELECT 1 FROM client_site_move WHERE id = ${moveId}::uuid) AS found`,
    RECORD_TX_OPTIONS,
  );
  if (!found?.found) throw moveMissing(moveId);
}
