// Reads while a dependency is away. Temporal: the API's path to a real dev server runs through a TCP
// proxy the test takes down and brings back (the worker keeps its own connection); once Temporal is
// known to be down, a move is read from the database without asking it, until a background probe
// finds it back. A finished move is always read from the database. PostgreSQL: reads answer 503.
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import pino from 'pino';
import { createApp } from '../../src/api/app';
import { TEMPORAL_CHANNEL_ARGS } from '../../src/api/server';
import { ProgressCache } from '../../src/moveService/progressCache';
import { createDb, type Db } from '../../src/db/client';
import { freePort } from '../../src/dev/ports';
import { startRecoveringPostgres } from '../support/recoveringPostgres';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';
import { connectFaultyTemporal, type FaultyTemporal } from './faultyTemporal';
import { PROBLEM, SUPER, api, eventually, startApiHarness, startBody, type ApiHarness } from './harness';

let harness: ApiHarness;
let proxy: TcpProxy;
let counted: FaultyTemporal;
let app: Express;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'dev-server', worker: true, temporalTimeouts: { queryMs: 1_000 } });
  proxy = await startTcpProxy(Number(harness.env!.address.split(':').pop()));
  // A client that only counts (no faults set), through the proxy, reconnecting as the API's does.
  counted = await connectFaultyTemporal(
    `127.0.0.1:${proxy.port}`,
    harness.env!.namespace ?? 'default',
    TEMPORAL_CHANNEL_ARGS,
  );
  // No answer reused (a fresh one would be served for up to its max age after Temporal goes away):
  // each read here asks, so the fallback is what is tested.
  app = harness.appUsing(counted.client, new ProgressCache(0));
});
afterAll(async () => {
  await harness.close();
  await counted.close();
  await proxy.down();
});

const QUERY = 'QueryWorkflow';
const queries = () => counted.calls.get(QUERY) ?? 0;
const inOneDay = () => new Date(Date.now() + 86_400_000).toISOString();
const logged = (message: string) => harness.logs.lines.some((line) => line.msg === message);

async function read(moveId: string): Promise<{ progressSource: string; status: string }> {
  const res = await api(app).get(`/api/client-site-moves/${moveId}`);
  expect(res.status).toBe(200);
  return res.body as { progressSource: string; status: string };
}

it('while Temporal is down, reads answer from the database without asking it; once it is back, live again', async () => {
  const started = await api(app).post(
    '/api/client-site-moves',
    startBody('Cobalt Legal LLP', 'LDS-WEL', { moveAt: inOneDay() }),
  );
  expect(started.status).toBe(201);
  const moveId = (started.body as { id: string }).id;
  await eventually(async () => ((await read(moveId)).progressSource === 'temporal' ? true : undefined), {
    what: 'a live read',
  });

  await proxy.down();
  // The first read after the outage waits for its query and falls back; a probe then confirms it.
  expect(await read(moveId)).toMatchObject({ progressSource: 'database', status: 'SCHEDULED' });
  await eventually(
    () =>
      Promise.resolve(logged('Temporal is down: reads answer from the database until it is back') ? true : undefined),
    {
      what: 'Temporal to be found down',
    },
  );
  const asked = queries();
  for (let i = 0; i < 5; i++) expect(await read(moveId)).toMatchObject({ progressSource: 'database' });
  expect(queries()).toBe(asked);

  await proxy.up();
  await eventually(async () => ((await read(moveId)).progressSource === 'temporal' ? true : undefined), {
    what: 'live reads once Temporal is back',
    timeoutMs: 30_000,
  });
  expect(logged('Temporal answers again: reads ask it again')).toBe(true);
});

it('reads a finished move from the database, without a query', async () => {
  const started = await api(app).post('/api/client-site-moves', startBody('Dune & Finch', 'MAN-SPF'));
  expect(started.status).toBe(201);
  const moveId = (started.body as { id: string }).id;
  await eventually(
    async () =>
      (await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: moveId } })).status === 'COMPLETED'
        ? true
        : undefined,
    { what: 'the move to complete' },
  );
  const asked = queries();
  const res = await api(app).get(`/api/client-site-moves/${moveId}`);
  expect(res.body).toMatchObject({ status: 'COMPLETED', progressSource: 'database', progress: { phase: 'COMPLETED' } });
  expect(queries()).toBe(asked);
});

/** The API on a database at `url` (one that is down, or starting up), with the harness's Temporal. */
function appOnDatabase(db: Db): Express {
  return createApp({
    db,
    temporal: harness.temporal,
    logger: pino({ level: 'silent' }),
    config: {
      env: 'test',
      api: {
        host: '127.0.0.1',
        port: 0,
        corsOrigin: '*',
        rateLimitPerMinute: 1_000,
        authFailuresPerMinute: 1_000,
        bodyLimit: '100kb',
        progressMaxAgeMs: 1_000,
      },
      temporal: { namespace: 'default', taskQueue: harness.taskQueue },
      move: {
        batchSize: 50,
        decisionTimeout: '24 hours',
        outageWindow: '30 minutes',
        emailDeliveryWindow: '24 hours',
        maxAhead: '365 days',
        preflightLead: '1 hour',
      },
    },
  });
}

async function expectReadsUnavailable(app: Express): Promise<void> {
  for (const path of ['/api/sites', '/api/client-site-moves', `/api/client-site-moves/${randomUUID()}`]) {
    const res = await api(app, SUPER).get(path);
    expect({ path, status: res.status, type: (res.body as { type: string }).type }).toEqual({
      path,
      status: 503,
      type: `${PROBLEM}database-unavailable`,
    });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toBe('5');
  }
}

it('while PostgreSQL is down, reads answer 503 problem+json with Retry-After', async () => {
  const db = createDb(`postgresql://postgres:postgres@127.0.0.1:${await freePort()}/gone`);
  try {
    await expectReadsUnavailable(appOnDatabase(db));
  } finally {
    await db.$disconnect();
  }
});

it('while PostgreSQL is starting up (crash recovery after an immediate stop), reads answer 503 too, not 500', async () => {
  // Found by the fault drill: a recovering server refuses each connection with SQLSTATE 57P03, which
  // reached the API as a bare DriverAdapterError. The server here answers as a recovering one does.
  const recovering = await startRecoveringPostgres();
  const db = createDb(`postgresql://postgres:postgres@127.0.0.1:${recovering.port}/starting`);
  try {
    await expectReadsUnavailable(appOnDatabase(db));
    expect(recovering.refused()).toBeGreaterThan(0);
  } finally {
    await db.$disconnect();
    await recovering.close();
  }
});
