// The bench's throwaway stack, laid out as production runs it: an embedded PostgreSQL (with
// pg_stat_statements loaded), a Temporal dev server, the product's worker and the product's API, each
// in a process of its own, so the worker's memory and every process's connections are its own.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import pg from 'pg';
import { createDb, type Db } from '../src/db/client';
import { migrateDatabase } from '../src/db/migrate';
import { ensureDatabase } from '../src/dev/databases';
import { startEmbeddedPostgres } from '../src/dev/embeddedPostgres';
import { freePort } from '../src/dev/ports';
import { seedDemoData } from '../src/dev/seed';
import { startTemporalDevServer, type RunningDevServer } from '../src/dev/temporalDevServer';
import { readTemporalTool } from '../src/dev/tools';
import { PROJECT_ROOT } from '../src/paths';
import { workflowInterceptorModules } from '../src/telemetry/tracing';

export const TASK_QUEUE = 'bench';
const DATABASE = 'bench';
const NAMESPACE = 'default';

/** Each process connects under its own name, so pg_stat_activity tells their connections apart. */
export const APP_NAMES = { worker: 'csm-worker', api: 'csm-api', bench: 'csm-bench' } as const;

export interface StackOptions {
  /** First port of a block to use (six ports from it); without it, ports the OS says are free. */
  portBase?: number;
  /** A prebuilt workflow bundle (the tests pass theirs); without it the bench bundles once. */
  workflowBundle?: string;
  /** Temporal server dynamic config, for experiments (e.g. eager activity execution). */
  temporalDynamicConfig?: Record<string, string>;
  /** Temporal's store: a SQLite file as `npm start` has (default), or memory (an experiment). */
  temporalStore?: 'file' | 'memory';
  /** SQLite pragmas for Temporal's file store (an experiment), e.g. {journal_mode: 'WAL'}. */
  temporalPragmas?: Record<string, string>;
  /** Worker tuning other than the product's (an experiment), as JSON, e.g. {"workflowThreadPoolSize":2}. */
  workerTuning?: string;
  /** Where the worker's and the API's output goes; by default the throwaway folder. */
  logDir?: string;
  /** Write V8 CPU profiles of the worker process (every thread) into this folder. */
  profileWorkerDir?: string;
  /** Write a V8 CPU profile of the API process into this folder when it stops. */
  profileApiDir?: string;
  log: (line: string) => void;
}

export interface BenchStack {
  /** The bench's own Prisma client (activities alone, seeding, reading results). */
  db: Db;
  /** A plain pg pool, for the floor transaction and the statistics views. */
  pool: pg.Pool;
  databaseUrl: string;
  temporal: Client;
  apiUrl: string;
  workerPid: number;
  workerMetricsUrl: string;
  workerSdkMetricsUrl: string;
  stop(): Promise<void>;
}

export async function startBenchStack(options: StackOptions): Promise<BenchStack> {
  const stops: { name: string; stop: () => Promise<unknown> }[] = [];
  const stop = async () => {
    for (const { name, stop: stopOne } of stops.reverse()) {
      await stopOne().catch((error: unknown) => options.log(`could not stop ${name}: ${String(error)}`));
    }
  };
  try {
    return await start(options, stops, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

async function start(
  options: StackOptions,
  stops: { name: string; stop: () => Promise<unknown> }[],
  stop: () => Promise<void>,
): Promise<BenchStack> {
  const ports = portPicker(options.portBase);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'csm-bench-'));
  // PostgreSQL runs as its own system user and must be able to reach its data folder.
  await chmod(dir, 0o755);
  stops.push({ name: 'the bench folder', stop: () => rm(dir, { recursive: true, force: true }) });

  const [postgres, temporalServer, bundlePath] = await Promise.all([
    startEmbeddedPostgres({
      dir: path.join(dir, 'pg'),
      port: await ports.next(),
      persistent: false,
      // Where SQL time goes, per statement the app sends (foreign-key checks count within theirs).
      settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'top' },
    }).then((pgServer) => {
      stops.push({ name: 'PostgreSQL', stop: () => pgServer.stop() });
      return pgServer;
    }),
    startTemporal(options, dir, ports).then((server) => {
      stops.push({ name: 'Temporal', stop: () => server.stop() });
      return server;
    }),
    options.workflowBundle ?? bundle(dir),
  ]);

  const databaseUrl = postgres.urlFor(DATABASE);
  await ensureDatabase(databaseUrl);
  await migrateDatabase(databaseUrl);
  const db = createDb(withAppName(databaseUrl, APP_NAMES.bench));
  stops.push({ name: 'the bench database client', stop: () => db.$disconnect() });
  await seedDemoData(db, { env: 'development' });
  const pool = new pg.Pool({ connectionString: withAppName(databaseUrl, APP_NAMES.bench), max: 4 });
  // An idle connection ended by the server (as PostgreSQL stops) must not end the run unwritten.
  pool.on('error', (error) => options.log(`bench pool: ${error.message}`));
  stops.push({ name: 'the bench pool', stop: () => pool.end() });
  await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');

  const connection = await Connection.connect({ address: temporalServer.address });
  stops.push({ name: 'the Temporal client', stop: () => connection.close() });
  const temporal = new Client({ connection, namespace: NAMESPACE });

  const logDir = options.logDir ?? dir;
  await mkdir(logDir, { recursive: true });
  const [workerMetricsPort, workerSdkMetricsPort, apiPort] = [
    await ports.next(),
    await ports.next(),
    await ports.next(),
  ];
  const common = {
    NODE_ENV: 'development',
    TEMPORAL_ADDRESS: temporalServer.address,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    // Moves in the bench send no mail; the mailer still wants somewhere to send it.
    SENDGRID_BASE_URL: 'http://127.0.0.1:9',
  };
  const profile = cpuProfileFlags(options.profileWorkerDir);
  const worker = await startChild(
    'worker',
    [
      ...profile,
      path.join(PROJECT_ROOT, 'bench', 'workerProcess.ts'),
      bundlePath,
      ...(options.workerTuning ? [options.workerTuning] : []),
    ],
    {
      ...common,
      LOG_LEVEL: 'warn',
      DATABASE_URL: withAppName(databaseUrl, APP_NAMES.worker),
      WORKER_METRICS_ADDRESS: `127.0.0.1:${workerMetricsPort}`,
      WORKER_SDK_METRICS_ADDRESS: `127.0.0.1:${workerSdkMetricsPort}`,
    },
    logDir,
  );
  stops.push({ name: 'the worker', stop: () => worker.stop() });
  const api = await startChild(
    'api',
    [...cpuProfileFlags(options.profileApiDir), path.join(PROJECT_ROOT, 'src', 'api', 'server.ts')],
    {
      ...common,
      // Request logs at info, as in production (into the log file).
      LOG_LEVEL: 'info',
      DATABASE_URL: withAppName(databaseUrl, APP_NAMES.api),
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      // The throughput section starts 100 moves at once through one operator.
      RATE_LIMIT_PER_MINUTE: '100000',
    },
    logDir,
  );
  stops.push({ name: 'the API', stop: () => api.stop() });
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await waitFor(`the API at ${apiUrl}/readyz`, async () => (await fetch(`${apiUrl}/readyz`)).ok);

  return {
    db,
    pool,
    databaseUrl,
    temporal,
    apiUrl,
    workerPid: worker.pid,
    workerMetricsUrl: `http://127.0.0.1:${workerMetricsPort}/metrics`,
    workerSdkMetricsUrl: `http://127.0.0.1:${workerSdkMetricsPort}/metrics`,
    stop,
  };
}

async function startTemporal(
  options: StackOptions,
  dir: string,
  ports: ReturnType<typeof portPicker>,
): Promise<RunningDevServer> {
  return startTemporalDevServer({
    cli: readTemporalTool('temporalCli'),
    port: await ports.next(),
    uiPort: await ports.next(),
    namespace: NAMESPACE,
    // A SQLite file, as `npm start` runs it (not the in-memory store).
    dbFile: options.temporalStore === 'memory' ? null : path.join(dir, 'temporal.db'),
    dynamicConfig: options.temporalDynamicConfig,
    sqlitePragmas: options.temporalPragmas,
  });
}

/**
 * The bundle a worker without tracing makes (`npm run worker` with no OTLP endpoint, as the bench's
 * worker runs): the workflow without the tracing interceptors (workflowInterceptorModules), built once.
 */
async function bundle(dir: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../src/workflows'),
    workflowInterceptorModules: workflowInterceptorModules(undefined),
    logger: { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop },
  });
  const file = path.join(dir, 'workflow-bundle.js');
  await writeFile(file, code);
  return file;
}

const noop = () => undefined;

/** Node's own CPU profiler: a .cpuprofile per thread, written into `dir` as the process exits. */
function cpuProfileFlags(dir: string | undefined): string[] {
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

function withAppName(url: string, name: string): string {
  const next = new URL(url);
  next.searchParams.set('application_name', name);
  return next.toString();
}

function portPicker(base: number | undefined) {
  let offset = 0;
  return { next: async () => (base === undefined ? freePort() : base + offset++) };
}

interface Child {
  pid: number;
  stop(): Promise<void>;
}

/** Runs a TypeScript entry point under tsx; resolves once it is up (the worker says "ready"). */
async function startChild(name: string, args: string[], env: Record<string, string>, logDir: string): Promise<Child> {
  // Everything it says goes to a file (the API logs every request); the last lines explain a failure.
  const logFile = createWriteStream(path.join(logDir, `${name}.log`));
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const recent: string[] = [];
  let ready = false;
  const onLine = (chunk: Buffer) => {
    logFile.write(chunk);
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      if (line.startsWith('ready ')) ready = true;
      recent.push(line);
      if (recent.length > 20) recent.shift();
      // Shown only when the process fails (below): the bench's own moves make the worker warn on purpose.
    }
  };
  child.stdout.on('data', onLine);
  child.stderr.on('data', onLine);
  const stopChild = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
    logFile.end();
  };
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  try {
    await waitFor(`the ${name} process`, () => {
      if (exitCode !== undefined) {
        throw new Error(`the ${name} exited with code ${exitCode}: ${recent.slice(-5).join(' | ')}`);
      }
      return Promise.resolve(name !== 'worker' || ready);
    });
  } catch (error) {
    await stopChild();
    throw error;
  }
  return { pid: child.pid!, stop: stopChild };
}

/** Polls until `check` is true (errors count as "not yet"), or fails after two minutes. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      if (error instanceof Error && /exited with code/.test(error.message)) throw error;
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}: ${last instanceof Error ? last.message : 'not yet'}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
