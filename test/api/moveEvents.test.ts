// The move's audit trail through the API (issue 11.6): real app, real PostgreSQL, a real Temporal dev
// server and worker. A cancelled move and a rolled-back move list their operator actions, phase
// changes and ending oldest first; an action taken in Temporal itself (Temporal Web, the CLI) names
// `temporal`; the list pages.
import { MoveDetailSchema, MoveEventsResponse, type MoveDetail } from '../../src/api/schemas';
import { rescheduleUpdate } from '../../src/workflows/clientSiteMove';
import {
  ADMIN,
  SUPER_ADMIN_ID,
  api,
  eventually,
  objectContaining,
  spaceIdOf,
  startApiHarness,
  startBody,
  stringContaining,
  tariffIdOf,
  type ApiHarness,
} from './harness';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'dev-server', worker: true });
});
afterAll(() => harness.close());

const inHours = (n: number) => new Date(Date.now() + n * 3_600_000).toISOString();

async function waitForMove(id: string, done: (m: MoveDetail) => boolean, what: string): Promise<MoveDetail> {
  return eventually(
    async () => {
      const m = MoveDetailSchema.parse((await api(harness.app, ADMIN).get(`/api/client-site-moves/${id}`)).body);
      return done(m) ? m : undefined;
    },
    { what, timeoutMs: 90_000 },
  );
}

async function events(id: string, query = '') {
  const res = await api(harness.app, ADMIN).get(`/api/client-site-moves/${id}/events${query}`);
  expect(res.status).toBe(200);
  return MoveEventsResponse.parse(res.body);
}

const operator = { id: SUPER_ADMIN_ID, name: expect.any(String) as unknown };

it('a cancelled move: requested, rescheduled by an operator and in Temporal, cancelled, oldest first', async () => {
  const started = await api(harness.app).post(
    '/api/client-site-moves',
    startBody('Dune & Finch', 'LDN-SHO', { moveAt: inHours(2), spaceIds: [spaceIdOf('LDN-SHO', 6)] }),
  );
  expect(started.status).toBe(201);
  const moveId = (started.body as { id: string }).id;
  const move = await waitForMove(moveId, (m) => m.progressSource === 'temporal', 'the workflow to answer');
  const path = `/api/client-site-moves/${moveId}`;

  expect((await api(harness.app).post(`${path}/reschedule`, { moveAt: inHours(3) })).status).toBe(200);
  // Someone on call reschedules in Temporal Web (an update with no operator).
  const inTemporal = inHours(4);
  await harness.temporal.workflow
    .getHandle(move.workflowId, move.runId ?? undefined)
    .executeUpdate(rescheduleUpdate, { args: [inTemporal] });
  expect((await api(harness.app).post(`${path}/cancel`, { reason: 'Client postponed' })).status).toBe(200);
  await waitForMove(moveId, (m) => m.finishedAt !== null, 'the cancellation to be recorded');

  const trail = await eventually(
    async () => {
      const page = await events(moveId);
      return page.items.some((e) => e.actor === 'temporal') ? page : undefined;
    },
    { what: 'the Temporal-side reschedule to reach the trail' },
  );
  const times = trail.items.map((e) => Date.parse(e.at));
  expect(times).toEqual([...times].sort((a, b) => a - b));
  expect(trail.items.map((e) => [e.actor, e.kind, e.action])).toEqual([
    ['operator', 'requested', null],
    ['system', 'scheduled', null],
    ['operator', 'action', 'reschedule'],
    ['temporal', 'action', 'reschedule'],
    ['operator', 'action', 'cancel'],
    ['system', 'finished', null],
  ]);
  expect(trail.items[0]).toMatchObject({ operator });
  expect(trail.items[3]).toMatchObject({ operator: null, summary: `In Temporal: Rescheduled to ${inTemporal}` });
  expect(trail.items[4]).toMatchObject({ operator, summary: stringContaining('Cancelled: “Client postponed”') });
  expect(trail.items[5]).toMatchObject({ phaseTo: 'CANCELLED', summary: 'Move CANCELLED' });

  // Paged: the same list, two at a time.
  const first = await events(moveId, '?limit=2');
  expect(first.page).toEqual({ limit: 2, offset: 0, total: trail.items.length, nextOffset: 2 });
  const second = await events(moveId, '?limit=2&offset=2');
  expect([...first.items, ...second.items].map((e) => e.id)).toEqual(trail.items.slice(0, 4).map((e) => e.id));
  expect((await api(harness.app, ADMIN).get(`${path}/events?limit=0`)).status).toBe(400);
});

it('a rolled-back move: the phases it went through and the operator who rolled it back', async () => {
  const started = await api(harness.app).post(
    '/api/client-site-moves',
    startBody('Evergreen Health', 'LDS-WEL', { tariffId: tariffIdOf('LDS-WEL', 'Premium') }),
  );
  expect(started.status).toBe(201);
  const moveId = (started.body as { id: string }).id;
  await waitForMove(moveId, (m) => m.status === 'NEEDS_ATTENTION', 'the blocked number to stop the move');
  expect((await api(harness.app).post(`/api/client-site-moves/${moveId}/rollback`)).status).toBe(200);
  await waitForMove(moveId, (m) => m.status === 'ROLLED_BACK' && m.finishedAt !== null, 'the rollback to be recorded');

  const { items } = await events(moveId);
  const phases = items.filter((e) => e.kind === 'phase-changed').map((e) => [e.phaseFrom, e.phaseTo]);
  expect(phases).toEqual([
    ['SCHEDULED', 'MOVING'],
    ['MOVING', 'NEEDS_ATTENTION'],
    ['NEEDS_ATTENTION', 'ROLLING_BACK'],
  ]);
  const rollback = items.findIndex((e) => e.action === 'rollback');
  expect(items[rollback]).toMatchObject({ actor: 'operator', operator, kind: 'action' });
  // The decision comes after the move stopped, before the rollback ran and the move ended.
  const stopped = items.findIndex((e) => e.kind === 'phase-changed' && e.phaseTo === 'NEEDS_ATTENTION');
  const rollingBack = items.findIndex((e) => e.kind === 'phase-changed' && e.phaseTo === 'ROLLING_BACK');
  expect(stopped).toBeLessThan(rollback);
  expect(rollback).toBeLessThan(rollingBack);
  expect(items.at(-1)).toEqual(objectContaining({ kind: 'finished', phaseTo: 'ROLLED_BACK', actor: 'system' }));
  expect(items.filter((e) => e.actor === 'temporal')).toEqual([]);
});
