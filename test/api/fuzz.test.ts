// The API under fuzzing, as it runs: startApiServer on a real port (so raw-socket cases reach Node's
// HTTP parser), over real PostgreSQL with the demo seed, a real Temporal dev server and a real worker
// (so the moves the fuzzer starts really run, and decisions about them really reach a workflow).
// Property-based requests drawn from the published OpenAPI document, then a list of hostile shapes;
// no answer may be a 5xx, every 4xx is problem+json, and the API still answers after. Last, hostile
// bodies for the mail sink, which shares a process with the API under `npm start`.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync, deflateSync } from 'node:zlib';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import fc from 'fast-check';
import pino from 'pino';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { loadConfig } from '../../src/config';
import { startMailSink, type MailSink } from '../../src/dev/mailSink';
import { freePort } from '../../src/dev/ports';
import { seedDemoData } from '../../src/dev/seed';
import { createSendGridMailer } from '../../src/mail/mailer';
import { createMoveWorker } from '../../src/worker';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  ADMIN_ID,
  SUPER_ADMIN_ID,
  bundleIdOf,
  clientIdOf,
  siteIdOf,
  spaceIdOf,
  tariffIdOf,
} from '../support/moveFixtures';
import {
  hostileValue,
  requestArbitrary,
  type GeneratedRequest,
  type OpenApiDocument,
} from '../support/openApiArbitraries';
import { startDevServerEnv, workflowBundle } from '../support/temporal';

const ROOT = path.resolve(__dirname, '..', '..');
const SUPER = 'dev-super-admin';
const ADMIN = 'dev-admin';
const SITES = ['LDN-SHO', 'MAN-SPF', 'BRS-TQY', 'LDS-WEL'];
const CLIENTS = ['Acme Analytics Ltd', 'Brightwave Studios', 'Cobalt Legal LLP', 'Dune & Finch', 'Evergreen Health'];

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let sink: MailSink;
let worker: Worker;
let running: Promise<void>;
let server: ApiServer;
let doc: OpenApiDocument;
const logs: Record<string, unknown>[] = [];
/** Ids of real rows, so generated requests reach real clients, sites and the moves made so far. */
const knownIds: string[] = [
  SUPER_ADMIN_ID,
  ADMIN_ID,
  ...CLIENTS.map(clientIdOf),
  ...SITES.flatMap((site) => [
    siteIdOf(site),
    tariffIdOf(site, 'Standard'),
    bundleIdOf(site, '500 minutes'),
    ...[5, 6, 7, 8].map((n) => spaceIdOf(site, n)),
  ]),
];

beforeAll(async () => {
  [env, database, sink] = await Promise.all([startDevServerEnv(), createTestDatabase(), startMailSink()]);
  await seedDemoData(database.db, { env: 'development' });
  const taskQueue = `fuzz-${randomUUID()}`;
  worker = await createMoveWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    db: database.db,
    mailer: createSendGridMailer({ from: 'moves@t2.example', baseUrl: sink.url }),
    workflowBundle: workflowBundle(),
    client: env.client,
  });
  running = worker.run();
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      TEMPORAL_TASK_QUEUE: taskQueue,
      API_PORT: String(await freePort()),
      RATE_LIMIT_PER_MINUTE: '1000000',
      AUTH_FAILURES_PER_MINUTE: '1000000',
      MOVE_BATCH_SIZE: '100',
    },
    ROOT,
  );
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  );
  server = await startApiServer(config, { logger, shutdownGraceMs: 2_000 });
  doc = (await send({ method: 'GET', url: '/api/openapi.json', headers: {} })).json as OpenApiDocument;
});

afterAll(async () => {
  await server?.close();
  worker?.shutdown();
  await running;
  await Promise.all([env?.teardown(), database?.drop(), sink?.close()]);
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json?: unknown;
}

/** One request over its own connection, exactly as given (no client library tidying it up). */
function send(req: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: '127.0.0.1', port: server.port, method: req.method, path: req.url, headers: req.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** Raw bytes over a socket; the answer's status and headers, read until the server closes or goes quiet. */
function sendRaw(bytes: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, text: body, json });
    };
    socket.setTimeout(5_000, finish);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', finish);
    socket.on('error', (error) => (chunks.length > 0 ? finish() : reject(error)));
    socket.write(bytes);
  });
}

/** The rules for every answer: never a 5xx, and every 4xx a problem+json document. */
function expectSane(label: string, res: Answer, method = 'GET'): void {
  // /readyz says 503 by design when a dependency is slow; it is an answer, not a failure.
  const notReady =
    label.includes('/readyz') && res.status === 503 && (res.json as { status?: string })?.status === 'not_ready';
  expect({
    label,
    status: res.status >= 500 && !notReady ? `5xx (${res.status}): ${res.text.slice(0, 300)}` : 'not 5xx',
  }).toEqual({
    label,
    status: 'not 5xx',
  });
  expect({ label, answered: res.status >= 100 }).toEqual({ label, answered: true });
  if (res.status >= 400 && res.status < 500) {
    expect({ label, type: res.headers['content-type'] }).toEqual({
      label,
      type: expect.stringMatching(/^application\/problem\+json/) as unknown,
    });
    if (method !== 'HEAD')
      expect({ label, problem: typeof (res.json as { type?: unknown })?.type }).toEqual({ label, problem: 'string' });
  }
}

async function expectStillAnswering(): Promise<void> {
  expect((await send({ method: 'GET', url: '/healthz', headers: {} })).status).toBe(200);
  const sites = await send({ method: 'GET', url: '/api/sites', headers: { authorization: `Bearer ${ADMIN}` } });
  expect(sites.status).toBe(200);
}

const withToken = (req: GeneratedRequest, token: string | null): GeneratedRequest => ({
  ...req,
  headers: {
    ...req.headers,
    ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
  },
});

it('answers requests drawn from its OpenAPI document, bent and whole, with no 5xx and problem+json for every 4xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      requestArbitrary(doc, () => knownIds),
      fc.constantFrom(SUPER, SUPER, ADMIN, null, 'not-a-token'),
      async (generated, token) => {
        const req = withToken(generated, token);
        const res = await send(req);
        expectSane(`${req.method} ${req.url} ${req.body?.slice(0, 200) ?? ''}`, res, req.method);
        const id = (res.json as { id?: unknown } | undefined)?.id;
        if (res.status === 201 && typeof id === 'string') knownIds.push(id);
      },
    ),
    { numRuns: 300 },
  );
  await expectStillAnswering();
});

describe('hostile shapes', () => {
  const parameterised = () =>
    Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.keys(item)
        .filter(() => p.includes('{'))
        .map((method) => ({ method: method.toUpperCase(), path: p })),
    );
  const withQuery = () =>
    Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.entries(item)
        .filter(([, op]) => (op.parameters ?? []).some((param) => param.in === 'query'))
        .map(([method, op]) => ({
          method: method.toUpperCase(),
          path: p.replace(/\{\w+\}/g, clientIdOf('Dune & Finch')),
          names: (op.parameters ?? []).filter((param) => param.in === 'query').map((param) => param.name),
        })),
    );
  const auth = { authorization: `Bearer ${SUPER}` };

  it('invalid percent-encoding on every parameterised route, with and without a token', async () => {
    const routes = parameterised();
    expect(routes.length).toBeGreaterThanOrEqual(9);
    for (const { method, path: p } of routes) {
      for (const broken of ['%E0%A4%A', '%', '%ZZ', '%FF', '%C0%AF', '%00', '..%2F..%2Fetc%2Fpasswd']) {
        for (const headers of [auth, {}]) {
          const url = p.replace(/\{\w+\}/g, broken);
          const res = await send({
            method,
            url,
            headers: { ...headers, 'content-type': 'application/json' },
            body: '{}',
          });
          expectSane(`${method} ${url}`, res, method);
          expect(res.status).toBeLessThan(500);
        }
      }
    }
  });

  it('duplicate and conflicting query parameters on every route that takes a query', async () => {
    for (const { method, path: p, names } of withQuery()) {
      for (const name of names) {
        for (const query of [
          `${name}=1&${name}=2`,
          `${name}=&${name}=SCHEDULED`,
          `${name}[]=x&${name}=y`,
          `${name}=%FF`,
        ]) {
          const res = await send({ method, url: `${p}?${query}`, headers: auth });
          expectSane(`${method} ${p}?${query}`, res, method);
        }
      }
    }
  });

  it('compressed bombs, unknown encodings, chunked and deeply nested bodies', async () => {
    const start = '/api/client-site-moves';
    const json = { 'content-type': 'application/json', ...auth };
    const bomb = Buffer.alloc(50 * 1024 * 1024, ' ');
    const cases: { label: string; headers: Record<string, string>; body: Buffer | string }[] = [
      { label: 'gzip bomb', headers: { ...json, 'content-encoding': 'gzip' }, body: gzipSync(bomb) },
      { label: 'deflate bomb', headers: { ...json, 'content-encoding': 'deflate' }, body: deflateSync(bomb) },
      { label: 'gzip of garbage', headers: { ...json, 'content-encoding': 'gzip' }, body: 'not gzip at all' },
      { label: 'unknown encoding', headers: { ...json, 'content-encoding': 'br' }, body: '{}' },
      { label: 'utf-16 charset', headers: { ...json, 'content-type': 'application/json; charset=utf-16' }, body: '{}' },
      { label: 'deep nesting', headers: json, body: `${'['.repeat(40_000)}${']'.repeat(40_000)}` },
      { label: 'duplicate keys', headers: json, body: '{"clientId":"a","clientId":"b","moveAt":"now"}' },
      { label: 'huge number', headers: json, body: `{"spaceIds":[1e999999],"moveAt":${'9'.repeat(5000)}}` },
      {
        label: 'unicode everywhere',
        headers: json,
        body: JSON.stringify({ clientId: '\u202e\ud83d\ude9a\u0000', moveAt: 'ｎｏｗ' }),
      },
      { label: 'lone surrogate', headers: json, body: '{"moveAt":"\\ud800"}' },
      { label: 'invalid utf-8', headers: json, body: Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]) },
    ];
    for (const { label, headers, body } of cases) {
      const res = await send({ method: 'POST', url: start, headers, body });
      expectSane(label, res, 'POST');
    }
    // A chunked body, one byte per chunk, and a chunked body that is broken half-way.
    const payload = JSON.stringify({ clientId: clientIdOf('Dune & Finch'), moveAt: 'soon' });
    const chunked = [...payload].map((c) => `${Buffer.byteLength(c).toString(16)}\r\n${c}\r\n`).join('');
    const head = `POST ${start} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${SUPER}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    expectSane('chunked, a byte per chunk', await sendRaw(`${head}${chunked}0\r\n\r\n`), 'POST');
    expectSane('chunked, broken', await sendRaw(`${head}5\r\n{"a":\r\nzz\r\n`), 'POST');
    await expectStillAnswering();
  });

  it('huge headers, a huge URL, malformed requests and methods nobody declared', async () => {
    const raw = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
    const cases: [string, string | Buffer][] = [
      ['a 64 KB header', raw(['GET /api/sites HTTP/1.1', 'Host: x', `X-Big: ${'a'.repeat(64 * 1024)}`])],
      ['a 20 KB URL', raw([`GET /api/sites?${'a'.repeat(20 * 1024)} HTTP/1.1`, 'Host: x'])],
      ['a 10 KB token', raw(['GET /api/sites HTTP/1.1', 'Host: x', `Authorization: Bearer ${'t'.repeat(10 * 1024)}`])],
      [
        '3,000 headers',
        raw(['GET /api/sites HTTP/1.1', 'Host: x', ...Array.from({ length: 3_000 }, (_, i) => `X-H${i}: v`)]),
      ],
      ['garbage', 'GARBAGE\r\n\r\n'],
      ['binary', Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10])],
      ['an unknown method', raw(['FROB /api/sites HTTP/1.1', 'Host: x'])],
      ['no Host in HTTP/1.1', raw(['GET /healthz HTTP/1.1'])],
      ['HTTP/1.0', raw(['GET /api/sites HTTP/1.0'])],
      ['absolute-form URL', raw(['GET http://evil.example/api/sites HTTP/1.1', 'Host: x'])],
      [
        'two Content-Lengths',
        raw(['POST /api/client-site-moves HTTP/1.1', 'Host: x', 'Content-Length: 2', 'Content-Length: 3', '', '{}']),
      ],
      ['a bare LF request', 'GET /healthz HTTP/1.1\nHost: x\n\n'],
      [
        'a unicode path',
        raw([
          'GET /api/clients/\u00fc\ud83d\ude9a/site-move/options HTTP/1.1',
          'Host: x',
          `Authorization: Bearer ${SUPER}`,
        ]),
      ],
    ];
    for (const [label, bytes] of cases) {
      const res = await sendRaw(bytes);
      // HTTP/1.0 or a healthz may well succeed; what matters is how the failures look.
      if (res.status >= 400) {
        expect({ label, status: res.status < 500 ? '4xx' : res.status }).toEqual({ label, status: '4xx' });
        expect({ label, type: res.headers['content-type'] }).toEqual({
          label,
          type: expect.stringMatching(/^application\/problem\+json/) as unknown,
        });
      }
    }
    for (const { path: p } of parameterised()) {
      for (const method of ['PUT', 'PATCH', 'DELETE', 'TRACE', 'OPTIONS', 'HEAD']) {
        const url = p.replace(/\{\w+\}/g, randomUUID());
        expectSane(`${method} ${url}`, await send({ method, url, headers: auth }), method);
      }
    }
    await expectStillAnswering();
  });

  it('left no bug behind: nothing was logged as an unhandled error', () => {
    expect(logs.filter((line) => line.msg === 'Unhandled error')).toEqual([]);
  });
});

it('the mail sink answers hostile bodies as SendGrid would, and the API in its process still answers', async () => {
  const post = (body: string) =>
    fetch(`${sink.url}/v3/mail/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  // The list, each of which once threw inside the sink.
  for (const body of [
    'null',
    '{"personalizations":{}}',
    '[null]',
    '{"personalizations":[{"to":"a@b.c"}]}',
    '{"personalizations":[{"to":[null]}]}',
    '{"personalizations":[{"to":[{"email":5}]}]}',
    '{"content":{}}',
    '{"content":[null]}',
  ]) {
    expect({ body, status: (await post(body)).status }).toEqual({ body, status: 400 });
  }
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.jsonValue(), hostileValue), async (value) => {
      const res = await post(JSON.stringify(value) ?? 'undefined');
      expect([202, 400]).toContain(res.status);
      if (res.status === 400) expect(((await res.json()) as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
    }),
    { numRuns: 150 },
  );
  await expectStillAnswering();
});
