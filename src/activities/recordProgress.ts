// Mirrors the workflow's progress onto the move row and its dashboard task, so the dashboard still
// shows the last known state when Temporal is unreachable.
import { FINAL_PHASES, isFinalPhase, type MoveProgress } from '../domain/move';
import type { ActivityDeps } from './shared/deps';
import { auditOnce, auditTemporalActions } from './shared/audit';
import { lockMove, type Tx } from './shared/moveRecord';
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
    const before = await tx.clientSiteMove.findUnique({
      where: { id: progress.moveId },
      select: { status: true, clientId: true },
    });
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
    if (before) await auditProgress(tx, before, progress);
  }, RECORD_TX_OPTIONS);
}

/**
 * The audit trail's share of a progress report: the phase change it brings (the mirror may skip a
 * phase it never saw, e.g. while the database was down), and every action taken in Temporal itself
 * (Temporal Web, the CLI): an operator's action through the API is audited by the API, with its name.
 */
async function auditProgress(
  tx: Tx,
  before: { status: string; clientId: string },
  progress: MoveProgress,
): Promise<void> {
  const { moveId } = progress;
  if (before.status !== progress.phase) {
    await auditOnce(tx, {
      dedupeKey: `move:${moveId}:phase:${before.status}:${progress.phase}:${progress.updatedAt}`,
      action: 'PHASE_CHANGED',
      clientId: before.clientId,
      moveId,
      at: new Date(progress.updatedAt),
      details: { from: before.status, to: progress.phase, currentStep: progress.currentStep },
    });
  }
  await auditTemporalActions(tx, before.clientId, progress);
}
