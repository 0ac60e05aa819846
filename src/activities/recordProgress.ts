// Mirrors the workflow's progress onto the move row and its dashboard task, so the dashboard still
// shows the last known state when Temporal is unreachable.
import { FINAL_PHASES, isFinalPhase, type MoveProgress } from '../domain/move';
import type { ActivityDeps } from './shared/deps';
import { lockMove } from './shared/moveRecord';
import { needsHumanJson, progressJson } from './shared/progressJson';

/**
 * Ends well inside the workflow's 30 s start-to-close for this activity: an attempt Temporal has given
 * up on (and retried) can never commit after the newer report its retry wrote.
 */
const RECORD_TX_OPTIONS = { timeout: 20_000, maxWait: 5_000 } as const;

export async function recordProgress(deps: ActivityDeps, progress: MoveProgress): Promise<void> {
  const final = isFinalPhase(progress.phase);
  // The CHECKs want finished_at (and the task's closed_at) set exactly in a final phase; taking them
  // from the progress, not the clock, makes a retry write the same values.
  const finishedAt = final ? new Date(progress.finishedAt ?? deps.now().toISOString()) : null;
  await deps.db.$transaction(async (tx) => {
    await lockMove(tx, progress.moveId);
    const { count } = await tx.clientSiteMove.updateMany({
      // A late, stale report must not reopen a finished move.
      where: { id: progress.moveId, ...(final ? {} : { status: { notIn: [...FINAL_PHASES] } }) },
      data: {
        status: progress.phase,
        scheduledFor: new Date(progress.scheduledFor),
        startedAt: progress.startedAt ? new Date(progress.startedAt) : null,
        finishedAt,
        lastError: progress.lastError?.message ?? null,
        needsHuman: needsHumanJson(progress),
        cancelReason: progress.cancelReason,
      },
    });
    if (count === 0) return;
    await tx.dashboardTask.updateMany({
      where: { moveId: progress.moveId },
      data: { phase: progress.phase, open: !final, closedAt: finishedAt, progress: progressJson(progress) },
    });
  }, RECORD_TX_OPTIONS);
}
