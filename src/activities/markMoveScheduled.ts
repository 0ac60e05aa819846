// The move is scheduled: the client shows "Active - move scheduled", the destination site's
// dashboard gets a task, and the audit says so. The API inserted the move row before starting the
// workflow; each write here is insert-if-missing, so a retry changes nothing.
import type { MoveRef } from './contract';
import type { ActivityDeps } from './shared/deps';
import { auditOnce } from './shared/audit';
import { callingRunId } from './shared/activityContext';
import { TX_OPTIONS, loadMove } from './shared/moveRecord';
import { initialProgress, progressJson } from './shared/progressJson';

export async function markMoveScheduled(deps: ActivityDeps, { moveId }: MoveRef): Promise<void> {
  const now = deps.now();
  await deps.db.$transaction(async (tx) => {
    const move = await loadMove(tx, moveId);
    // The API records the run id after starting the workflow; if that write was lost, this one
    // makes sure the move can still be found and steered by its run.
    const runId = callingRunId();
    if (runId) await tx.clientSiteMove.updateMany({ where: { id: moveId, runId: null }, data: { runId } });
    await tx.client.updateMany({
      where: { id: move.clientId, status: { not: 'ACTIVE_MOVE_SCHEDULED' } },
      data: { status: 'ACTIVE_MOVE_SCHEDULED' },
    });
    // Insert only: a retry must not reset progress the workflow has reported since.
    await tx.dashboardTask.createMany({
      skipDuplicates: true,
      data: [
        {
          siteId: move.destinationSiteId,
          clientId: move.clientId,
          moveId,
          title: `Client site move: ${move.clientName} to ${move.destinationSiteName}`,
          phase: 'SCHEDULED',
          open: true,
          progress: progressJson(initialProgress(move, now)),
        },
      ],
    });
    await auditOnce(tx, {
      dedupeKey: `move:${moveId}:scheduled`,
      action: 'MOVE_SCHEDULED',
      clientId: move.clientId,
      moveId,
      at: now,
      details: {
        sourceSiteId: move.sourceSiteId,
        destinationSiteId: move.destinationSiteId,
        scheduledFor: move.scheduledFor.toISOString(),
        moveNow: move.moveNow,
      },
    });
  }, TX_OPTIONS);
}
