// The API under test, on real dependencies: a fresh PostgreSQL database with the demo seed, a real
// Temporal (the CLI dev server, or an address where nothing listens to play "Temporal is down"),
// and, when asked, a real worker with the real activities and a local SendGrid sink.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Express } from 'express';
import { ProblemSchema } from '../../src/api/schemas';
import type { Db } from '../../src/db/client';
import pino from 'pino';
import request from 'supertest';
import { createApp, temporalHealthLogger, type AppConfig, type AppDeps } from '../../src/api/app';
import { loadConfig } from '../../src/config';
import { DEMO_OPERATORS, seedDemoData } from '../../src/dev/seed';
import { PROJECT_ROOT } from '../../src/paths';
import { bundleIdOf, clientIdOf, siteIdOf, tariffIdOf } from '../support/moveFixtures';
import { createMoveWorker } from '../../src/worker';
import { createSendGridMailer } from '../../src/mail/mailer';
import { startMailSink, type MailSink } from '../../src/dev/mailSink';
import type { ProgressCache } from '../../src/moveService/progressCache';
import type { TemporalTimeouts } from '../../src/moveService/temporal';
import { TemporalHealth } from '../../src/moveService/temporalHealth';
import { freePort } from '../../src/dev/ports';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startDevServerEnv, workflowBundle } from '../support/temporal';

export const SUPER = 'dev-super-admin';
export const ADMIN = 'dev-admin';
// The demo seed's ids, shared with the activity tests.
export {
  ADMIN_ID,
  SUPER_ADMIN_ID,
  bundleIdOf,
  clientIdOf,
  siteIdOf,
  spaceIdOf,
  tariffIdOf,
} from '../support/moveFixtures';

export interface LogCapture {
  lines: Record<string, unknown>[];
}

export interface HarnessOptions {
  /** `unreachable`: a Temporal client pointed at a port where nothing listens. */
  temporal: 'dev-server' | 'unreachable';
  /** Run a real worker (activities over the test database, mail to a local sink). */
  worker?: boolean;
  rateLimitPerMinute?: number;
  authFailuresPerMinute?: number;
  bodyLimit?: string;
  /** Default: the product's (PROGRESS_MAX_AGE_MS unset). */
  progressMaxAgeMs?: number;
  /** The app's NODE_ENV (default test). */
  env?: AppConfig['env'];
  temporalTimeouts?: Partial<TemporalTimeouts>;
  temporalWebUrl?: string;
  /**
   * Listen over HTTP on a free port and serve the built web app (web/dist) with the demo sign-in,
   * as `npm start` does: for tests that drive a browser.
   */
  http?: boolean;
}

export interface ApiHarness {
  /** The test's own database (a copy of the migrated template, with the demo seed). */
  database: TestDatabase;
  db: Db;
  app: Express;
  temporal: Client;
  env: TestWorkflowEnvironment | null;
  taskQueue: string;
  logs: LogCapture;
  mailSink: MailSink | null;
  /** With `http`: where the app listens, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string | null;
  /** A fresh app on the same database and Temporal, with other settings (e.g. a tiny rate limit, production). */
  appWith(overrides: Partial<AppConfig['api']>, env?: AppConfig['env']): Express;
  /** A fresh app in another environment, or serving a web app, or offering demo operators. */
  appServing(options: AppServing): Express;
  /**
   * A fresh app on the same database and settings, talking to Temporal through another client (and,
   * when given, keeping Temporal's progress answers in this cache).
   */
  appUsing(temporal: Client, progressCache?: ProgressCache): Express;
  close(): Promise<void>;
}

export const CORS_ORIGIN = 'http://connect.example';

export interface AppServing {
  env?: AppConfig['env'];
  webAppDir?: string;
  demoOperators?: AppDeps['demoOperators'];
}

export async function startApiHarness(options: HarnessOptions): Promise<ApiHarness> {
  const database = await createTestDatabase();
  const { db } = database;
  await seedDemoData(db, { env: 'development' });
  const env = options.temporal === 'dev-server' ? await startDevServerEnv() : null;
  const temporal =
    env?.client ?? new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}` }) });
  const taskQueue = `api-test-${randomUUID()}`;

  let worker: Worker | null = null;
  let workerRun: Promise<void> | null = null;
  let mailSink: MailSink | null = null;
  if (options.worker) {
    if (!env) throw new Error('A worker needs the dev server');
    mailSink = await startMailSink();
    const running = await createMoveWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: workflowBundle(),
      db,
      mailer: createSendGridMailer({ from: 'moves@t2.example', baseUrl: mailSink.url }),
      client: env.client,
    });
    worker = running;
    workerRun = running.run();
  }

  const logs: LogCapture = { lines: [] };
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          logs.lines.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    }),
  );
  const config = (
    api: Partial<AppConfig['api']> = {},
    appEnv: AppConfig['env'] = options.env ?? 'test',
  ): AppConfig => ({
    env: appEnv,
    api: {
      host: '127.0.0.1',
      port: 0,
      corsOrigin: CORS_ORIGIN,
      rateLimitPerMinute: options.rateLimitPerMinute ?? 10_000,
      authFailuresPerMinute: options.authFailuresPerMinute ?? 10_000,
      bodyLimit: options.bodyLimit ?? '100kb',
      progressMaxAgeMs: options.progressMaxAgeMs ?? loadConfig({}).api.progressMaxAgeMs,
      ...api,
    },
    temporal: { namespace: env?.namespace ?? 'default', taskQueue, webUrl: options.temporalWebUrl },
    move: {
      batchSize: 50,
      decisionTimeout: '24 hours',
      outageWindow: '30 minutes',
      emailDeliveryWindow: '24 hours',
      maxAhead: '365 days',
      preflightLead: '1 hour',
    },
    temporalTimeouts: { queryMs: 1_500, readyMs: 1_500, startMs: 3_000, updateMs: 20_000, ...options.temporalTimeouts },
  });
  // One per Temporal client, closed before its connection: a probe still retrying would otherwise throw.
  const healths = new Map<Client, TemporalHealth>();
  const healthOf = (client: Client) => {
    const health =
      healths.get(client) ??
      new TemporalHealth(client, { probeMs: 500, probeIntervalMs: 500, onChange: temporalHealthLogger(logger) });
    healths.set(client, health);
    return health;
  };
  const build = (
    api?: Partial<AppConfig['api']>,
    client: Client = temporal,
    serving: AppServing = {},
    progressCache?: ProgressCache,
  ) =>
    createApp({
      db,
      temporal: client,
      config: config(api, serving.env),
      logger,
      temporalHealth: healthOf(client),
      webAppDir: serving.webAppDir,
      demoOperators: serving.demoOperators,
      progressCache,
    });

  const app = build(
    {},
    temporal,
    options.http ? { webAppDir: path.join(PROJECT_ROOT, 'web', 'dist'), demoOperators: DEMO_OPERATORS } : {},
  );
  let server: http.Server | null = null;
  if (options.http) {
    server = http.createServer(app);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  }

  return {
    database,
    db,
    app,
    url: server ? `http://127.0.0.1:${(server.address() as AddressInfo).port}` : null,
    temporal,
    env,
    taskQueue,
    logs,
    mailSink,
    appWith: (api, nodeEnv) => build(api, temporal, { env: nodeEnv }),
    appServing: (serving) => build({}, temporal, serving),
    appUsing: (client, progressCache) => build({}, client, {}, progressCache),
    close: async () => {
      if (server) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      await Promise.all([...healths.values()].map((health) => health.close()));
      if (worker) {
        worker.shutdown();
        await workerRun;
      }
      await mailSink?.close();
      if (env) await env.teardown();
      else await temporal.connection.close();
      await database.drop();
    },
  };
}

/** Authorised request helpers over supertest. */
export function api(app: Express, token: string | null = SUPER) {
  const auth = (r: request.Test) => (token ? r.set('Authorization', `Bearer ${token}`) : r);
  return {
    get: (path: string) => auth(request(app).get(path)),
    post: (path: string, body?: object) => {
      const r = auth(request(app).post(path));
      return body === undefined ? r : r.send(body);
    },
  };
}

export interface StartBody {
  clientId: string;
  destinationSiteId: string;
  tariffId: string;
  minuteBundleId: string | null;
  spaceIds?: string[];
  moveAt: string;
  /** With a local moveAt: the destination site's zone. */
  timeZone?: string;
  notifyOperatorId?: string | null;
}

/** A valid start request for a demo client to a site, with the destination's first tariff and bundle. */
export function startBody(client: string, toSite: string, overrides: Partial<StartBody> = {}): StartBody {
  return {
    clientId: clientIdOf(client),
    destinationSiteId: siteIdOf(toSite),
    tariffId: tariffIdOf(toSite, 'Standard'),
    minuteBundleId: bundleIdOf(toSite, '500 minutes'),
    spaceIds: [],
    moveAt: 'now',
    ...overrides,
  };
}

/** Polls until `check` returns a value (not undefined), at short intervals, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 60_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export const PROBLEM = 'urn:connect-site-move:problem:';

// Jest's asymmetric matchers are typed `any`; these wrappers keep it from leaking into assertions.
export const anyString = (): unknown => expect.any(String);
export const anyNumber = (): unknown => expect.any(Number);
export const stringMatching = (pattern: RegExp | string): unknown => expect.stringMatching(pattern);
export const stringContaining = (text: string): unknown => expect.stringContaining(text);
export const objectContaining = (shape: object): unknown => expect.objectContaining(shape);

/** A day from now, as the API takes a move time. */
export const inOneDay = (): string => new Date(Date.now() + 86_400_000).toISOString();

/** Everything a refused start could have touched: a refusal must leave it exactly as it was. */
export async function footprint(db: Db) {
  return {
    moves: await db.clientSiteMove.count(),
    tasks: await db.dashboardTask.count(),
    audit: await db.auditEntry.count(),
    clientStatuses: (await db.client.findMany({ select: { id: true, status: true }, orderBy: { id: 'asc' } })).map(
      (c) => `${c.id}:${c.status}`,
    ),
  };
}

/** A problem+json answer with this status and type, shaped as the spec's Problem schema says. */
export function expectProblem(
  res: { status: number; headers: Record<string, string>; body: unknown },
  status: number,
  slug: string,
): void {
  expect({ status: res.status, type: (res.body as { type?: string }).type }).toEqual({
    status,
    type: `${PROBLEM}${slug}`,
  });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  ProblemSchema.parse(res.body);
  expect(res.body).toMatchObject({ title: anyString(), status, detail: anyString() });
}
