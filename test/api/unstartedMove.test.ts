// A move recorded but never started (the API lost Temporal's answer, or died in between) must not
// block its client for ever: the next start for the client settles it against Temporal.
import { clientSiteMove } from '../../src/workflows/clientSiteMove';
import { moveWorkflowOptions } from '../../src/workflows/startOptions';
import { UNSTARTED_GRACE_MS, settleUnstartedMove } from '../../src/moveService/settleUnstartedMove';
import { requestFingerprint } from '../../src/moveService/idempotency';
import { DEFAULT_TEMPORAL_TIMEOUTS } from '../../src/moveService/temporal';
import { insertMove, moveInputFor } from '../support/moveFixtures';
import { PROBLEM, api, clientIdOf, startApiHarness, startBody, type ApiHarness } from './harness';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'dev-server' });
});
afterAll(() => harness.close());

/** A SCHEDULED move with no run id, recorded `ageMs` ago, as an API that died mid-start leaves it. */
async function unstartedMove(client: string, to: string, ageMs: number) {
  const move = await insertMove(harness.db, { client, to });
  await harness.db.clientSiteMove.update({
    where: { id: move.moveId },
    data: { createdAt: new Date(Date.now() - ageMs) },
  });
  return move;
}

it('closes a move that never ran, then starts the new one', async () => {
  const stale = await unstartedMove('Brightwave Studios', 'BRS-TQY', UNSTARTED_GRACE_MS + 5_000);
  const res = await api(harness.app).post(
    '/api/client-site-moves',
    startBody('Brightwave Studios', 'MAN-SPF', { moveAt: new Date(Date.now() + 86_400_000).toISOString() }),
  );
  expect(res.status).toBe(201);
  const closed = await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: stale.moveId } });
  expect(closed).toMatchObject({
    status: 'CANCELLED',
    runId: null,
    cancelReason: 'Never started: Temporal has no run of it',
  });
  expect(closed.finishedAt).not.toBeNull();
  expect(await harness.db.auditEntry.count({ where: { moveId: stale.moveId, action: 'MOVE_NEVER_STARTED' } })).toBe(1);
});

it('leaves a start that may still be in progress alone: 409 naming it', async () => {
  const recent = await unstartedMove('Dune & Finch', 'LDN-SHO', 1_000);
  const res = await api(harness.app).post('/api/client-site-moves', startBody('Dune & Finch', 'LDN-SHO'));
  expect(res.status).toBe(409);
  expect(res.body).toMatchObject({ type: `${PROBLEM}active-move-exists` });
  expect(JSON.stringify(res.body)).toContain(recent.moveId);
  expect((await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: recent.moveId } })).status).toBe(
    'SCHEDULED',
  );
});

it('adopts the run of a move whose start did happen, and still refuses a second move: 409', async () => {
  const lost = await unstartedMove('Cobalt Legal LLP', 'BRS-TQY', UNSTARTED_GRACE_MS + 5_000);
  // Its workflow runs (no worker polls this queue, so it stays put), but the API never learnt its run id.
  const handle = await harness.temporal.workflow.start(
    clientSiteMove,
    moveWorkflowOptions(
      moveInputFor(lost, { moveNow: false, scheduledFor: new Date(Date.now() + 86_400_000).toISOString() }),
      'nobody-polls-this',
    ),
  );
  const res = await api(harness.app).post('/api/client-site-moves', startBody('Cobalt Legal LLP', 'LDN-SHO'));
  expect(res.status).toBe(409);
  const adopted = await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: lost.moveId } });
  expect(adopted).toMatchObject({ status: 'SCHEDULED', runId: handle.firstExecutionRunId });
  // It did start: the trail says nothing of a move that never started.
  expect(await harness.db.auditEntry.count({ where: { moveId: lost.moveId } })).toBe(0);
  await handle.terminate('test over');
});

it('lets go of the Idempotency-Key of a move that never ran: the retry with that key starts a new move', async () => {
  const body = startBody('Evergreen Health', 'LDS-WEL', { moveAt: new Date(Date.now() + 86_400_000).toISOString() });
  const stale = await unstartedMove('Evergreen Health', 'BRS-TQY', UNSTARTED_GRACE_MS + 5_000);
  await harness.db.clientSiteMove.update({
    where: { id: stale.moveId },
    data: {
      idempotencyKey: 'wizard-finish-42',
      requestFingerprint: requestFingerprint({ ...body, spaceIds: body.spaceIds ?? [] }),
    },
  });
  const res = await api(harness.app).post('/api/client-site-moves', body).set('Idempotency-Key', 'wizard-finish-42');
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ id: expect.not.stringMatching(stale.moveId) as unknown });
  expect(await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: stale.moveId } })).toMatchObject({
    status: 'CANCELLED',
    idempotencyKey: null,
  });
});

it('two starts at once for a client with a move that never ran: one starts, the other 409, the old move closed once', async () => {
  const stale = await unstartedMove('Gale & Moss', 'BRS-TQY', UNSTARTED_GRACE_MS + 5_000);
  const body = startBody('Gale & Moss', 'MAN-SPF', { moveAt: new Date(Date.now() + 86_400_000).toISOString() });
  const answers = await Promise.all([1, 2].map(() => api(harness.app).post('/api/client-site-moves', body)));
  expect(answers.map((res) => res.status).sort()).toEqual([201, 409]);
  expect(await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: stale.moveId } })).toMatchObject({
    status: 'CANCELLED',
  });
  expect(await harness.db.auditEntry.count({ where: { moveId: stale.moveId, action: 'MOVE_NEVER_STARTED' } })).toBe(1);
});

it('two settles of the same move at once: one closes it, the other finds nothing to do and writes nothing', async () => {
  const stale = await unstartedMove('Acme Analytics Ltd', 'BRS-TQY', UNSTARTED_GRACE_MS + 5_000);
  // As the API builds them (where the outcome email's workflow would run, for a move with a contact).
  const deps = {
    db: harness.db,
    temporal: harness.temporal,
    timeouts: DEFAULT_TEMPORAL_TIMEOUTS,
    taskQueue: harness.taskQueue,
    move: { emailDeliveryWindow: '24 hours' },
  };
  // Each as a start (or a sweep) in another API instance runs it: the second meets the first's row
  // lock, or the move it closed.
  const outcomes = await Promise.all([1, 2].map(() => settleUnstartedMove(deps, stale.moveId, new Date())));
  expect(outcomes.sort()).toEqual(['closed', 'skipped']);
  expect(await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: stale.moveId } })).toMatchObject({
    status: 'CANCELLED',
  });
  expect(await harness.db.client.findUniqueOrThrow({ where: { id: clientIdOf('Acme Analytics Ltd') } })).toMatchObject({
    status: 'ACTIVE',
  });
  expect(await harness.db.auditEntry.count({ where: { moveId: stale.moveId } })).toBe(1);
});
