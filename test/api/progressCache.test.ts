// Reads of a running move share Temporal's progress answers (src/moveService/progressCache.ts): many
// reads at once reach Temporal as one query, an answer is reused until it is older than the max age,
// and an update the API sends drops it, so the caller's next read shows the change. The cache's clock
// is the test's own (it only moves when the test says so); Temporal's calls are counted by RPC name.
import type { Express } from 'express';
import { ProgressCache } from '../../src/moveService/progressCache';
import { connectFaultyTemporal, type FaultyTemporal } from './faultyTemporal';
import { api, eventually, siteIdOf, startApiHarness, startBody, type ApiHarness } from './harness';

const MAX_AGE_MS = 1_000;

let harness: ApiHarness;
let counted: FaultyTemporal;
let clock = 0;
let app: Express;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'dev-server', worker: true });
  counted = await connectFaultyTemporal(harness.env!.address, harness.env!.namespace ?? 'default');
  app = harness.appUsing(counted.client, new ProgressCache(MAX_AGE_MS, () => clock));
});
afterAll(async () => {
  await harness.close();
  await counted.close();
});

const queries = () => counted.calls.get('QueryWorkflow') ?? 0;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

interface MoveRead {
  progressSource: string;
  scheduledFor: string;
  progress: { scheduledFor: string } | null;
}

async function read(moveId: string): Promise<MoveRead> {
  const res = await api(app).get(`/api/client-site-moves/${moveId}`);
  expect(res.status).toBe(200);
  return res.body as MoveRead;
}

/** A move scheduled days ahead, once its workflow answers the progress query (a fresh answer from then on). */
async function scheduledMove(client: string): Promise<string> {
  const started = await api(app).post('/api/client-site-moves', startBody(client, 'LDS-WEL', { moveAt: inDays(1) }));
  expect(started.status).toBe(201);
  const moveId = (started.body as { id: string }).id;
  await eventually(
    async () => {
      clock += MAX_AGE_MS;
      return (await read(moveId)).progressSource === 'temporal' ? true : undefined;
    },
    { what: 'a live read' },
  );
  return moveId;
}

it('many reads of a running move at once reach Temporal as one query', async () => {
  const moveId = await scheduledMove('Cobalt Legal LLP');
  clock += MAX_AGE_MS;
  const before = queries();
  const reads = await Promise.all(Array.from({ length: 20 }, () => read(moveId)));
  expect(reads.map((r) => r.progressSource)).toEqual(Array(20).fill('temporal'));
  expect(queries() - before).toBe(1);

  // The dashboard shares the same answers: one query per live task, however many read it at once.
  clock += MAX_AGE_MS;
  const beforeDashboard = queries();
  const dashboards = await Promise.all(
    Array.from({ length: 5 }, () => api(app).get(`/api/sites/${siteIdOf('LDS-WEL')}/dashboard/tasks?open=true`)),
  );
  const liveTasks = (dashboards[0]!.body as { items: { progressSource: string }[] }).items.filter(
    (task) => task.progressSource === 'temporal',
  ).length;
  expect(liveTasks).toBeGreaterThanOrEqual(1);
  expect(queries() - beforeDashboard).toBe(liveTasks);
});

it('reuses an answer until it is older than the max age, then asks again', async () => {
  const moveId = await scheduledMove('Dune & Finch');
  const before = queries();
  await read(moveId);
  clock += MAX_AGE_MS - 1;
  expect((await read(moveId)).progressSource).toBe('temporal');
  expect(queries() - before).toBe(0);
  clock += 1;
  expect((await read(moveId)).progressSource).toBe('temporal');
  expect(queries() - before).toBe(1);
});

it('after a reschedule through the API, the next read shows the new time at once', async () => {
  const moveId = await scheduledMove('Brightwave Studios');
  // The answer read above is kept (the clock does not move from here on).
  const before = await read(moveId);
  const moveAt = inDays(2);
  const rescheduled = await api(app).post(`/api/client-site-moves/${moveId}/reschedule`, { moveAt });
  expect(rescheduled.status).toBe(200);
  const after = await read(moveId);
  expect(after.progressSource).toBe('temporal');
  expect(after.progress?.scheduledFor).toBe(moveAt);
  expect(after.scheduledFor).not.toBe(before.scheduledFor);
});
