// Final bookkeeping: the move row and its task become final, the client gets its status back and
// the audit records the outcome. The audit entry's dedupe key marks the finish as done, so a retry
// (or a late duplicate) never touches the client again, e.g. after a new move has started for it.
import type { ClientStatus } from '../generated/prisma/client';
import type { FinalPhase } from '../domain/move';
import type { FinishInput } from './contract';
import type { ActivityDeps } from './shared/deps';
import { auditOnce, auditTemporalActions } from './shared/audit';
import { TX_OPTIONS, loadMove } from './shared/moveRecord';
import { needsHumanJson, progressJson, toJson } from './shared/progressJson';

/**
 * FAILED keeps "Active - move scheduled": a rollback could not restore everything, so the client is
 * in no state to call plain ACTIVE until a human has looked (needsHuman says what).
 */
const CLIENT_STATUS_AFTER: Record<FinalPhase, ClientStatus | null> = {
  COMPLETED: 'ACTIVE',
  ROLLED_BACK: 'ACTIVE',
  CANCELLED: 'ACTIVE',
  FAILED: null,
};

export async function finishMove(deps: ActivityDeps, { moveId, phase, progress }: FinishInput): Promise<void> {
  const finishedAt = new Date(progress.finishedAt ?? deps.now().toISOString());
  const finalProgress = { ...progress, phase, finishedAt: finishedAt.toISOString() };
  await deps.db.$transaction(async (tx) => {
    const move = await loadMove(tx, moveId);
    await auditTemporalActions(tx, move.clientId, progress);
    const first = await auditOnce(tx, {
      dedupeKey: `move:${moveId}:finished`,
      action: `MOVE_${phase}`,
      clientId: move.clientId,
      moveId,
      at: finishedAt,
      details: {
        phase,
        items: toJson(progress.items),
        lastError: progress.lastError?.message ?? null,
        needsHuman: progress.needsHuman.length,
        cancelReason: progress.cancelReason,
      },
    });
    if (!first) return;
    const status = CLIENT_STATUS_AFTER[phase];
    if (status) {
      await tx.client.updateMany({ where: { id: move.clientId, status: 'ACTIVE_MOVE_SCHEDULED' }, data: { status } });
    }
    await tx.clientSiteMove.update({
      where: { id: moveId },
      data: {
        status: phase,
        finishedAt,
        lastError: progress.lastError?.message ?? null,
        needsHuman: needsHumanJson(progress),
        cancelReason: progress.cancelReason,
      },
    });
    await tx.dashboardTask.updateMany({
      where: { moveId },
      data: { phase, open: false, closedAt: finishedAt, progress: progressJson(finalProgress) },
    });
  }, TX_OPTIONS);
}
