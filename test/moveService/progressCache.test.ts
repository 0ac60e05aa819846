// The progress cache's own rules, with a hand-driven clock and answers the test settles itself: reads
// share a query in flight even with no reuse allowed, a failure is never kept, and an answer that
// arrives after forget() is given to the reads that shared it but not kept.
import type { MoveProgress } from '../../src/domain/move';
import { ProgressCache } from '../../src/moveService/progressCache';
import { progressFor } from '../support/moveFixtures';

const RUN = { workflowId: 'client-site-move-1', runId: 'run-1' };

/** An ask() the test answers by hand, counting the queries it stands for. */
function pendingAsks() {
  const waiting: { resolve: (p: MoveProgress) => void; reject: (e: Error) => void }[] = [];
  return {
    ask: () => new Promise<MoveProgress>((resolve, reject) => waiting.push({ resolve, reject })),
    get count() {
      return waiting.length;
    },
    answer: (i: number, phase: MoveProgress['phase'] = 'SCHEDULED') => waiting[i]!.resolve(progressFor('m', phase)),
    fail: (i: number) => waiting[i]!.reject(new Error('deadline exceeded')),
  };
}

it('reads while a query is in flight share it, even with no reuse allowed', async () => {
  const cache = new ProgressCache(0, () => 0);
  const asks = pendingAsks();
  const reads = [cache.read(RUN, asks.ask), cache.read(RUN, asks.ask), cache.read(RUN, asks.ask)];
  expect(asks.count).toBe(1);
  asks.answer(0);
  expect(await Promise.all(reads)).toEqual(Array(3).fill(progressFor('m', 'SCHEDULED')));
  // Settled, and a max age of 0 reuses nothing: the next read asks.
  void cache.read(RUN, asks.ask);
  expect(asks.count).toBe(2);
});

it('keeps runs apart', () => {
  const cache = new ProgressCache(1_000, () => 0);
  const asks = pendingAsks();
  void cache.read(RUN, asks.ask);
  void cache.read({ ...RUN, runId: 'run-2' }, asks.ask);
  expect(asks.count).toBe(2);
});

it('never keeps a failure: the next read asks again', async () => {
  const cache = new ProgressCache(1_000, () => 0);
  const asks = pendingAsks();
  const first = cache.read(RUN, asks.ask);
  asks.fail(0);
  await expect(first).rejects.toThrow('deadline exceeded');
  void cache.read(RUN, asks.ask);
  expect(asks.count).toBe(2);
});

it('after forget(), a query already in flight answers its reads but is not kept', async () => {
  const cache = new ProgressCache(1_000, () => 0);
  const asks = pendingAsks();
  const before = cache.read(RUN, asks.ask);
  cache.forget(RUN);
  const after = cache.read(RUN, asks.ask);
  expect(asks.count).toBe(2);
  asks.answer(1, 'MOVING');
  asks.answer(0, 'SCHEDULED');
  expect((await before).phase).toBe('SCHEDULED');
  expect((await after).phase).toBe('MOVING');
  // The answer kept is the one asked after forget().
  expect((await cache.read(RUN, asks.ask)).phase).toBe('MOVING');
  expect(asks.count).toBe(2);
});
