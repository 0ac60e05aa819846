// Reading the list of moves (filters, paging, newest first), and the rate limit on changes.
import { randomUUID } from 'node:crypto';
import { MovesResponse } from '../../src/api/schemas';
import { createOperator } from '../../src/api/operators';
import {
  SUPER,
  api,
  clientIdOf,
  expectProblem,
  inOneDay,
  siteIdOf,
  startApiHarness,
  startBody,
  type ApiHarness,
} from './harness';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'dev-server' });
});
afterAll(() => harness.close());

const post = (body: object, token = SUPER) => api(harness.app, token).post('/api/client-site-moves', body);

describe('GET /api/client-site-moves', () => {
  beforeAll(async () => {
    // Four scheduled moves, one after the other (so "newest first" has an order to keep).
    for (const [client, to] of [
      ['Dune & Finch', 'LDN-SHO'],
      ['Cobalt Legal LLP', 'LDS-WEL'],
      ['Evergreen Health', 'LDS-WEL'],
      ['Brightwave Studios', 'MAN-SPF'],
    ] as const) {
      expect((await post(startBody(client, to, { moveAt: inOneDay() }))).status).toBe(201);
    }
  });

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
