// End to end through the API: real app, real PostgreSQL, a real Temporal dev server and a real
// worker running the real activities, mail to a local SendGrid sink. The wizard flow to COMPLETED,
// a scheduled move rescheduled and cancelled, move-now, and a move held in NEEDS_ATTENTION by a
// blocked number, rolled back, then retried after the number is unblocked.
import {
  MoveDetailSchema,
  MoveOptionsResponse,
  MovePreviewResponse,
  TasksResponse,
  type MoveDetail,
} from '../../src/api/schemas';
import type { MovePhase } from '../../src/domain/move';
import { UNSTARTED_GRACE_MS } from '../../src/moveService/settleUnstartedMove';
import { clientState, insertMove, itemProgressOf } from '../support/moveFixtures';
import {
  ADMIN,
  ADMIN_ID,
  PROBLEM,
  SUPER_ADMIN_ID,
  anyString,
  api,
  bundleIdOf,
  clientIdOf,
  eventually,
  objectContaining,
  siteIdOf,
  spaceIdOf,
  startApiHarness,
  startBody,
  stringMatching,
  tariffIdOf,
  type ApiHarness,
} from './harness';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'dev-server', worker: true });
});
afterAll(() => harness.close());

const getMove = async (id: string): Promise<MoveDetail> => {
  const res = await api(harness.app, ADMIN).get(`/api/client-site-moves/${id}`);
  expect(res.status).toBe(200);
  return MoveDetailSchema.parse(res.body);
};

/** Polls the move (every 100 ms) until `done` holds; returns it, and every phase seen on the way. */
async function pollMove(id: string, done: (m: MoveDetail) => boolean, what: string) {
  const seen: MovePhase[] = [];
  const move = await eventually(
    async () => {
      const m = await getMove(id);
      if (seen.at(-1) !== m.status) seen.push(m.status);
      return done(m) ? m : undefined;
    },
    { what, timeoutMs: 90_000 },
  );
  return { move, seen };
}

const inHours = (n: number) => new Date(Date.now() + n * 3_600_000).toISOString();

/** Waits for the move's workflow run to close (it may still be sending mail after the move is final). */
const workflowClosed = (m: { workflowId: string; runId: string | null }) =>
  harness.temporal.workflow.getHandle(m.workflowId, m.runId ?? undefined).result();

it('the wizard flow: options, preview, start now, progress to COMPLETED, the dashboard task shows it', async () => {
  const clientId = clientIdOf('Brightwave Studios');
  const options = MoveOptionsResponse.parse(
    (await api(harness.app).get(`/api/clients/${clientId}/site-move/options`)).body,
  );
  const manchester = options.destinations.find((d) => d.site.code === 'MAN-SPF')!;
  const tariff = manchester.tariffs.find((t) => t.name === 'Premium')!;
  const bundle = manchester.minuteBundles.find((b) => b.minutes === 2_000)!;
  const space = manchester.vacantSpaces[0]!;
  const contact = options.notifyContacts.find((c) => c.id === ADMIN_ID)!;

  const preview = MovePreviewResponse.parse(
    (await api(harness.app).get(`/api/clients/${clientId}/site-move/preview`)).body,
  );
  // The preview counts what a move would carry: the client's data as it is now.
  const everything = await itemProgressOf(harness.db, clientId, 'all');
  expect([preview.users.count, preview.phoneNumbers.count, preview.services.count]).toEqual([
    everything.users.total,
    everything.phoneNumbers.total,
    everything.services.total,
  ]);

  const started = await api(harness.app).post('/api/client-site-moves', {
    clientId,
    destinationSiteId: manchester.site.id,
    tariffId: tariff.id,
    minuteBundleId: bundle.id,
    spaceIds: [space.id],
    moveAt: 'now',
    notifyOperatorId: contact.id,
  });
  expect(started.status).toBe(201);
  const moveId = (started.body as { id: string }).id;

  const { move, seen } = await pollMove(moveId, (m) => m.status === 'COMPLETED', 'the move to complete');
  expect(seen.at(-1)).toBe('COMPLETED');
  expect(move.progress!.items).toEqual(everything);
  // The confirmation email goes after the move is final.
  const mailed = await pollMove(moveId, (m) => m.progress?.email.state === 'SENT', 'the email to be sent');
  expect(mailed.move.progress!.finishedAt).not.toBeNull();
  expect(harness.mailSink!.messages().filter((m) => m.to.includes(contact.email))).toHaveLength(1);

  const tasks = TasksResponse.parse(
    (await api(harness.app, ADMIN).get(`/api/sites/${manchester.site.id}/dashboard/tasks`)).body,
  );
  expect(tasks.items).toEqual([objectContaining({ moveId, phase: 'COMPLETED', open: false, closedAt: anyString() })]);
  expect(tasks.items[0]!.progress).toMatchObject({ phase: 'COMPLETED', items: move.progress!.items });

  const after = await clientState(harness.db, clientId);
  expect(after.client).toMatchObject({
    siteId: manchester.site.id,
    tariffId: tariff.id,
    minuteBundleId: bundle.id,
    status: 'ACTIVE',
  });
  expect(after.spaceIds).toEqual([space.id]);
  expect(new Set(after.users.map((u) => u.siteId))).toEqual(new Set([manchester.site.id]));
  expect(new Set(after.phoneNumbers.map((n) => n.siteId))).toEqual(new Set([manchester.site.id]));
  expect(after.services.filter((s) => s.status === 'ACTIVE').map((s) => s.siteId)).toEqual(
    Array(6).fill(manchester.site.id),
  );

  // A finished move takes no more decisions.
  await workflowClosed(move);
  const late = await api(harness.app).post(`/api/client-site-moves/${moveId}/cancel`, { reason: 'too late' });
  expect(late.status).toBe(409);
  expect(late.body).toMatchObject({ type: `${PROBLEM}move-finished` });
});

it('a scheduled move: rescheduled, refused what its phase does not allow, then cancelled', async () => {
  const clientId = clientIdOf('Dune & Finch');
  const before = await clientState(harness.db, clientId);
  const started = await api(harness.app).post(
    '/api/client-site-moves',
    startBody('Dune & Finch', 'LDN-SHO', {
      moveAt: inHours(2),
      spaceIds: [spaceIdOf('LDN-SHO', 6)],
    }),
  );
  expect(started.status).toBe(201);
  const moveId = (started.body as { id: string }).id;
  const path = `/api/client-site-moves/${moveId}`;

  // Scheduled: "Active - move scheduled" and a task at the destination.
  await eventually(
    async () =>
      (await harness.db.client.findUniqueOrThrow({ where: { id: clientId } })).status === 'ACTIVE_MOVE_SCHEDULED' ||
      undefined,
    { what: 'the client to show "Active - move scheduled"' },
  );
  const waiting = await getMove(moveId);
  expect(waiting).toMatchObject({
    status: 'SCHEDULED',
    progressSource: 'temporal',
    progress: { currentStep: 'WAITING' },
  });
  const tasks = TasksResponse.parse(
    (await api(harness.app).get(`/api/sites/${siteIdOf('LDN-SHO')}/dashboard/tasks?open=true`)).body,
  );
  expect(tasks.items).toEqual([objectContaining({ moveId, phase: 'SCHEDULED', progressSource: 'temporal' })]);

  // The workflow judges the time; the API reports its reason against the field.
  const past = await api(harness.app).post(`${path}/reschedule`, { moveAt: '2020-01-01T09:00:00Z' });
  expect(past.status).toBe(422);
  expect(past.body).toMatchObject({
    type: `${PROBLEM}invalid-move-time`,
    errors: [{ field: 'moveAt', message: stringMatching(/not in the future/) }],
  });
  const malformed = await api(harness.app).post(`${path}/reschedule`, { moveAt: 'tomorrow' });
  expect(malformed.status).toBe(400);

  const newTime = inHours(3);
  const rescheduled = await api(harness.app).post(`${path}/reschedule`, { moveAt: newTime });
  expect(rescheduled.status).toBe(200);
  expect(MoveDetailSchema.parse(rescheduled.body)).toMatchObject({ status: 'SCHEDULED', scheduledFor: newTime });
  // The update answers once the workflow has mirrored the new time to the database.
  expect(
    (await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: moveId } })).scheduledFor.toISOString(),
  ).toBe(newTime);

  for (const action of ['retry', 'rollback'] as const) {
    const res = await api(harness.app).post(`${path}/${action}`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      type: `${PROBLEM}phase-does-not-allow`,
      detail: `Cannot ${action} a move that is SCHEDULED`,
    });
  }
  // The reason's bounds are the schema's: bad input stops at 400, before any round trip to the workflow.
  for (const reason of ['', '   ', 'x'.repeat(501)]) {
    const bad = await api(harness.app).post(`${path}/cancel`, { reason });
    expect({ status: bad.status, body: bad.body as unknown }).toMatchObject({
      status: 400,
      body: { type: `${PROBLEM}validation-failed`, errors: [{ field: 'reason' }] },
    });
  }
  expect((await api(harness.app).post(`${path}/cancel`, {})).status).toBe(400);

  const cancelled = await api(harness.app).post(`${path}/cancel`, { reason: 'Client postponed the move' });
  expect(cancelled.status).toBe(200);
  expect(MoveDetailSchema.parse(cancelled.body)).toMatchObject({
    status: 'CANCELLED',
    progress: { cancelReason: 'Client postponed the move' },
  });
  const final = await pollMove(moveId, (m) => m.finishedAt !== null, 'the cancellation to be recorded');
  expect(final.move).toMatchObject({ status: 'CANCELLED', cancelReason: 'Client postponed the move' });

  // Nothing moved; the client is as it was.
  expect(await clientState(harness.db, clientId)).toEqual(before);
  const task = await harness.db.dashboardTask.findUniqueOrThrow({ where: { moveId } });
  expect(task).toMatchObject({ phase: 'CANCELLED', open: false });
  const audit = await harness.db.auditEntry.findMany({
    where: { moveId, actorOperatorId: SUPER_ADMIN_ID },
    orderBy: { id: 'asc' },
  });
  expect(audit.map((a) => a.action)).toEqual(['MOVE_REQUESTED', 'OPERATOR_RESCHEDULE', 'OPERATOR_CANCEL']);

  await workflowClosed(final.move);
  expect((await api(harness.app).post(`${path}/cancel`, { reason: 'again' })).status).toBe(409);
});

it('move-now: a scheduled move runs at once and completes', async () => {
  const everything = await itemProgressOf(harness.db, clientIdOf('Cobalt Legal LLP'), 'all');
  const started = await api(harness.app).post(
    '/api/client-site-moves',
    startBody('Cobalt Legal LLP', 'LDS-WEL', {
      moveAt: inHours(24),
      tariffId: tariffIdOf('LDS-WEL', 'Premium'),
      minuteBundleId: bundleIdOf('LDS-WEL', '2,000 minutes'),
    }),
  );
  expect(started.status).toBe(201);
  const moveId = (started.body as { id: string }).id;
  await pollMove(moveId, (m) => m.progressSource === 'temporal', 'the workflow to answer');
  const now = await api(harness.app).post(`/api/client-site-moves/${moveId}/move-now`);
  expect(now.status).toBe(200);
  // It answers once the move has left SCHEDULED.
  expect(MoveDetailSchema.parse(now.body).status).not.toBe('SCHEDULED');
  const { move } = await pollMove(
    moveId,
    (m) => m.status === 'COMPLETED' && m.finishedAt !== null,
    'the move to complete and be recorded',
  );
  expect(move.progress!.items).toEqual(everything);
  expect((await harness.db.client.findUniqueOrThrow({ where: { id: clientIdOf('Cobalt Legal LLP') } })).siteId).toBe(
    siteIdOf('LDS-WEL'),
  );
});

it('a move that never started: cancelled, and its contact emailed like after any final phase', async () => {
  // Recorded, never started (the API died in between), with the demo T2 Admin to tell.
  const stale = await insertMove(harness.db, { client: 'Gale & Moss', to: 'LDN-SHO', notify: true });
  await harness.db.clientSiteMove.update({
    where: { id: stale.moveId },
    data: { createdAt: new Date(Date.now() - UNSTARTED_GRACE_MS - 5_000) },
  });
  const res = await api(harness.app).post(`/api/client-site-moves/${stale.moveId}/cancel`, {
    reason: 'client changed plans',
  });
  expect(res.status).toBe(200);
  expect((await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: stale.moveId } })).status).toBe('CANCELLED');
  const contact = await harness.db.operator.findUniqueOrThrow({ where: { id: ADMIN_ID } });
  await eventually(
    async () => {
      const rows = await harness.db.emailOutbox.findMany({ where: { moveId: stale.moveId } });
      return rows.length === 1 && rows[0]!.status === 'SENT' ? rows : undefined;
    },
    { what: 'the cancellation email to be sent' },
  );
  const sent = harness.mailSink!.messages().filter((m) => m.subject.includes('Gale & Moss'));
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatchObject({ to: [contact.email], subject: stringMatching(/cancel/i) });
});

describe('a move held in NEEDS_ATTENTION by a blocked phone number', () => {
  const clientId = clientIdOf('Evergreen Health');

  async function startAndWaitForAttention(to: string) {
    const started = await api(harness.app).post(
      '/api/client-site-moves',
      startBody('Evergreen Health', to, {
        tariffId: tariffIdOf(to, 'Premium'),
        notifyOperatorId: ADMIN_ID,
      }),
    );
    expect(started.status).toBe(201);
    const moveId = (started.body as { id: string }).id;
    const { move } = await pollMove(moveId, (m) => m.status === 'NEEDS_ATTENTION', 'the move to need attention');
    expect(move.progress!.lastError).toMatchObject({
      type: 'PhoneNumberBlocked',
      nonRetryable: true,
      item: { kind: 'PHONE_NUMBER' },
    });
    expect(move.progress!.decisionDeadline).not.toBeNull();
    const tasks = TasksResponse.parse(
      (await api(harness.app).get(`/api/sites/${siteIdOf(to)}/dashboard/tasks?open=true`)).body,
    );
    expect(tasks.items).toEqual([objectContaining({ moveId, phase: 'NEEDS_ATTENTION' })]);
    return move;
  }

  it('rollback: the client is back at its source site exactly as it was', async () => {
    const before = await clientState(harness.db, clientId);
    const move = await startAndWaitForAttention('LDS-WEL');
    const path = `/api/client-site-moves/${move.id}`;

    const cancel = await api(harness.app).post(`${path}/cancel`, { reason: 'not now' });
    expect(cancel.status).toBe(409);
    expect(cancel.body).toMatchObject({ type: `${PROBLEM}phase-does-not-allow` });
    expect((await api(harness.app, ADMIN).post(`${path}/rollback`)).status).toBe(403);

    const rollback = await api(harness.app).post(`${path}/rollback`);
    expect(rollback.status).toBe(200);
    expect(['ROLLING_BACK', 'ROLLED_BACK']).toContain(MoveDetailSchema.parse(rollback.body).status);
    const { move: done } = await pollMove(move.id, (m) => m.status === 'ROLLED_BACK', 'the rollback to finish');
    expect(done.progress!.needsHuman).toEqual([]);

    await workflowClosed(done);
    expect(await clientState(harness.db, clientId)).toEqual(before);
    // The outcome email follows, delivered by its own workflow; the move shows when it is sent.
    await pollMove(move.id, (m) => m.progress?.email.state === 'SENT', 'the email to be sent');
    expect(harness.mailSink!.messages().filter((m) => m.subject.includes('Evergreen'))).toHaveLength(1);
  });

  it('retry: once the number is unblocked, the move completes', async () => {
    const move = await startAndWaitForAttention('BRS-TQY');
    const blocked = await harness.db.phoneNumber.findFirstOrThrow({ where: { clientId, status: 'BLOCKED' } });
    expect(move.progress!.lastError!.item!.id).toBe(blocked.id);
    await harness.db.phoneNumber.update({ where: { id: blocked.id }, data: { status: 'ACTIVE' } });

    const retry = await api(harness.app).post(`/api/client-site-moves/${move.id}/retry`, {});
    expect(retry.status).toBe(200);
    expect(MoveDetailSchema.parse(retry.body).status).not.toBe('NEEDS_ATTENTION');
    // Live status turns COMPLETED a moment before the workflow's final bookkeeping reaches the database.
    const { move: done } = await pollMove(
      move.id,
      (m) => m.status === 'COMPLETED' && m.finishedAt !== null,
      'the retried move to complete and be recorded',
    );
    expect(done.progress!.items.phoneNumbers).toEqual({ total: 80, done: 80 });
    const after = await clientState(harness.db, clientId);
    expect(after.client).toMatchObject({ siteId: siteIdOf('BRS-TQY'), status: 'ACTIVE' });
    expect(new Set(after.phoneNumbers.map((n) => n.siteId))).toEqual(new Set([siteIdOf('BRS-TQY')]));
    const audit = await harness.db.auditEntry.findMany({ where: { moveId: move.id, actorOperatorId: SUPER_ADMIN_ID } });
    expect(audit.map((a) => a.action).sort()).toEqual(['MOVE_REQUESTED', 'OPERATOR_RETRY']);
  });
});
