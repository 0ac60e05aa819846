// What operators of the service rely on: health and readiness, Prometheus metrics, security headers,
// CORS for the Connect UI, request ids and the JSON request log.
import request from 'supertest';
import {
  CORS_ORIGIN,
  PROBLEM,
  SUPER,
  anyNumber,
  anyString,
  api,
  startApiHarness,
  startBody,
  stringContaining,
  type ApiHarness,
} from './harness';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'dev-server', temporalWebUrl: 'http://127.0.0.1:8233' });
});
afterAll(() => harness.close());

it('/healthz: up; /readyz: database and Temporal both answer', async () => {
  expect((await request(harness.app).get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
  const ready = await request(harness.app).get('/readyz').expect(200);
  expect(ready.body).toEqual({
    status: 'ready',
    checks: {
      database: { ok: true, latencyMs: anyNumber() },
      temporal: { ok: true, latencyMs: anyNumber() },
    },
  });
});

it('/metrics: requests and latencies by route template, and moves by phase from the database', async () => {
  const start = await api(harness.app).post(
    '/api/client-site-moves',
    startBody('Dune & Finch', 'LDN-SHO', {
      moveAt: new Date(Date.now() + 3_600_000).toISOString(),
    }),
  );
  expect(start.status).toBe(201);
  await api(harness.app).get(`/api/client-site-moves/${(start.body as { id: string }).id}`);
  await request(harness.app).get('/no/such/route');

  const res = await request(harness.app).get('/metrics').expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  const text = res.text;
  expect(text).toMatch(/csm_http_requests_total\{method="POST",route="\/api\/client-site-moves",status="201"\} 1/);
  // Ids never become labels: the route is the template.
  expect(text).toMatch(
    /csm_http_requests_total\{method="GET",route="\/api\/client-site-moves\/\{id\}",status="200"\} 1/,
  );
  expect(text).toMatch(/csm_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
  expect(text).toMatch(
    /csm_http_request_duration_seconds_count\{method="POST",route="\/api\/client-site-moves",status="201"\} 1/,
  );
  expect(text).toMatch(
    /csm_http_request_duration_seconds_bucket\{le="30",method="POST",route="\/api\/client-site-moves",status="201"\} 1/,
  );
  expect(text).toMatch(/csm_moves\{phase="SCHEDULED"\} 1/);
  expect(text).toMatch(/csm_moves\{phase="COMPLETED"\} 0/);
  expect(text).toMatch(/process_cpu_seconds_total/);
});

it('links a move to its workflow in Temporal Web when its address is configured', async () => {
  const list = await api(harness.app).get('/api/client-site-moves');
  const move = (list.body as { items: { workflowId: string; runId: string; links: { temporalWeb: string } }[] })
    .items[0]!;
  expect(move.links.temporalWeb).toBe(
    `http://127.0.0.1:8233/namespaces/default/workflows/${move.workflowId}/${move.runId}/history`,
  );
});

it('sets security headers on every answer', async () => {
  const res = await request(harness.app).get('/api/sites');
  expect(res.status).toBe(401);
  expect(res.headers).toMatchObject({
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'SAMEORIGIN',
    'strict-transport-security': stringContaining('max-age='),
    'content-security-policy': stringContaining("default-src 'self'"),
  });
  expect(res.headers['x-powered-by']).toBeUndefined();
});

it("allows the Connect UI's origin (and its headers) and no other", async () => {
  const preflight = await request(harness.app)
    .options('/api/client-site-moves')
    .set('Origin', CORS_ORIGIN)
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key');
  expect(preflight.status).toBe(204);
  expect(preflight.headers['access-control-allow-origin']).toBe(CORS_ORIGIN);
  expect(preflight.headers['access-control-allow-headers']).toMatch(/Idempotency-Key/);
  const simple = await api(harness.app).get('/api/sites').set('Origin', CORS_ORIGIN);
  expect(simple.headers['access-control-allow-origin']).toBe(CORS_ORIGIN);
  expect(simple.headers['access-control-expose-headers']).toMatch(/Location/);
  const foreign = await api(harness.app).get('/api/sites').set('Origin', 'http://evil.example');
  expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
});

it('answers unknown routes with a 404 problem', async () => {
  const res = await request(harness.app).get('/api/nothing-here');
  expect(res.status).toBe(404);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: `${PROBLEM}not-found`, detail: 'No route for GET /api/nothing-here' });
});

describe('request ids and the request log', () => {
  it('echoes a sane X-Request-Id, makes one otherwise, and puts it in problem bodies', async () => {
    const given = await api(harness.app).get('/api/sites').set('X-Request-Id', 'ui-1234');
    expect(given.headers['x-request-id']).toBe('ui-1234');
    const made = await api(harness.app).get('/api/sites').set('X-Request-Id', 'no spaces or <tags> please');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const problem = await request(harness.app).get('/api/sites').set('X-Request-Id', 'ui-5678');
    expect(problem.body).toMatchObject({ requestId: 'ui-5678' });
  });

  it('logs one JSON line per request with its id, the operator, and the move and workflow ids', async () => {
    const list = await api(harness.app).get('/api/client-site-moves');
    const move = (list.body as { items: { id: string; workflowId: string }[] }).items[0]!;
    await api(harness.app).get(`/api/client-site-moves/${move.id}`).set('X-Request-Id', 'trace-move-read');
    const lines = harness.logs.lines.filter((l) => l.reqId === 'trace-move-read');
    // No worker here, so the progress query times out and that is logged too, with the move's ids.
    expect(lines.map((l) => l.msg)).toEqual([
      'Temporal did not answer the progress query; serving the database copy',
      'request completed',
    ]);
    expect(lines[0]).toMatchObject({
      level: 40,
      reqId: 'trace-move-read',
      moveId: move.id,
      workflowId: move.workflowId,
    });
    expect(lines[1]).toMatchObject({
      msg: 'request completed',
      reqId: 'trace-move-read',
      operatorId: anyString(),
      moveId: move.id,
      workflowId: move.workflowId,
      req: { method: 'GET', url: `/api/client-site-moves/${move.id}` },
      res: { statusCode: 200 },
      responseTime: anyNumber(),
    });
  });

  it('logs refusals at warn with the problem, and never the bearer token', async () => {
    await request(harness.app)
      .get('/api/sites')
      .set('Authorization', 'Bearer wrong-token')
      .set('X-Request-Id', 'trace-401');
    const line = harness.logs.lines.find((l) => l.reqId === 'trace-401');
    expect(line).toMatchObject({ level: 40, problem: 'unauthorized', res: { statusCode: 401 } });
    const all = JSON.stringify(harness.logs.lines);
    expect(all).not.toContain('wrong-token');
    expect(all).not.toContain(SUPER);
  });
});
