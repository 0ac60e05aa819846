// Authentication and authorization on every route the spec lists: no token or an unknown one is 401,
// a T2_ADMIN may read but gets 403 on every change, and a refused request changes nothing.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createOperator } from '../../src/api/operators';
import { DEMO_TOKENS } from '../../src/domain/tokens';
import { ADMIN, PROBLEM, SUPER, anyString, api, startApiHarness, startBody, type ApiHarness } from './harness';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'unreachable' });
});
afterAll(() => harness.close());

interface Operation {
  method: 'get' | 'post';
  path: string;
  secured: boolean;
  /** Starts or changes a move: a T2 Super Admin's alone. */
  mutating: boolean;
}

/** A POST that writes nothing (the wizard's check before Finish): anyone signed in may ask it. */
const CHECK = '/api/client-site-moves/check';

async function operations(): Promise<Operation[]> {
  const doc = (await request(harness.app).get('/api/openapi.json')).body as {
    paths: Record<string, Record<string, { security?: unknown[] }>>;
  };
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => {
      const secured = (op.security ?? []).length > 0;
      return {
        method: method as 'get' | 'post',
        // Any well-formed id: authentication comes before the lookup.
        path: path.replace(/\{\w+\}/g, randomUUID()),
        secured,
        mutating: secured && method === 'post' && path !== CHECK,
      };
    }),
  );
}

/** A body the route would accept, so a 401 or 403 is about the caller, not the input. */
function validBody(path: string): object {
  if (path === '/api/client-site-moves' || path === CHECK) return startBody('Dune & Finch', 'LDN-SHO');
  if (path.endsWith('/cancel')) return { reason: 'client changed plans' };
  if (path.endsWith('/reschedule')) return { moveAt: new Date(Date.now() + 86_400_000).toISOString() };
  return {};
}

function send(op: Operation, token: string | null) {
  const r =
    op.method === 'get'
      ? request(harness.app).get(op.path)
      : request(harness.app).post(op.path).send(validBody(op.path));
  return token === null ? r : r.set('Authorization', token);
}

it('covers the six mutating routes, the check and the nine reads', async () => {
  const ops = await operations();
  expect(ops.filter((o) => o.mutating)).toHaveLength(6);
  expect(ops.filter((o) => o.secured && o.method === 'post' && !o.mutating).map((o) => o.path)).toEqual([CHECK]);
  expect(ops.filter((o) => o.secured && o.method === 'get')).toHaveLength(9);
});

it('answers 401 problem+json with a Bearer challenge to every secured route without a valid token', async () => {
  for (const op of (await operations()).filter((o) => o.secured)) {
    for (const token of [
      null,
      'Bearer not-a-real-token',
      'Basic ZGV2LWFkbWluOg==',
      'Bearer',
      `Bearer ${ADMIN} extra`,
    ]) {
      const res = await send(op, token);
      expect({ op: `${op.method} ${op.path}`, token, status: res.status }).toEqual({
        op: `${op.method} ${op.path}`,
        token,
        status: 401,
      });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="connect-site-move"/);
      expect(res.body).toMatchObject({ type: `${PROBLEM}unauthorized`, status: 401, title: anyString() });
    }
  }
});

it('answers 403 to a T2_ADMIN on every mutating route, and lets them read', async () => {
  for (const op of (await operations()).filter((o) => o.secured)) {
    const res = await send(op, `Bearer ${ADMIN}`);
    if (op.mutating) {
      expect({ op: op.path, status: res.status }).toEqual({ op: op.path, status: 403 });
      expect(res.body).toMatchObject({
        type: `${PROBLEM}forbidden`,
        status: 403,
        detail: 'Only a T2 Super Admin can start or change a client site move',
      });
    } else {
      // Reads of an unknown id are 404 (the check answers 200); the point is that the admin got past
      // authorization.
      expect({ op: op.path, status: [200, 404].includes(res.status) ? 'allowed' : res.status }).toEqual({
        op: op.path,
        status: 'allowed',
      });
    }
  }
});

it('lets anyone reach the public routes', async () => {
  for (const op of (await operations()).filter((o) => !o.secured)) {
    const res = await send(op, null);
    // /readyz says 503 here: this harness's Temporal is unreachable on purpose.
    expect({ op: op.path, status: res.status }).toEqual({ op: op.path, status: op.path === '/readyz' ? 503 : 200 });
  }
});

it('changes nothing for a refused request: no token, a bad token, or a T2 Admin', async () => {
  for (const op of (await operations()).filter((o) => o.mutating)) {
    for (const token of [null, 'Bearer not-a-real-token', `Bearer ${ADMIN}`]) {
      expect([401, 403]).toContain((await send(op, token)).status);
    }
  }
  // The check a T2 Admin may ask writes nothing either.
  expect((await send({ method: 'post', path: CHECK, secured: true, mutating: false }, `Bearer ${ADMIN}`)).status).toBe(
    200,
  );
  expect(await harness.db.clientSiteMove.count()).toBe(0);
  expect(await harness.db.auditEntry.count()).toBe(0);
  expect(await harness.db.client.count({ where: { status: { not: 'ACTIVE' } } })).toBe(0);
});

it('does not parse a body before the caller is known (a malformed body from a stranger is 401)', async () => {
  const res = await request(harness.app)
    .post('/api/client-site-moves')
    .set('Content-Type', 'application/json')
    .send('{"not json');
  expect(res.status).toBe(401);
  const admin = await api(harness.app, ADMIN)
    .post('/api/client-site-moves')
    .set('Content-Type', 'application/json')
    .send('{');
  expect(admin.status).toBe(403);
});

describe('the demo tokens', () => {
  it('open nothing when NODE_ENV=production, though the database holds them; a real token still works', async () => {
    const production = harness.appWith({}, 'production');
    for (const token of Object.values(DEMO_TOKENS)) {
      expect((await api(harness.app, token).get('/api/sites')).status).toBe(200);
      const res = await api(production, token).get('/api/sites');
      expect({ token, status: res.status, type: (res.body as { type: string }).type }).toEqual({
        token,
        status: 401,
        type: `${PROBLEM}unauthorized`,
      });
    }
    const real = await createOperator(harness.db, { name: 'Pat Prod', email: 'pat@t2.example', role: 'T2_ADMIN' });
    expect((await api(production, real.token).get('/api/sites')).status).toBe(200);
    await harness.db.operator.delete({ where: { id: real.id } });
  });

  it('are not printed in the public OpenAPI document or its page', async () => {
    const doc = await request(harness.app).get('/api/openapi.json');
    const page = await request(harness.app).get('/api/docs');
    for (const token of [SUPER, ADMIN, ...Object.values(DEMO_TOKENS)]) {
      expect(doc.text).not.toContain(token);
      expect(page.text).not.toContain(token);
    }
  });
});

describe('failed authentications, per client address', () => {
  it('after the budget, answers 429 to that address for the rest of the minute; successful requests do not count', async () => {
    const app = harness.appWith({ authFailuresPerMinute: 3 });
    for (let i = 0; i < 5; i++) expect((await api(app, ADMIN).get('/api/sites')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await api(app, `guess-${i}`).get('/api/sites')).status).toBe(401);
    const limited = await api(app, 'guess-3').get('/api/sites');
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(limited.body).toMatchObject({ type: `${PROBLEM}rate-limited` });
    // The address is held up whatever it sends now; public routes stay open.
    expect((await api(app, ADMIN).get('/api/sites')).status).toBe(429);
    expect((await request(app).get('/healthz')).status).toBe(200);
  });

  it('valid requests in flight at once never count, however many (a dashboard polling under load)', async () => {
    const app = harness.appWith({ authFailuresPerMinute: 3 });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const statuses = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const res = await fetch(`http://127.0.0.1:${port}/api/sites`, {
            headers: { authorization: `Bearer ${ADMIN}` },
          });
          await res.arrayBuffer();
          return res.status;
        }),
      );
      expect(statuses).toEqual(Array.from({ length: 20 }, () => 200));
    } finally {
      server.close();
    }
  });
});
