// A start Temporal did not answer: the run may exist anyway. Real PostgreSQL, a real dev server, and
// a real client that loses chosen calls (test/api/faultyTemporal.ts): the start reaches the server
// and its answer is lost, or it is never sent; the describe that settles it answers, or does not.
// Also: the workflow started but its run id could not be written.
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { moveWorkflowId } from '../../src/domain/move';
import { MoveIdKey } from '../../src/workflows/searchAttributes';
import { connectFaultyTemporal, type FaultyTemporal } from './faultyTemporal';
import {
  PROBLEM,
  anyString,
  api,
  clientIdOf,
  objectContaining,
  startApiHarness,
  startBody,
  stringMatching,
  type ApiHarness,
} from './harness';

let harness: ApiHarness;
let faulty: FaultyTemporal;
let app: Express;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'dev-server' });
  faulty = await connectFaultyTemporal(harness.env!.address, harness.env!.namespace ?? 'default');
  app = harness.appUsing(faulty.client);
});
afterEach(() => faulty.faults.clear());
afterAll(async () => {
  await faulty.close();
  await harness.close();
});

const START = 'StartWorkflowExecution';
const DESCRIBE = 'DescribeWorkflowExecution';
const inOneDay = () => new Date(Date.now() + 86_400_000).toISOString();

async function footprint() {
  return { moves: await harness.db.clientSiteMove.count(), audit: await harness.db.auditEntry.count() };
}

/** The latest run of a client's move workflow, as a client that loses nothing sees it. */
async function latestRun(client: string) {
  const described = await harness.temporal.workflow.getHandle(moveWorkflowId(clientIdOf(client))).describe();
  return {
    runId: described.runId,
    status: described.status.name,
    moveId: described.typedSearchAttributes.get(MoveIdKey),
  };
}

it('adopts the run when the start reached Temporal but its answer was lost: 201 with that run', async () => {
  faulty.faults.set(START, 'lose-answer');
  const res = await api(app).post(
    '/api/client-site-moves',
    startBody('Dune & Finch', 'LDN-SHO', { moveAt: inOneDay() }),
  );
  expect(res.status).toBe(201);
  const move = res.body as { id: string; runId: string };
  expect(res.headers.location).toBe(`/api/client-site-moves/${move.id}`);
  const run = await latestRun('Dune & Finch');
  expect(run).toEqual({ runId: move.runId, status: 'RUNNING', moveId: move.id });
  const row = await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: move.id } });
  expect(row).toMatchObject({ status: 'SCHEDULED', runId: run.runId });
  expect(harness.logs.lines).toContainEqual(
    objectContaining({
      moveId: move.id,
      found: 'this-move',
      msg: stringMatching(/did not answer the start/),
    }),
  );
});

it('removes the move when no run exists: 503 temporal-unavailable and nothing left', async () => {
  faulty.faults.set(START, 'unavailable');
  const before = await footprint();
  const res = await api(app).post('/api/client-site-moves', startBody('Brightwave Studios', 'MAN-SPF'));
  expect(res.status).toBe(503);
  expect(res.body).toMatchObject({
    type: `${PROBLEM}temporal-unavailable`,
    detail: stringMatching(/nothing was changed/),
  });
  expect(res.headers['retry-after']).toBe('5');
  expect(await footprint()).toEqual(before);
  await expect(latestRun('Brightwave Studios')).rejects.toThrow(/not found/i);
});

it("removes the move when the workflow id's run is another move's: 503 temporal-unavailable", async () => {
  const clientId = clientIdOf('Acme Analytics Ltd');
  // Another move's run (started by hand, say), on a queue no worker polls.
  const other = await harness.temporal.workflow.start('clientSiteMove', {
    taskQueue: `nobody-${randomUUID()}`,
    workflowId: moveWorkflowId(clientId),
    args: [{}],
    typedSearchAttributes: [{ key: MoveIdKey, value: randomUUID() }],
  });
  try {
    faulty.faults.set(START, 'unavailable');
    const before = await footprint();
    const res = await api(app).post('/api/client-site-moves', startBody('Acme Analytics Ltd', 'BRS-TQY'));
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ type: `${PROBLEM}temporal-unavailable` });
    expect(await footprint()).toEqual(before);
  } finally {
    await other.terminate('test over');
  }
});

it('keeps the move when Temporal answers neither the start nor the describe: 503 naming the move', async () => {
  faulty.faults.set(START, 'lose-answer');
  faulty.faults.set(DESCRIBE, 'unavailable');
  const res = await api(app).post(
    '/api/client-site-moves',
    startBody('Cobalt Legal LLP', 'LDS-WEL', { moveAt: inOneDay() }),
  );
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBeUndefined();
  const problem = res.body as { type: string; detail: string; moveId: string; location: string };
  expect(problem).toMatchObject({ type: `${PROBLEM}start-outcome-unknown`, moveId: anyString() });
  expect(problem.location).toBe(`/api/client-site-moves/${problem.moveId}`);
  expect(problem.detail).toContain(problem.location);

  // Rightly kept: the run does exist, and the row is there for the caller to read.
  const run = await latestRun('Cobalt Legal LLP');
  expect(run).toMatchObject({ status: 'RUNNING', moveId: problem.moveId });
  const row = await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: problem.moveId } });
  expect(row).toMatchObject({ status: 'SCHEDULED', runId: null });
  faulty.faults.clear();
  const read = await api(app).get(problem.location);
  expect(read.status).toBe(200);
  expect(read.body).toMatchObject({ id: problem.moveId, runId: null, status: 'SCHEDULED' });
  expect(harness.logs.lines).toContainEqual(objectContaining({ moveId: problem.moveId, found: 'unknown' }));
});

it('answers 201 when the workflow started but its run id could not be written', async () => {
  // PostgreSQL refuses every write of run_id, here and only here.
  await harness.db.$executeRawUnsafe(
    `CREATE FUNCTION refuse_run_id() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN RAISE EXCEPTION 'run_id refused by the test'; END $$`,
  );
  await harness.db.$executeRawUnsafe(
    'CREATE TRIGGER refuse_run_id BEFORE UPDATE OF run_id ON client_site_move FOR EACH ROW EXECUTE FUNCTION refuse_run_id()',
  );
  try {
    const res = await api(harness.app).post(
      '/api/client-site-moves',
      startBody('Evergreen Health', 'LDS-WEL', { moveAt: inOneDay() }),
    );
    expect(res.status).toBe(201);
    const move = res.body as { id: string; runId: string | null };
    expect(move.runId).toBeNull();
    // The workflow runs; its first activity fills the run id in.
    expect(await latestRun('Evergreen Health')).toMatchObject({ status: 'RUNNING', moveId: move.id });
    expect(harness.logs.lines).toContainEqual(
      objectContaining({
        moveId: move.id,
        runId: anyString(),
        msg: stringMatching(/run id was not recorded/),
      }),
    );
  } finally {
    await harness.db.$executeRawUnsafe('DROP TRIGGER refuse_run_id ON client_site_move');
    await harness.db.$executeRawUnsafe('DROP FUNCTION refuse_run_id()');
  }
});
