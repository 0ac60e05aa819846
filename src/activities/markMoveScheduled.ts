// The move is scheduled: the client shows "Active - move scheduled", the destination site's
// dashboard gets a task, and the audit says so. The API does the first two in the transaction that
// records the move; here they are insert-if-missing (for a move an older API recorded), so this
// changes nothing the API already did, and a retry changes nothing at all. Loading the move also
// records the calling run as the move's own if the API's write of its run id was lost. After the
// move's lock, one statement does all three (plain SQL: docs/performance.md).
import { insertMoveTask } from '../db/moveTask';
import type { MoveRef } from './contract';
import type { ActivityDeps } from './shared/deps';
import { insertAuditEntries } from './shared/audit';
import { TX_OPTIONS, loadMove } from './shared/moveRecord';
import { initialProgress } from './shared/progressJson';
import { plainTransaction } from '../db/plainSql';

export async function markMoveScheduled(deps: ActivityDeps, { moveId }: MoveRef): Promise<void> {
  const now = deps.now();
  await plainTransaction(deps.db, TX_OPTIONS, async (tx) => {
    const move = await loadMove(tx, moveId);
    const audit = insertAuditEntries([
      {
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
      },
    ]);
    // Three tables, one row each: the CTEs cannot step on each other.
    await tx.$executeRaw`
      WITH marked AS (
        UPDATE client SET status = 'ACTIVE_MOVE_SCHEDULED', updated_at = ${now}
        WHERE id = ${move.clientId}::uuid AND status <> 'ACTIVE_MOVE_SCHEDULED'
      ), task AS (${insertMoveTask({ ...move, moveId, progress: initialProgress(move, now) })}
      ), audit AS (${audit})
      SELECT 1`;
  });
}
