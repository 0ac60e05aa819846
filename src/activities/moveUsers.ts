// The client's users: re-homed at the destination site, and back at the source on rollback.
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
} from './shared/batch';
import { relocate } from './shared/relocate';

const move: BatchStep = {
  name: 'moveUsers',
  kind: 'USER',
  todo: NOT_YET_MOVED,
  done: MOVED,
  async apply(tx, batch, now) {
    const moved = await relocate(tx, 'client_user', batch, 'destination');
    await setItemStatus(tx, moved, 'MOVED', now);
    return missingFrom(batch, moved, 'User');
  },
};

const restore: BatchStep = {
  name: 'restoreUsers',
  kind: 'USER',
  todo: MOVED,
  done: MOVED,
  async apply(tx, batch, now) {
    // A user deleted since the move has nowhere to go back to; the item is still undone.
    await relocate(tx, 'client_user', batch, 'source');
    await setItemStatus(tx, moveItemIds(batch), 'ROLLED_BACK', now);
    return [];
  },
};

export const moveUsers = (deps: ActivityDeps, input: BatchInput): Promise<BatchResult> => runBatch(deps, move, input);
export const restoreUsers = (deps: ActivityDeps, input: BatchInput): Promise<BatchResult> =>
  runBatch(deps, restore, input);
