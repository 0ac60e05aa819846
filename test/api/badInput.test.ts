// "No request ever gets a 500 for bad input": every route in the spec, fed malformed ids, query
// strings and bodies, answers a 4xx problem+json.
import request from 'supertest';
import { SUPER, startApiHarness, stringMatching, type ApiHarness } from './harness';

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
