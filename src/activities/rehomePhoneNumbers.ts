// The client's phone numbers: re-homed at the destination site, and back at the source on rollback.
// A number the carrier has blocked cannot move: the rest of its batch moves, the blocked ones fail
// and the step stops, non-retryably, until someone unblocks them and retries.
import { MoveFailureType } from '../domain/errors';
import type { BatchInput, BatchResult } from './contract';
import type { ActivityDeps } from './shared/deps';
import {
  MOVED,
  NOT_YET_MOVED,
  ROLLED_BACK,
  allMissing,
  markRelocated,
  missing,
  runBatch,
  updateRecords,
  type BatchStep,
  type ItemFailure,
  type UnchangedItem,
} from './shared/batch';
import type { SqlTx } from '../db/plainSql';
import { relocate } from './shared/relocate';
import { Prisma } from '../db/client';

const rehome: BatchStep = {
  name: 'rehomePhoneNumbers',
  kind: 'PHONE_NUMBER',
  todo: NOT_YET_MOVED,
  done: MOVED,
  // The batch's numbers are locked first (and stay locked until the batch commits), so a number
  // cannot be blocked between this check and its move, nor unblocked before its failure is told.
  change: (now) => Prisma.sql`
    numbers AS (
      SELECT b.id, b.item_id, b.to_site_id, b.from_site_id, p.status
      FROM batch b JOIN phone_number p ON p.id = b.item_id
      FOR UPDATE OF p
    ),
    ${relocate('phone_number', 'destination', { from: 'numbers', where: Prisma.sql`AND i.status <> 'BLOCKED'` })},
    ${markRelocated(now)}`,
  failures: blockedOrMissing,
};

async function blockedOrMissing(tx: SqlTx, unchanged: UnchangedItem[]): Promise<ItemFailure[]> {
  const blocked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM phone_number WHERE id = ANY(${unchanged.map((i) => i.itemId)}::uuid[]) AND status = 'BLOCKED'`;
  const blockedIds = new Set(blocked.map((n) => n.id));
  // Blocked numbers first: the step's failure takes the first one's type, and a block is what an
  // operator can act on.
  const blockedFailures: ItemFailure[] = unchanged
    .filter((item) => blockedIds.has(item.itemId))
    .map((item) => ({
      item,
      type: MoveFailureType.PhoneNumberBlocked,
      error: `Phone number ${item.label} is blocked by the carrier and cannot move; unblock it, then retry`,
    }));
  const gone = unchanged.filter((item) => !blockedIds.has(item.itemId)).map((item) => missing(item, 'Phone number'));
  return [...blockedFailures, ...gone];
}

const restore: BatchStep = {
  name: 'restorePhoneNumbers',
  kind: 'PHONE_NUMBER',
  todo: MOVED,
  done: MOVED,
  change: (now) => Prisma.sql`${relocate('phone_number', 'source')}, ${updateRecords(ROLLED_BACK, now)}`,
  failures: allMissing('Phone number'),
};

export const rehomePhoneNumbers = (deps: ActivityDeps, input: BatchInput): Promise<BatchResult> =>
  runBatch(deps, rehome, input);
export const restorePhoneNumbers = (deps: ActivityDeps, input: BatchInput): Promise<BatchResult> =>
  runBatch(deps, restore, input);
