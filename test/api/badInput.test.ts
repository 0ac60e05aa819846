// "No request ever gets a 500 for bad input": every route in the spec, fed malformed ids, query
// strings, bodies, broken percent-encoding, methods it does not take and move times no calendar
// can store, answers a 4xx problem+json.
import request from 'supertest';
import { SUPER, startApiHarness, startBody, stringMatching, type ApiHarness } from './harness';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'unreachable' });
});
afterAll(() => harness.close());

const BAD_IDS = [
  'x',
  '1',
  '00000000-0000-0000-0000-00000000000g',
  '%E2%9C%93',
  'a'.repeat(300),
  "'; DROP TABLE client; --",
];
const BAD_QUERIES = [
  'limit=-1',
  'limit=abc',
  'limit=1&limit=2',
  'offset=1e999',
  'status=',
  'status[]=SCHEDULED',
  'siteId=%00',
  'open=yes',
  'clientId=1&siteId=2',
  'unknown=1',
];
const BAD_BODIES: { type: string; body: string }[] = [
  { type: 'application/json', body: '' },
  { type: 'application/json', body: 'null' },
  { type: 'application/json', body: '"text"' },
  { type: 'application/json', body: '[]' },
  { type: 'application/json', body: '{"moveAt": {"$gt": ""}}' },
  { type: 'application/json', body: '{"reason": 42, "moveAt": 42}' },
  { type: 'application/json', body: '{"__proto__": {"admin": true}}' },
  { type: 'application/json', body: '{' },
  { type: 'application/json; charset=latin1', body: '{}' },
  { type: 'application/x-www-form-urlencoded', body: 'reason=x' },
];

async function operations() {
  const doc = (await request(harness.app).get('/api/openapi.json')).body as {
    paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
  };
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      method: method as 'get' | 'post',
      path,
      hasPathParams: (op.parameters ?? []).some((p) => p.in === 'path'),
      hasQuery: (op.parameters ?? []).some((p) => p.in === 'query'),
    })),
  );
}

function expectClientError(label: string, res: request.Response) {
  expect({ label, status: res.status >= 400 && res.status < 500 ? '4xx' : res.status }).toEqual({
    label,
    status: '4xx',
  });
  expect({ label, type: res.headers['content-type'] }).toEqual({
    label,
    type: stringMatching(/^application\/problem\+json/),
  });
}

it('answers malformed path ids with 4xx', async () => {
  for (const op of (await operations()).filter((o) => o.hasPathParams)) {
    for (const id of BAD_IDS) {
      const path = op.path.replace(/\{\w+\}/g, id);
      const res = await request(harness.app)[op.method](path).set('Authorization', `Bearer ${SUPER}`).send({});
      expectClientError(`${op.method} ${path.slice(0, 80)}`, res);
    }
  }
});

it('answers malformed query strings with 4xx', async () => {
  for (const op of (await operations()).filter((o) => o.hasQuery)) {
    for (const query of BAD_QUERIES) {
      const path = `${op.path.replace(/\{\w+\}/g, '6ce8f046-cc5a-5ac4-b187-843cde7438a8')}?${query}`;
      const res = await request(harness.app)[op.method](path).set('Authorization', `Bearer ${SUPER}`);
      expectClientError(`${op.method} ${path}`, res);
    }
  }
});

it('answers malformed bodies with 4xx', async () => {
  for (const op of (await operations()).filter((o) => o.method === 'post')) {
    for (const { type, body } of BAD_BODIES) {
      const path = op.path.replace(/\{\w+\}/g, '6ce8f046-cc5a-5ac4-b187-843cde7438a8');
      const res = await request(harness.app)
        .post(path)
        .set('Authorization', `Bearer ${SUPER}`)
        .set('Content-Type', type)
        .send(body);
      expectClientError(`${path} ${type} ${body}`, res);
    }
  }
  expect(await harness.db.clientSiteMove.count()).toBe(0);
});

const BROKEN_ENCODINGS = ['%E0%A4%A', '%', '%ZZ', '%FF'];

it('answers invalid percent-encoding in a path parameter with 400, on every route, logged as a client error', async () => {
  const ops = (await operations()).filter((o) => o.hasPathParams);
  expect(ops.length).toBeGreaterThanOrEqual(9);
  harness.logs.lines.length = 0;
  for (const op of ops) {
    for (const broken of BROKEN_ENCODINGS) {
      for (const token of [SUPER, null]) {
        const path = op.path.replace(/\{\w+\}/g, broken);
        const req = request(harness.app)[op.method](path);
        const res = await (token ? req.set('Authorization', `Bearer ${token}`) : req);
        expect({ path, status: res.status, type: (res.body as { type?: string }).type }).toEqual({
          path,
          status: 400,
          type: 'urn:connect-site-move:problem:validation-failed',
        });
        expectClientError(`${op.method} ${path}`, res);
      }
    }
  }
  // pino: 50 is error. A client's mistake is a warning, never an error with a stack trace.
  expect(harness.logs.lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
});

it('answers a method a path does not take with 405 and Allow, on every path', async () => {
  const byPath = new Map<string, string[]>();
  for (const op of await operations()) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op.method.toUpperCase()]);
  for (const [path, methods] of byPath) {
    const url = path.replace(/\{\w+\}/g, '6ce8f046-cc5a-5ac4-b187-843cde7438a8');
    for (const method of ['put', 'patch', 'delete', 'trace', 'post', 'get'] as const) {
      if (methods.includes(method.toUpperCase())) continue;
      const res = await request(harness.app)[method](url).set('Authorization', `Bearer ${SUPER}`);
      expect({ url, method, status: res.status }).toEqual({ url, method, status: 405 });
      expectClientError(`${method} ${url}`, res);
      const allow = methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]));
      expect(res.headers.allow?.split(', ').sort()).toEqual(allow.sort());
    }
  }
});

describe('move times', () => {
  const farAhead = () => new Date(Date.now() + 366 * 86_400_000).toISOString();
  const someMove = '/api/client-site-moves/6ce8f046-cc5a-5ac4-b187-843cde7438a8';

  it.each([
    ['past year 9999 in UTC', '9999-12-31T23:59:59-23:59'],
    ['more than MOVE_MAX_AHEAD ahead', 'far ahead'],
  ])('refuses a start or a reschedule %s with 400 naming moveAt', async (_label, given) => {
    const moveAt = given === 'far ahead' ? farAhead() : given;
    const start = await request(harness.app)
      .post('/api/client-site-moves')
      .set('Authorization', `Bearer ${SUPER}`)
      .send(startBody('Dune & Finch', 'LDN-SHO', { moveAt }));
    const reschedule = await request(harness.app)
      .post(`${someMove}/reschedule`)
      .set('Authorization', `Bearer ${SUPER}`)
      .send({ moveAt });
    for (const res of [start, reschedule]) {
      expect({ status: res.status, body: res.body as unknown }).toMatchObject({
        status: 400,
        body: { type: 'urn:connect-site-move:problem:validation-failed', errors: [{ field: 'moveAt' }] },
      });
      expect((res.body as { errors: { message: string }[] }).errors[0]!.message).toBe('must be at most 365 days ahead');
    }
    expect(await harness.db.clientSiteMove.count()).toBe(0);
  });

  it('takes a time up to the horizon', async () => {
    const res = await request(harness.app)
      .post(`${someMove}/reschedule`)
      .set('Authorization', `Bearer ${SUPER}`)
      .send({ moveAt: new Date(Date.now() + 364 * 86_400_000).toISOString() });
    // Past validation: there is no such move.
    expect(res.status).toBe(404);
  });
});
