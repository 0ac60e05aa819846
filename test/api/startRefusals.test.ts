// POST /api/client-site-moves that is refused: every 400 names its fields, every 404 and 422 says
// why, and a refused request leaves the data exactly as it was. Real PostgreSQL and Temporal.
import { randomUUID } from 'node:crypto';
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
