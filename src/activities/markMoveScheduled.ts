// The move is scheduled: the client shows "Active - move scheduled", the destination site's
// dashboard gets a task, and the audit says so. The API does the first two in the transaction that
// records the move; here they are insert-if-missing (for a move an older API recorded), so this
// changes nothing the API already did, and a retry changes nothing at all. Loading the move also
// records the calling run as the move's own if the API's write of its run id was lost.
import { openMoveTask } from '../db/moveTask';
import type { MoveRef } from './contract';
import type { ActivityDeps } from './shared/deps';
import { auditOnce } from './shared/audit';
import { TX_OPTIONS, loadMove } from './shared/moveRecord';
import { initialProgress } from './shared/progressJson';

export async function markMoveScheduled(deps: ActivityDeps, { moveId }: MoveRef): Promise<void> {
  const now = deps.now();
  await deps.db.$transaction(async (tx) => {
    const move = await loadMove(tx, moveId);
    await tx.client.updateMany({
      where: { id: move.clientId, status: { not: 'ACTIVE_MOVE_SCHEDULED' } },
      data: { status: 'ACTIVE_MOVE_SCHEDULED' },
    });
    await openMoveTask(tx, { ...move, moveId, progress: initialProgress(move, now) });
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
