// The client's phone numbers: re-homed at the destination site, and back at the source on rollback.
// A number the carrier has blocked cannot move: the rest of its batch moves, the blocked ones fail
// and the step stops, non-retryably, until someone unblocks them and retries.
import { MoveFailureType } from '../domain/errors';
import type { BatchInput, BatchResult } from './contract';
import type { ActivityDeps } from './shared/deps';
import {
  MOVED,
  NOT_YET_MOVED,
  missingFrom,
  moveItemIds,
  runBatch,
  setItemStatus,
  type BatchStep,
  type ItemFailure,
} from './shared/batch';
import { relocate } from './shared/relocate';

const rehome: BatchStep = {
  name: 'rehomePhoneNumbers',
  kind: 'PHONE_NUMBER',
  todo: NOT_YET_MOVED,
  done: MOVED,
  async apply(tx, batch, now) {
    // Locked, so a number cannot be blocked between this check and its move.
    const numbers = await tx.$queryRaw<{ id: string; status: string }[]>`
      SELECT id, status::text AS status FROM phone_number
      WHERE id = ANY(${batch.map((i) => i.itemId)}::uuid[])
      FOR UPDATE`;
    const blockedIds = new Set(numbers.filter((n) => n.status === 'BLOCKED').map((n) => n.id));
    const movable = batch.filter((i) => !blockedIds.has(i.itemId));
    const moved = await relocate(tx, 'phone_number', movable, 'destination');
    await setItemStatus(tx, moved, 'MOVED', now);
    const blockedFailures: ItemFailure[] = batch
      .filter((i) => blockedIds.has(i.itemId))
      .map((item) => ({
        item,
        type: MoveFailureType.PhoneNumberBlocked,
        error: `Phone number ${item.label} is blocked by the carrier and cannot move; unblock it, then retry`,
      }));
    return [...blockedFailures, ...missingFrom(movable, moved, 'Phone number')];
  },
};

const restore: BatchStep = {
  name: 'restorePhoneNumbers',
  kind: 'PHONE_NUMBER',
  todo: MOVED,
  done: MOVED,
  async apply(tx, batch, now) {
    await relocate(tx, 'phone_number', batch, 'source');
    await setItemStatus(tx, moveItemIds(batch), 'ROLLED_BACK', now);
    return [];
  },
};

export const rehomePhoneNumbers = (deps: ActivityDeps, input: BatchInput): Promise<BatchResult> =>
  runBatch(deps, rehome, input);
export const restorePhoneNumbers = (deps: ActivityDeps, input: BatchInput): Promise<BatchResult> =>
  runBatch(deps, restore, input);
