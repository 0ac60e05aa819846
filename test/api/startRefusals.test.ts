// POST /api/client-site-moves that is refused: every 400 names its fields, every 404 and 422 says
// why, and a refused request leaves the data exactly as it was. Real PostgreSQL and Temporal.
import { randomUUID } from 'node:crypto';
import { StartCheckResponse } from '../../src/api/schemas';
import {
  SUPER,
  anyString,
  api,
  bundleIdOf,
  clientIdOf,
  expectProblem,
  footprint as footprintOf,
  inOneDay,
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

const post = (body: object, token = SUPER) => api(harness.app, token).post('/api/client-site-moves', body);
const footprint = () => footprintOf(harness.db);

beforeAll(async () => {
  // A scheduled move that has promised LDN-SHO space 5 (for "promised to another move").
  const promised = await post(
    startBody('Dune & Finch', 'LDN-SHO', { spaceIds: [spaceIdOf('LDN-SHO', 5)], moveAt: inOneDay() }),
  );
  expect(promised.status).toBe(201);
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
    // MAN-SPF 1 is Cobalt Legal's; LDN-SHO 5 is promised to Dune & Finch's scheduled move (beforeAll).
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

describe('the check and the start agree on every refusal (one table, run through both)', () => {
  type Case = { name: string; body: () => object; status: number; type: string; fields: string[] };
  const brightwave = (overrides: object = {}) => ({ ...startBody('Brightwave Studios', 'MAN-SPF'), ...overrides });
  const cases: Case[] = [
    {
      name: 'unknown client',
      body: () => brightwave({ clientId: randomUUID() }),
      status: 404,
      type: 'client-not-found',
      fields: [],
    },
    {
      name: 'a client with a move already',
      body: () => startBody('Dune & Finch', 'MAN-SPF'),
      status: 409,
      type: 'active-move-exists',
      fields: [],
    },
    {
      name: 'the current site',
      body: () => startBody('Brightwave Studios', 'LDN-SHO'),
      status: 422,
      type: 'destination-is-current-site',
      fields: ['destinationSiteId'],
    },
    {
      name: 'an unknown destination',
      body: () => brightwave({ destinationSiteId: randomUUID() }),
      status: 422,
      type: 'destination-unknown',
      fields: ['destinationSiteId'],
    },
    {
      name: 'choices from elsewhere',
      body: () =>
        brightwave({
          tariffId: tariffIdOf('BRS-TQY', 'Premium'),
          minuteBundleId: bundleIdOf('LDN-SHO', '500 minutes'),
          spaceIds: [spaceIdOf('MAN-SPF', 9), spaceIdOf('LDS-WEL', 9)],
        }),
      status: 422,
      type: 'choice-not-at-destination',
      fields: ['tariffId', 'minuteBundleId', 'spaceIds.1'],
    },
    {
      name: 'an occupied space',
      body: () => brightwave({ spaceIds: [spaceIdOf('MAN-SPF', 1)] }),
      status: 422,
      type: 'space-occupied',
      fields: ['spaceIds.0'],
    },
    {
      name: 'a space promised to another move',
      body: () => startBody('Evergreen Health', 'LDN-SHO', { spaceIds: [spaceIdOf('LDN-SHO', 5)] }),
      status: 422,
      type: 'space-occupied',
      fields: ['spaceIds.0'],
    },
    {
      name: 'a time in the past',
      body: () => brightwave({ moveAt: new Date(Date.now() - 60_000).toISOString() }),
      status: 422,
      type: 'move-time-in-past',
      fields: ['moveAt'],
    },
    {
      name: "a local time in another zone than the destination's",
      body: () => brightwave({ moveAt: `${inOneDay().slice(0, 10)}T09:00`, timeZone: 'Europe/Amsterdam' }),
      status: 422,
      type: 'invalid-local-time',
      fields: ['timeZone'],
    },
    {
      name: 'an unknown T2 contact',
      body: () => brightwave({ notifyOperatorId: randomUUID() }),
      status: 422,
      type: 'notify-operator-unknown',
      fields: ['notifyOperatorId'],
    },
  ];

  it.each(cases)('$name: the check lists it, the start refuses it', async ({ body, status, type, fields }) => {
    const request = body();
    const check = await api(harness.app).post('/api/client-site-moves/check', request);
    expect(check.status).toBe(200);
    const found = StartCheckResponse.parse(check.body);
    expect(found.ok).toBe(false);
    expect(found.problems[0]?.type).toBe(type);
    expect(found.problems.filter((p) => p.type === type).map((p) => p.field ?? undefined)).toEqual(
      fields.length > 0 ? fields : [undefined],
    );

    const start = await post(request);
    expectProblem(start, status, type);
    expect(((start.body as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field)).toEqual(fields);
  });

  it('a client that is not ACTIVE', async () => {
    const clientId = clientIdOf('Brightwave Studios');
    await harness.db.client.update({ where: { id: clientId }, data: { status: 'INACTIVE' } });
    try {
      const check = StartCheckResponse.parse(
        (await api(harness.app).post('/api/client-site-moves/check', brightwave())).body,
      );
      expect(check.problems.map((p) => p.type)).toEqual(['client-not-active']);
      expectProblem(await post(brightwave()), 422, 'client-not-active');
    } finally {
      await harness.db.client.update({ where: { id: clientId }, data: { status: 'ACTIVE' } });
    }
  });

  it('several problems at once: the check lists them all, the start refuses the first', async () => {
    const request = brightwave({
      tariffId: tariffIdOf('BRS-TQY', 'Premium'),
      moveAt: new Date(Date.now() - 60_000).toISOString(),
      notifyOperatorId: randomUUID(),
    });
    const check = StartCheckResponse.parse((await api(harness.app).post('/api/client-site-moves/check', request)).body);
    expect(check.problems.map((p) => p.type)).toEqual([
      'choice-not-at-destination',
      'move-time-in-past',
      'notify-operator-unknown',
    ]);
    expectProblem(await post(request), 422, 'choice-not-at-destination');
  });

  it('a request the start accepts, the check calls ok, and the check wrote nothing', async () => {
    const request = startBody('Cobalt Legal LLP', 'LDS-WEL', { moveAt: inOneDay() });
    const before = await footprint();
    const check = StartCheckResponse.parse((await api(harness.app).post('/api/client-site-moves/check', request)).body);
    expect(check).toMatchObject({ ok: true, problems: [] });
    expect(await footprint()).toEqual(before);
    expect((await post(request)).status).toBe(201);
    // The same request again: now the start and the check both meet the move just recorded.
    const again = StartCheckResponse.parse((await api(harness.app).post('/api/client-site-moves/check', request)).body);
    expect(again.problems.map((p) => p.type)).toEqual(['active-move-exists']);
    expectProblem(await post(request), 409, 'active-move-exists');
  });

  it("a review the client has outgrown is a warning of the check; an unknown client's review is not compared", async () => {
    const stale = { count: 1, digest: '0'.repeat(32) };
    const reviewed = { users: stale, phoneNumbers: stale, services: stale };
    const request = { ...startBody('Cobalt Legal LLP', 'LDS-WEL', { moveAt: inOneDay() }), reviewed };
    const check = StartCheckResponse.parse((await api(harness.app).post('/api/client-site-moves/check', request)).body);
    expect(check.warnings.filter((w) => w.type === 'changed-since-review').map((w) => w.field)).toEqual([
      'reviewed.users',
      'reviewed.phoneNumbers',
      'reviewed.services',
    ]);
    const unknown = { ...request, clientId: randomUUID() };
    const res = await api(harness.app).post('/api/client-site-moves/check', unknown);
    expect(res.status).toBe(200);
    const forUnknown = StartCheckResponse.parse(res.body);
    expect(forUnknown.ok).toBe(false);
    expect(forUnknown.warnings.filter((w) => w.type === 'changed-since-review')).toEqual([]);
  });

  it('a bad body is a 400 on both, naming the same fields', async () => {
    const request = { ...brightwave(), clientId: 'acme', moveAt: 'soon' };
    const check = await api(harness.app).post('/api/client-site-moves/check', request);
    const start = await post(request);
    expectProblem(check, 400, 'validation-failed');
    expectProblem(start, 400, 'validation-failed');
    const errors = (res: { body: unknown }) => (res.body as { errors: unknown }).errors;
    expect(errors(check)).toEqual(errors(start));
    expect(errors(check)).toHaveLength(2);
  });
});
