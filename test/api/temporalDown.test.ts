// When Temporal cannot be reached (a real client pointed at a port where nothing listens): a start
// cannot tell whether its workflow started, so it keeps the move and answers 503 naming it; reads
// fall back to the progress the workflow last mirrored to the database (and say so), decisions
// answer 503, and /readyz says why it is not ready.
import { randomUUID } from 'node:crypto';
import { MoveDetailSchema, TasksResponse } from '../../src/api/schemas';
import { emptyItemProgress, moveWorkflowId, type MoveProgress } from '../../src/domain/move';
import { progressFor } from '../support/moveFixtures';
import {
  PROBLEM,
  SUPER_ADMIN_ID,
  api,
  stringMatching,
  bundleIdOf,
  clientIdOf,
  objectContaining,
  siteIdOf,
  startApiHarness,
  startBody,
  tariffIdOf,
  type ApiHarness,
} from './harness';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({
    temporal: 'unreachable',
    temporalTimeouts: { startMs: 1_000, queryMs: 500, updateMs: 1_000 },
  });
});
afterAll(() => harness.close());

/** A move the workflow has been running: its row, and its dashboard task with mirrored progress. */
async function insertRunningMove(): Promise<{ moveId: string; progress: MoveProgress }> {
  const clientId = clientIdOf('Cobalt Legal LLP');
  const moveId = randomUUID();
  const progress: MoveProgress = progressFor(moveId, 'MOVING', {
    scheduledFor: '2026-11-20T09:00:00.000Z',
    startedAt: '2026-11-20T09:00:01.000Z',
    currentStep: 'REHOME_PHONE_NUMBERS',
    items: { ...emptyItemProgress(), users: { total: 60, done: 0 }, phoneNumbers: { total: 40, done: 20 } },
    updatedAt: '2026-11-20T09:00:05.000Z',
  });
  await harness.db.clientSiteMove.create({
    data: {
      id: moveId,
      clientId,
      requestedById: SUPER_ADMIN_ID,
      sourceSiteId: siteIdOf('MAN-SPF'),
      destinationSiteId: siteIdOf('LDS-WEL'),
      tariffId: tariffIdOf('LDS-WEL', 'Premium'),
      minuteBundleId: bundleIdOf('LDS-WEL', '2,000 minutes'),
      moveNow: true,
      scheduledFor: new Date(progress.scheduledFor),
      status: 'MOVING',
      workflowId: moveWorkflowId(clientId),
      runId: randomUUID(),
      task: {
        create: {
          siteId: siteIdOf('LDS-WEL'),
          clientId,
          title: 'Client site move: Cobalt Legal LLP to Leeds Wellington Place',
          phase: 'MOVING',
          progress: JSON.parse(JSON.stringify(progress)) as object,
        },
      },
    },
  });
  return { moveId, progress };
}

it('POST /api/client-site-moves: 503 start-outcome-unknown naming the move, which is kept for a GET', async () => {
  const started = Date.now();
  const res = await api(harness.app).post('/api/client-site-moves', startBody('Dune & Finch', 'LDN-SHO'));
  expect(res.status).toBe(503);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  // Trying the same POST again cannot help (the kept move holds the client): no Retry-After.
  expect(res.headers['retry-after']).toBeUndefined();
  const problem = res.body as { type: string; status: number; detail: string; moveId: string; location: string };
  expect(problem).toMatchObject({ type: `${PROBLEM}start-outcome-unknown`, status: 503 });
  expect(problem.location).toBe(`/api/client-site-moves/${problem.moveId}`);
  expect(problem.detail).toContain(problem.moveId);
  expect(problem.detail).toContain(problem.location);
  // Bounded by the start deadline and the describe deadline (1 s each here), not the client's ~20 s of retries.
  expect(Date.now() - started).toBeLessThan(8_000);

  // Temporal may have started the run before the connection failed: the move stays, without a run id.
  const row = await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: problem.moveId } });
  expect(row).toMatchObject({ clientId: clientIdOf('Dune & Finch'), status: 'SCHEDULED', runId: null });
  expect(await harness.db.auditEntry.count({ where: { moveId: row.id, action: 'MOVE_REQUESTED' } })).toBe(1);
  const read = await api(harness.app).get(problem.location);
  expect(read.status).toBe(200);
  expect(read.body).toMatchObject({ id: row.id, runId: null, status: 'SCHEDULED', progressSource: 'database' });
});

describe('reads while Temporal is down', () => {
  let moveId: string;
  let progress: MoveProgress;
  beforeAll(async () => {
    ({ moveId, progress } = await insertRunningMove());
  });

  it('GET a move serves the database copy of its progress, and says so', async () => {
    const res = await api(harness.app).get(`/api/client-site-moves/${moveId}`);
    expect(res.status).toBe(200);
    const move = MoveDetailSchema.parse(res.body);
    expect(move).toMatchObject({ status: 'MOVING', progressSource: 'database', progress });
  });

  it("the destination's dashboard shows the task with its last known progress", async () => {
    const res = await api(harness.app).get(`/api/sites/${siteIdOf('LDS-WEL')}/dashboard/tasks?open=true`);
    expect(res.status).toBe(200);
    const tasks = TasksResponse.parse(res.body);
    expect(tasks.items).toEqual([
      objectContaining({ moveId, phase: 'MOVING', open: true, progressSource: 'database', progress }),
    ]);
  });

  it('decisions answer 503 and change nothing', async () => {
    for (const [action, body] of [
      ['cancel', { reason: 'client changed plans' }],
      ['move-now', {}],
      ['retry', undefined],
    ] as const) {
      const res = await api(harness.app).post(`/api/client-site-moves/${moveId}/${action}`, body);
      expect({ action, status: res.status, type: (res.body as { type: string }).type }).toEqual({
        action,
        status: 503,
        type: `${PROBLEM}temporal-unavailable`,
      });
    }
    expect(await harness.db.auditEntry.count({ where: { moveId } })).toBe(0);
  });
});

it('/readyz is 503 naming Temporal, with no detail of the failure (that goes to the log); /healthz is 200', async () => {
  harness.logs.lines.length = 0;
  const ready = await api(harness.app, null).get('/readyz');
  expect(ready.status).toBe(503);
  expect(ready.body).toMatchObject({
    status: 'not_ready',
    checks: {
      database: { ok: true },
      temporal: { ok: false, error: stringMatching(/^(unavailable|no answer within \d+ ms)$/) },
    },
  });
  // The endpoint is public: no host, port, user or driver message in it.
  expect(ready.text).not.toMatch(/127\.0\.0\.1|UNAVAILABLE|ECONNREFUSED|postgres/);
  expect(harness.logs.lines).toContainEqual(
    objectContaining({ msg: 'Readiness: the temporal check failed', check: 'temporal', err: objectContaining({}) }),
  );
  expect((await api(harness.app, null).get('/healthz')).body).toEqual({ status: 'ok' });
});
