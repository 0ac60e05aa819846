// POST /api/client-site-moves against real PostgreSQL and a real Temporal dev server (no worker:
// the workflows start and wait). Every documented 4xx, the validation field lists, Idempotency-Key,
// racing starts, and "a failed request changes nothing".
import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { MoveSchema, MovesResponse, ProblemSchema } from '../../src/api/schemas';
import { createOperator } from '../../src/api/operators';
import { requestFingerprint } from '../../src/moveService/idempotency';
import { moveWorkflowId, type ClientSiteMoveInput } from '../../src/domain/move';
import {
  ClientIdKey,
  DestinationSiteIdKey,
  MoveIdKey,
  MovePhaseKey,
  SourceSiteIdKey,
} from '../../src/workflows/searchAttributes';
import {
  ADMIN_ID,
  PROBLEM,
  SUPER,
  SUPER_ADMIN_ID,
  anyString,
  api,
  bundleIdOf,
  clientIdOf,
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
  harness = await startApiHarness({ temporal: 'dev-server' });
});
afterAll(() => harness.close());

const inOneDay = () => new Date(Date.now() + 86_400_000).toISOString();
const post = (body: object, token = SUPER) => api(harness.app, token).post('/api/client-site-moves', body);

/** Everything a refused start could have touched. */
async function footprint() {
  const db = harness.db;
  return {
    moves: await db.clientSiteMove.count(),
    tasks: await db.dashboardTask.count(),
    audit: await db.auditEntry.count(),
    clientStatuses: (await db.client.findMany({ select: { id: true, status: true }, orderBy: { id: 'asc' } })).map(
      (c) => `${c.id}:${c.status}`,
    ),
  };
}

function expectProblem(
  res: { status: number; headers: Record<string, string>; body: unknown },
  status: number,
  slug: string,
) {
  expect({ status: res.status, type: (res.body as { type?: string }).type }).toEqual({
    status,
    type: `${PROBLEM}${slug}`,
  });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  // The body is what the spec's Problem schema says it is.
  ProblemSchema.parse(res.body);
  expect(res.body).toMatchObject({ title: anyString(), status, detail: anyString() });
}

describe('a valid start', () => {
  let move: ReturnType<typeof MoveSchema.parse>;

  it('answers 201 with the move and its Location', async () => {
    const moveAt = inOneDay();
    const res = await post(
      startBody('Dune & Finch', 'LDN-SHO', { spaceIds: [spaceIdOf('LDN-SHO', 5)], moveAt, notifyOperatorId: ADMIN_ID }),
    );
    expect(res.status).toBe(201);
    move = MoveSchema.parse(res.body);
    expect(res.headers.location).toBe(`/api/client-site-moves/${move.id}`);
    expect(move).toMatchObject({
      status: 'SCHEDULED',
      workflowId: moveWorkflowId(clientIdOf('Dune & Finch')),
      runId: anyString(),
      moveNow: false,
      scheduledFor: moveAt,
      client: { name: 'Dune & Finch' },
      sourceSite: { code: 'BRS-TQY' },
      destinationSite: { code: 'LDN-SHO' },
      spaces: [{ id: spaceIdOf('LDN-SHO', 5) }],
      notifyOperator: { id: ADMIN_ID },
      requestedBy: { id: SUPER_ADMIN_ID },
    });
  });

  it('records the move row, its TARGET spaces and who asked for it', async () => {
    const row = await harness.db.clientSiteMove.findUniqueOrThrow({
      where: { id: move.id },
      include: { spaces: true },
    });
    expect(row).toMatchObject({ status: 'SCHEDULED', workflowId: move.workflowId, runId: move.runId });
    expect(row.spaces).toEqual([{ moveId: move.id, spaceId: spaceIdOf('LDN-SHO', 5), role: 'TARGET' }]);
    const audit = await harness.db.auditEntry.findMany({ where: { moveId: move.id } });
    expect(audit).toEqual([objectContaining({ action: 'MOVE_REQUESTED', actorOperatorId: SUPER_ADMIN_ID })]);
  });

  it('starts workflow clientSiteMove with the input, search attributes and memo', async () => {
    const handle = harness.temporal.workflow.getHandle(move.workflowId, move.runId!);
    const described = await handle.describe();
    expect(described).toMatchObject({
      type: 'clientSiteMove',
      taskQueue: harness.taskQueue,
      status: { name: 'RUNNING' },
    });
    const attrs = described.typedSearchAttributes;
    expect({
      clientId: attrs.get(ClientIdKey),
      moveId: attrs.get(MoveIdKey),
      source: attrs.get(SourceSiteIdKey),
      destination: attrs.get(DestinationSiteIdKey),
      phase: attrs.get(MovePhaseKey),
    }).toEqual({
      clientId: clientIdOf('Dune & Finch'),
      moveId: move.id,
      source: siteIdOf('BRS-TQY'),
      destination: siteIdOf('LDN-SHO'),
      phase: 'SCHEDULED',
    });
    expect(described.memo).toEqual({ clientName: 'Dune & Finch', moveId: move.id });
    const history = await handle.fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const input = defaultPayloadConverter.fromPayload<ClientSiteMoveInput>(payload!);
    expect(input).toEqual({
      moveId: move.id,
      clientId: clientIdOf('Dune & Finch'),
      clientName: 'Dune & Finch',
      sourceSiteId: siteIdOf('BRS-TQY'),
      destinationSiteId: siteIdOf('LDN-SHO'),
      siteTimeZone: 'Europe/London',
      scheduledFor: move.scheduledFor,
      moveNow: false,
      notify: true,
      batchSize: 50,
      decisionTimeout: '24 hours',
      outageWindow: '30 minutes',
      emailDeliveryWindow: '24 hours',
      moveMaxAhead: '365 days',
    });
  });

  it('shows the client as "Active - move scheduled" with a task at the destination as soon as it answers (no worker here)', async () => {
    // No worker polls this queue: whatever shows here, the start itself wrote.
    const client = await api(harness.app).get(`/api/clients?siteId=${siteIdOf('BRS-TQY')}`);
    expect((client.body as { items: { id: string; status: string }[] }).items).toContainEqual(
      objectContaining({ id: clientIdOf('Dune & Finch'), status: 'ACTIVE_MOVE_SCHEDULED' }),
    );
    const tasks = await api(harness.app).get(`/api/sites/${siteIdOf('LDN-SHO')}/dashboard/tasks?open=true`);
    expect((tasks.body as { items: unknown[] }).items).toEqual([
      objectContaining({
        moveId: move.id,
        phase: 'SCHEDULED',
        open: true,
        title: 'Client site move: Dune & Finch to London Shoreditch',
        progress: objectContaining({ phase: 'SCHEDULED', scheduledFor: move.scheduledFor, currentStep: 'WAITING' }),
      }),
    ]);
  });

  it('serves the move from the database when the workflow does not answer (no worker here)', async () => {
    const res = await api(harness.app).get(`/api/client-site-moves/${move.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: move.id,
      status: 'SCHEDULED',
      progressSource: 'database',
      progress: { phase: 'SCHEDULED', scheduledFor: move.scheduledFor, email: { state: 'PENDING' } },
    });
  });

  it('refuses a second move for the client: 409 naming the active move', async () => {
    const before = await footprint();
    const res = await post(startBody('Dune & Finch', 'MAN-SPF'));
    expectProblem(res, 409, 'active-move-exists');
    expect(res.body).toMatchObject({ activeMoveId: move.id });
    expect(await footprint()).toEqual(before);
  });

  it('answers "now" with a move-now scheduled for the time of the request', async () => {
    const before = Date.now();
    const res = await post(startBody('Cobalt Legal LLP', 'LDS-WEL', { moveAt: 'now' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ moveNow: true, status: 'SCHEDULED' });
    const at = Date.parse((res.body as { scheduledFor: string }).scheduledFor);
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(Date.now());
  });
});

describe('400: the request does not validate', () => {
  const fieldsOf = (body: unknown) => (body as { errors: { field: string; message: string }[] }).errors;

  it('lists every missing field', async () => {
    const res = await post({});
    expectProblem(res, 400, 'validation-failed');
    expect(fieldsOf(res.body)).toEqual(
      // The minute bundle is optional.
      ['clientId', 'destinationSiteId', 'tariffId', 'moveAt'].map((field) => ({
        field,
        message: 'is required',
      })),
    );
  });

  it('names each malformed field, unknown fields included', async () => {
    const res = await post({
      ...startBody('Brightwave Studios', 'MAN-SPF'),
      clientId: 'acme',
      spaceIds: [spaceIdOf('MAN-SPF', 9), 'x', spaceIdOf('MAN-SPF', 9)],
      moveAt: '2030-01-01T10:00:00',
      notifyOperatorId: 42,
      destinationSite: 'MAN-SPF',
    });
    expectProblem(res, 400, 'validation-failed');
    expect(
      fieldsOf(res.body)
        .map((e) => e.field)
        .sort(),
    ).toEqual(['clientId', 'spaceIds.1', 'spaceIds', 'moveAt', 'notifyOperatorId', 'destinationSite'].sort());
    expect(fieldsOf(res.body)).toContainEqual({ field: 'destinationSite', message: 'is not a known field' });
    expect(fieldsOf(res.body)).toContainEqual({ field: 'spaceIds', message: 'must not repeat a space' });
  });

  it('refuses a body that is not an object, not JSON, or not application/json', async () => {
    expectProblem(await post([startBody('Brightwave Studios', 'MAN-SPF')]), 400, 'validation-failed');
    const broken = await api(harness.app)
      .post('/api/client-site-moves')
      .set('Content-Type', 'application/json')
      .send('{"a":');
    expectProblem(broken, 400, 'malformed-json');
    const text = await api(harness.app)
      .post('/api/client-site-moves')
      .set('Content-Type', 'text/plain')
      .send('clientId=1');
    expectProblem(text, 415, 'unsupported-media-type');
  });

  it('refuses a body over the size limit with 413', async () => {
    const res = await post({ ...startBody('Brightwave Studios', 'MAN-SPF'), padding: 'x'.repeat(150_000) });
    expectProblem(res, 413, 'payload-too-large');
  });

  it('refuses a malformed Idempotency-Key and a malformed move id', async () => {
    const key = await post(startBody('Brightwave Studios', 'MAN-SPF')).set('Idempotency-Key', 'has spaces in it');
    expectProblem(key, 400, 'validation-failed');
    expect(fieldsOf(key.body)).toEqual([{ field: 'Idempotency-Key', message: anyString() }]);
    const id = await api(harness.app).get('/api/client-site-moves/not-a-uuid');
    expectProblem(id, 400, 'validation-failed');
    expect(fieldsOf(id.body)).toEqual([{ field: 'id', message: anyString() }]);
  });
});

describe('404 and 422: the request is about things that do not fit', () => {
  let before: Awaited<ReturnType<typeof footprint>>;
  beforeAll(async () => {
    before = await footprint();
  });
  afterAll(async () => {
    // Every refusal below left the data exactly as it was.
    expect(await footprint()).toEqual(before);
  });

  const brightwave = (overrides: Parameters<typeof startBody>[2] = {}) =>
    startBody('Brightwave Studios', 'MAN-SPF', overrides);

  it('404 for an unknown client', async () => {
    expectProblem(await post(brightwave({ clientId: randomUUID() })), 404, 'client-not-found');
  });

  it('422 when the destination is the current site, or does not exist', async () => {
    const same = await post(startBody('Brightwave Studios', 'LDN-SHO'));
    expectProblem(same, 422, 'destination-is-current-site');
    expect(same.body).toMatchObject({ errors: [{ field: 'destinationSiteId' }] });
    const unknown = await post(brightwave({ destinationSiteId: randomUUID() }));
    expectProblem(unknown, 422, 'destination-unknown');
  });

  it('422 naming each tariff, bundle and space that is not at the destination', async () => {
    const res = await post(
      brightwave({
        tariffId: tariffIdOf('BRS-TQY', 'Premium'),
        minuteBundleId: bundleIdOf('LDN-SHO', '500 minutes'),
        spaceIds: [spaceIdOf('MAN-SPF', 9), spaceIdOf('LDS-WEL', 9), randomUUID()],
      }),
    );
    expectProblem(res, 422, 'choice-not-at-destination');
    expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'tariffId',
      'minuteBundleId',
      'spaceIds.1',
      'spaceIds.2',
    ]);
  });

  it('422 for a space another client occupies, or one promised to another move', async () => {
    // MAN-SPF 1 is Cobalt Legal's; LDN-SHO 5 is promised to Dune & Finch's scheduled move.
    const occupied = await post(brightwave({ spaceIds: [spaceIdOf('MAN-SPF', 9), spaceIdOf('MAN-SPF', 1)] }));
    expectProblem(occupied, 422, 'space-occupied');
    expect(occupied.body).toMatchObject({
      errors: [{ field: 'spaceIds.1', message: stringMatching(/occupied/) }],
    });
    const promised = await post(startBody('Evergreen Health', 'LDN-SHO', { spaceIds: [spaceIdOf('LDN-SHO', 5)] }));
    expectProblem(promised, 422, 'space-occupied');
    expect(promised.body).toMatchObject({
      errors: [{ field: 'spaceIds.0', message: stringMatching(/promised/) }],
    });
  });

  it('422 for a time in the past', async () => {
    const res = await post(brightwave({ moveAt: new Date(Date.now() - 60_000).toISOString() }));
    expectProblem(res, 422, 'move-time-in-past');
    expect(res.body).toMatchObject({ errors: [{ field: 'moveAt' }] });
  });

  it('422 for an unknown T2 contact', async () => {
    const res = await post(brightwave({ notifyOperatorId: randomUUID() }));
    expectProblem(res, 422, 'notify-operator-unknown');
  });

  it('422 for a client that is not ACTIVE', async () => {
    const clientId = clientIdOf('Brightwave Studios');
    await harness.db.client.update({ where: { id: clientId }, data: { status: 'INACTIVE' } });
    try {
      expectProblem(await post(brightwave()), 422, 'client-not-active');
    } finally {
      await harness.db.client.update({ where: { id: clientId }, data: { status: 'ACTIVE' } });
    }
  });
});

describe('Idempotency-Key', () => {
  const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const body = () => startBody('Brightwave Studios', 'BRS-TQY', { moveAt: inAMonth });

  it('returns the same move for the same key and body, and makes one', async () => {
    const first = await post(body()).set('Idempotency-Key', 'wizard-finish-1');
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post(body()).set('Idempotency-Key', 'wizard-finish-1');
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.body).toEqual(first.body);
    expect(await harness.db.clientSiteMove.count({ where: { clientId: clientIdOf('Brightwave Studios') } })).toBe(1);
  });

  it('refuses the same key with a different body: 422, naming the move the key made', async () => {
    const first = await post(body()).set('Idempotency-Key', 'wizard-finish-1');
    const other = await post({ ...body(), moveAt: new Date(Date.parse(inAMonth) + 86_400_000).toISOString() }).set(
      'Idempotency-Key',
      'wizard-finish-1',
    );
    expectProblem(other, 422, 'idempotency-key-reused');
    expect(other.body).toMatchObject({ moveId: (first.body as { id: string }).id });
  });

  it('keeps keys per operator', async () => {
    const second = await createOperator(harness.db, {
      name: 'Second Super',
      email: 'second@t2.example',
      role: 'T2_SUPER_ADMIN',
    });
    // Same key, other operator: not a replay, so the client's active move is what stops it.
    const res = await post(body(), second.token).set('Idempotency-Key', 'wizard-finish-1');
    expectProblem(res, 409, 'active-move-exists');
  });
});

describe('racing starts for one client', () => {
  it('give exactly one 201; the others 409, and one row and one workflow exist', async () => {
    const clientId = clientIdOf('Evergreen Health');
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => post(startBody('Evergreen Health', 'LDS-WEL', { moveAt: inOneDay() }))),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const r of responses.filter((r) => r.status === 409)) expectProblem(r, 409, 'active-move-exists');
    const rows = await harness.db.clientSiteMove.findMany({ where: { clientId } });
    expect(rows).toHaveLength(1);
    const described = await harness.temporal.workflow.getHandle(moveWorkflowId(clientId)).describe();
    expect(described.runId).toBe(rows[0]!.runId);
  });
});

describe('Temporal refuses the start', () => {
  it('409 when a workflow for the client already runs; the move row is removed again', async () => {
    const clientId = clientIdOf('Acme Analytics Ltd');
    // Started outside the API (e.g. by hand in Temporal), on a queue no worker polls.
    const squatter = await harness.temporal.workflow.start('clientSiteMove', {
      taskQueue: `nobody-${randomUUID()}`,
      workflowId: moveWorkflowId(clientId),
      args: [{}],
    });
    try {
      const before = await footprint();
      const res = await post(startBody('Acme Analytics Ltd', 'BRS-TQY'));
      expectProblem(res, 409, 'workflow-already-running');
      expect(res.body).toMatchObject({ workflowId: moveWorkflowId(clientId) });
      expect(await footprint()).toEqual(before);
    } finally {
      await squatter.terminate('test over');
    }
  });
});

describe('GET /api/client-site-moves', () => {
  it('lists moves newest first, filtered by status, client and site, in pages', async () => {
    const all = MovesResponse.parse((await api(harness.app).get('/api/client-site-moves')).body);
    expect(all.page.total).toBe(4);
    const created = all.items.map((m) => Date.parse(m.createdAt));
    expect(created).toEqual([...created].sort((a, b) => b - a));

    const byClient = MovesResponse.parse(
      (await api(harness.app).get(`/api/client-site-moves?clientId=${clientIdOf('Dune & Finch')}`)).body,
    );
    expect(byClient.items.map((m) => m.client.name)).toEqual(['Dune & Finch']);

    // From or to LDS-WEL: Cobalt (to) and Evergreen (to).
    const bySite = MovesResponse.parse(
      (await api(harness.app).get(`/api/client-site-moves?siteId=${siteIdOf('LDS-WEL')}`)).body,
    );
    expect(bySite.items.map((m) => m.client.name).sort()).toEqual(['Cobalt Legal LLP', 'Evergreen Health']);

    const none = MovesResponse.parse(
      (await api(harness.app).get('/api/client-site-moves?status=COMPLETED,CANCELLED')).body,
    );
    expect(none.items).toEqual([]);

    const page1 = MovesResponse.parse((await api(harness.app).get('/api/client-site-moves?limit=3')).body);
    expect(page1.page).toEqual({ limit: 3, offset: 0, total: 4, nextOffset: 3 });
    const page2 = MovesResponse.parse((await api(harness.app).get('/api/client-site-moves?limit=3&offset=3')).body);
    expect(page2.page.nextOffset).toBeNull();
    expect([...page1.items, ...page2.items].map((m) => m.id)).toEqual(all.items.map((m) => m.id));
  });

  it('400 for an unknown status, a bad page size or an unknown parameter', async () => {
    const res = await api(harness.app).get('/api/client-site-moves?status=DONE&limit=0&colour=red');
    expectProblem(res, 400, 'validation-failed');
    expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual(
      ['colour', 'limit', 'status.0'].sort(),
    );
  });

  it('404 for a move that does not exist', async () => {
    expectProblem(await api(harness.app).get(`/api/client-site-moves/${randomUUID()}`), 404, 'move-not-found');
  });
});

describe('rate limit on changes, per operator', () => {
  it('429 with Retry-After once an operator spends the budget; others are unaffected', async () => {
    const app = harness.appWith({ rateLimitPerMinute: 2 });
    const invalid = () => api(app).post('/api/client-site-moves', {});
    expect((await invalid()).status).toBe(400);
    expect((await invalid()).status).toBe(400);
    const limited = await invalid();
    expectProblem(limited, 429, 'rate-limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Reads are not limited; another operator has a budget of their own.
    expect((await api(app).get('/api/sites')).status).toBe(200);
    const other = await createOperator(harness.db, {
      name: 'Third Super',
      email: 'third@t2.example',
      role: 'T2_SUPER_ADMIN',
    });
    expect((await api(app, other.token).post('/api/client-site-moves', {})).status).toBe(400);
  });
});

describe('the same Idempotency-Key sent ten times at once', () => {
  it('makes one move: one 201, the others its replay or 409 idempotent-request-in-progress', async () => {
    // With a space: a request that checked it after the first had taken it would be told space-occupied.
    const body = startBody('Acme Analytics Ltd', 'BRS-TQY', {
      moveAt: inOneDay(),
      spaceIds: [spaceIdOf('BRS-TQY', 7)],
    });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        post(body)
          .set('Idempotency-Key', 'double-click')
          .then((res) => res),
      ),
    );
    const made = answers.filter((res) => res.status === 201 && res.headers['idempotent-replayed'] === undefined);
    expect(made).toHaveLength(1);
    const moveId = (made[0]!.body as { id: string }).id;
    for (const res of answers.filter((other) => other !== made[0])) {
      if (res.status === 201) {
        expect(res.headers['idempotent-replayed']).toBe('true');
        expect((res.body as { id: string }).id).toBe(moveId);
      } else {
        expectProblem(res, 409, 'idempotent-request-in-progress');
      }
    }
    expect(await harness.db.clientSiteMove.count({ where: { clientId: body.clientId } })).toBe(1);
  });
});

describe('a move whose start has not finished (no run id yet)', () => {
  it('is read from the database, takes no decisions, and holds its Idempotency-Key', async () => {
    // A client of its own: every demo client has a move by now.
    const client = await harness.db.client.create({
      data: {
        name: 'Zephyr Lettings',
        siteId: siteIdOf('LDN-SHO'),
        tariffId: tariffIdOf('LDN-SHO', 'Standard'),
        minuteBundleId: bundleIdOf('LDN-SHO', '500 minutes'),
      },
    });
    const body = { ...startBody('Zephyr Lettings', 'LDS-WEL'), clientId: client.id };
    const row = await harness.db.clientSiteMove.create({
      data: {
        clientId: body.clientId,
        requestedById: SUPER_ADMIN_ID,
        sourceSiteId: siteIdOf('LDN-SHO'),
        destinationSiteId: body.destinationSiteId,
        tariffId: body.tariffId,
        minuteBundleId: body.minuteBundleId,
        moveNow: true,
        scheduledFor: new Date(),
        workflowId: moveWorkflowId(body.clientId),
        idempotencyKey: 'in-flight',
        requestFingerprint: requestFingerprint({ ...body, spaceIds: [] }),
      },
    });
    // Temporal is up, but the workflow id alone could name another of the client's moves: not asked.
    const read = await api(harness.app).get(`/api/client-site-moves/${row.id}`);
    expect(read.body).toMatchObject({ runId: null, progressSource: 'database', progress: null });
    const cancel = await api(harness.app).post(`/api/client-site-moves/${row.id}/cancel`, { reason: 'x' });
    expectProblem(cancel, 409, 'phase-does-not-allow');
    const replay = await post(body).set('Idempotency-Key', 'in-flight');
    expectProblem(replay, 409, 'idempotent-request-in-progress');
    expect(replay.headers['retry-after']).toBe('1');
    expect(replay.body).toMatchObject({ moveId: row.id });
  });
});
