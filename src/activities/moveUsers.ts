// The client's users: re-homed at the destination site, and back at the source on rollback.
import type { BatchInput, BatchResult } from './contract';
import type { ActivityDeps } from './shared/deps';
import {
  MOVED,
  NOT_YET_MOVED,
  ROLLED_BACK,
  markRelocated,
  allMissing,
  runBatch,
  updateRecords,
  type BatchStep,
} from './shared/batch';
import { relocate } from './shared/relocate';
import { Prisma } from '../db/client';

const move: BatchStep = {
  name: 'moveUsers',
  kind: 'USER',
  todo: NOT_YET_MOVED,
  done: MOVED,
  change: (now) => Prisma.sql`${relocate('client_user', 'destination')}, ${markRelocated(now)}`,
  failures: allMissing('User'),
};

const restore: BatchStep = {
  name: 'restoreUsers',
  kind: 'USER',
  todo: MOVED,
  done: MOVED,
  // A user deleted since the move has nowhere to go back to; the item is still undone.
  change: (now) => Prisma.sql`${relocate('client_user', 'source')}, ${updateRecords(ROLLED_BACK, now)}`,
  failures: allMissing('User'),
};

export const moveUsers = (deps: ActivityDeps, input: BatchInput): Promise<BatchResult> => runBatch(deps, move, input);
export const restoreUsers = (deps: ActivityDeps, input: BatchInput): Promise<BatchResult> =>
  runBatch(deps, restore, input);
