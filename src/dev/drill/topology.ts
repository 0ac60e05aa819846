// The drill's production-like stack, each part a process of its own that the drill can stop, kill
// and start again: PostgreSQL (on its own data folder), the Temporal dev server (on its own SQLite
// file), two worker processes kept at two by a supervisor, the API, and the mail provider.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { ENV_KEYS, EMBEDDED_DATABASE_NAME, embeddedDatabaseUrl } from '../../config';
import { migrateDatabase } from '../../db/migrate';
import { PROJECT_ROOT } from '../../paths';
import { ensureDatabase } from '../databases';
import { prepareEmbeddedCluster, type ServerCommand } from '../embeddedPostgres';
import { assertPortFree } from '../ports';
import { devServerArgs, waitUntilServing } from '../temporalDevServer';
import { startMailFront, type MailFront } from './mailFront';

export interface DrillPorts {
  api: number;
  temporal: number;
  temporalUi: number;
  postgres: number;
  mail: number;
  /** The first worker's metrics port; worker slot n listens on workerMetrics + n. */
  workerMetrics: number;
}

/** The drill's own block (3400-3499), clear of npm start's defaults. */
export const DRILL_PORTS: DrillPorts = {
  api: 3400,
  temporal: 3410,
  temporalUi: 3411,
  postgres: 3420,
  mail: 3430,
  workerMetrics: 3440,
};

export interface TopologyOptions {
  /** A throwaway folder: PostgreSQL's cluster, Temporal's SQLite file, every process's log. */
  dataDir: string;
  ports: DrillPorts;
  temporalCli: string;
  workers: number;
  /** Settings every app process gets (the API reads the move's windows and batch size from them). */
  appEnv: Record<string, string>;
  log: (line: string) => void;
}

export type PostgresStop = 'fast' | 'immediate';
type ExitCode = number | null;

/** PostgreSQL's own shutdown modes are signals to the postmaster. */
const POSTGRES_STOP_SIGNAL: Record<PostgresStop, NodeJS.Signals> = { fast: 'SIGINT', immediate: 'SIGQUIT' };

/**
 * One process of the stack, started in a process group of its own: a signal reaches the whole of it
 * (PostgreSQL's backends, tsx's esbuild), Ctrl-C in the terminal reaches only the drill, and output
 * goes to a log file per start.
 */
export class StackProcess {
  private child: ChildProcess | null = null;
  private exit: Promise<ExitCode> = Promise.resolve(null);
  private starts = 0;
  /** The last lines it printed, for errors. */
  readonly recent: string[] = [];
  onUnexpectedExit?: (code: ExitCode, signal: NodeJS.Signals | null) => void;
  private expectingExit = false;

  constructor(
    readonly name: string,
    private readonly command: () => Promise<ServerCommand & { env?: NodeJS.ProcessEnv }>,
    private readonly logDir: string,
  ) {}

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    const { command, args, uid, gid, env } = await this.command();
    this.starts += 1;
    const log: WriteStream = createWriteStream(path.join(this.logDir, `${this.name}.log`), { flags: 'a' });
    log.write(`\n--- ${new Date().toISOString()} start #${this.starts}: ${path.basename(command)} ${args.join(' ')}\n`);
    const child = spawn(command, args, {
      cwd: PROJECT_ROOT,
      env: env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(uid === undefined ? {} : { uid, gid }),
    });
    this.child = child;
    this.expectingExit = false;
    const remember = (chunk: Buffer) => {
      if (!log.writableEnded) log.write(chunk);
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        this.recent.push(line);
        if (this.recent.length > 30) this.recent.shift();
      }
    };
    child.stdout?.on('data', remember);
    child.stderr?.on('data', remember);
    this.exit = new Promise((resolve) => {
      child.once('error', (error) => {
        log.write(`--- could not start: ${error.message}\n`);
        resolve(null);
      });
      child.once('exit', (code, signal) => {
        log.write(`--- ${new Date().toISOString()} exited: ${signal ?? `code ${code}`}\n`);
        if (!this.expectingExit) this.onUnexpectedExit?.(code, signal);
        resolve(code);
      });
    });
    // Output can still arrive after the exit; the log closes once the process's pipes have.
    child.once('close', () => log.end());
  }

  /** Sends a signal to the process group; resolves once the process has exited. */
  async signal(signal: NodeJS.Signals, expected = true): Promise<ExitCode> {
    const child = this.child;
    if (!child?.pid || !this.running) return this.exit;
    this.expectingExit = expected;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
    return this.exit;
  }

  /** SIGKILLs the group without waiting (a power cut kills everything at once). */
  killNow(): Promise<ExitCode> {
    const child = this.child;
    if (child?.pid && this.running) {
      this.expectingExit = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    return this.exit;
  }

  /** A graceful stop: the signal, then SIGKILL if it has not exited within `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    const exited = this.signal(signal);
    const timer = setTimeout(() => void this.killNow(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  exited(): Promise<ExitCode> {
    return this.exit;
  }

  describe(): string {
    const tail = this.recent.slice(-5).join(' | ');
    return `${this.name}${tail ? ` (last output: ${tail})` : ''}`;
  }
}

/** Until `check` is true, or the deadline; `dead` says a process it waits for is gone. */
async function until(what: string, timeoutMs: number, check: () => Promise<boolean>, dead?: () => string | null) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    const gone = dead?.();
    if (gone) throw new Error(`${what}: ${gone}`);
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs / 1000} s`);
    await delay(200);
  }
}

export class DrillTopology {
  readonly databaseUrl: string;
  readonly temporalAddress: string;
  readonly temporalWebUrl: string;
  readonly apiUrl: string;
  readonly postgres: StackProcess;
  readonly temporal: StackProcess;
  readonly api: StackProcess;
  /** The worker slots; a supervisor starts a new worker in a slot whose worker died. */
  readonly workers: StackProcess[];
  mail!: MailFront;
  /** Worker exits nobody asked for (e.g. a worker that gave up while Temporal was down). */
  readonly unexpectedExits: { name: string; at: Date; how: string }[] = [];
  private supervising = false;
  private readonly restarting = new Set<StackProcess>();
  private readonly logDir: string;

  constructor(private readonly options: TopologyOptions) {
    const { ports, dataDir } = options;
    this.logDir = path.join(dataDir, 'logs');
    this.databaseUrl = embeddedDatabaseUrl(ports.postgres, EMBEDDED_DATABASE_NAME);
    this.temporalAddress = `127.0.0.1:${ports.temporal}`;
    this.temporalWebUrl = `http://127.0.0.1:${ports.temporalUi}`;
    this.apiUrl = `http://127.0.0.1:${ports.api}`;
    const postgresDir = path.join(dataDir, 'postgres');
    this.postgres = new StackProcess(
      'postgres',
      () => prepareEmbeddedCluster(postgresDir, ports.postgres),
      this.logDir,
    );
    this.temporal = new StackProcess(
      'temporal',
      () =>
        Promise.resolve({
          command: options.temporalCli,
          args: devServerArgs({
            port: ports.temporal,
            uiPort: ports.temporalUi,
            namespace: 'default',
            dbFile: path.join(dataDir, 'temporal.sqlite'),
          }),
        }),
      this.logDir,
    );
    this.api = new StackProcess('api', () => this.nodeCommand('src/api/server.ts', {}), this.logDir);
    this.workers = Array.from(
      { length: options.workers },
      (_, slot) =>
        new StackProcess(
          `worker-${slot + 1}`,
          () =>
            this.nodeCommand('src/worker.ts', {
              WORKER_METRICS_ADDRESS: `127.0.0.1:${ports.workerMetrics + slot}`,
            }),
          this.logDir,
        ),
    );
    for (const worker of this.workers) {
      worker.onUnexpectedExit = (code, signal) => {
        this.unexpectedExits.push({ name: worker.name, at: new Date(), how: signal ?? `code ${code}` });
        this.options.log(`${worker.name} exited by itself (${signal ?? `code ${code}`}); starting a new one`);
        void this.replaceWorker(worker);
      };
    }
  }

  /** Every process, in the order they start. */
  all(): StackProcess[] {
    return [this.postgres, this.temporal, ...this.workers, this.api];
  }

  async start(): Promise<void> {
    const { dataDir, ports } = this.options;
    await mkdir(this.logDir, { recursive: true });
    // PostgreSQL runs as its own system user and must be able to reach its data folder.
    await chmod(dataDir, 0o755);
    for (const [setting, port] of Object.entries(ports) as [keyof DrillPorts, number][]) {
      await assertPortFree(port, `the drill's ${setting} port`);
    }
    this.mail = await startMailFront(ports.mail);
    const database = (async () => {
      await this.startPostgres();
      await ensureDatabase(this.databaseUrl);
      await migrateDatabase(this.databaseUrl);
    })();
    await Promise.all([database, this.startTemporal()]);
    await Promise.all([this.startWorkers(), this.startApi()]);
    this.supervising = true;
  }

  async startPostgres(): Promise<void> {
    await this.postgres.start();
    await until(
      'PostgreSQL',
      120_000,
      () => canQuery(embeddedDatabaseUrl(this.options.ports.postgres, 'postgres')),
      () => (this.postgres.running ? null : `exited: ${this.postgres.describe()}`),
    );
  }

  /** Fast: sessions are ended and the server checkpoints; immediate: it quits at once (recovery on start). */
  async stopPostgres(mode: PostgresStop): Promise<void> {
    await this.postgres.signal(POSTGRES_STOP_SIGNAL[mode]);
  }

  async startTemporal(): Promise<void> {
    await this.temporal.start();
    await waitUntilServing(this.temporalAddress, this.temporal.exited(), 120_000);
  }

  async startApi(): Promise<void> {
    await this.api.start();
    await until(
      'API',
      120_000,
      async () => (await fetch(`${this.apiUrl}/readyz`)).status === 200,
      () => (this.api.running ? null : `exited: ${this.api.describe()}`),
    );
  }

  async startWorkers(): Promise<void> {
    await Promise.all(this.workers.map((worker) => this.startWorker(worker)));
  }

  /** Starts a worker and waits until it polls (its log says RUNNING). */
  async startWorker(worker: StackProcess): Promise<void> {
    await worker.start();
    await until(
      worker.name,
      120_000,
      () => Promise.resolve(worker.recent.some((line) => /state.*RUNNING|RUNNING.*state/.test(line))),
      () => (worker.running ? null : `exited: ${worker.describe()}`),
    );
  }

  /** SIGKILLs one worker and, as a supervisor would, starts a new one in its slot (not awaited). */
  async killWorker(slot: number): Promise<void> {
    const worker = this.workers[slot];
    if (!worker) throw new Error(`No worker slot ${slot}`);
    await worker.signal('SIGKILL');
    void this.replaceWorker(worker);
  }

  private async replaceWorker(worker: StackProcess): Promise<void> {
    if (!this.supervising || this.restarting.has(worker)) return;
    this.restarting.add(worker);
    try {
      worker.recent.length = 0;
      for (let attempt = 1; ; attempt++) {
        try {
          await this.startWorker(worker);
          return;
        } catch (error) {
          // E.g. Temporal is down: the worker cannot connect and exits; try again, as a supervisor would.
          this.options.log(`${worker.name} did not start (${(error as Error).message}); trying again`);
          await worker.stop('SIGKILL');
          await delay(Math.min(1_000 * attempt, 5_000));
        }
      }
    } finally {
      this.restarting.delete(worker);
    }
  }

  /** Waits until every worker slot has a running worker (the supervisor may be starting one). */
  async workersRunning(timeoutMs = 180_000): Promise<void> {
    await until('workers', timeoutMs, () =>
      Promise.resolve(this.restarting.size === 0 && this.workers.every((w) => w.running)),
    );
  }

  /** A power cut: every process SIGKILLed at once (the mail provider is outside and stays up). */
  async powerCut(): Promise<void> {
    this.supervising = false;
    await Promise.all(this.all().map((process) => process.killNow()));
  }

  /** After a power cut: everything starts again, in order, on the same data. */
  async powerOn(): Promise<void> {
    await Promise.all([this.startPostgres(), this.startTemporal()]);
    await Promise.all([this.startWorkers(), this.startApi()]);
    this.supervising = true;
  }

  /** Stops everything the drill started, the way an operator would: API, workers, Temporal, PostgreSQL. */
  async stop(): Promise<void> {
    this.supervising = false;
    await this.api.stop('SIGTERM');
    await Promise.all(this.workers.map((w) => w.stop('SIGTERM', 30_000)));
    await this.temporal.stop('SIGTERM');
    await this.postgres.stop('SIGINT');
    await this.mail?.close();
  }

  /** Last resort when the drill itself is exiting: nothing it started may outlive it. */
  killAllNow(): void {
    this.supervising = false;
    for (const process of this.all()) void process.killNow();
  }

  private nodeCommand(
    entry: string,
    extra: Record<string, string>,
  ): Promise<ServerCommand & { env: NodeJS.ProcessEnv }> {
    const { ports } = this.options;
    // The drill's own settings only: nothing leaks in from the shell that runs it.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !(ENV_KEYS as string[]).includes(key)),
    );
    return Promise.resolve({
      command: process.execPath,
      args: ['--import', 'tsx', entry],
      env: {
        ...inherited,
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
        DATABASE_URL: this.databaseUrl,
        TEMPORAL_ADDRESS: this.temporalAddress,
        TEMPORAL_WEB_URL: this.temporalWebUrl,
        SENDGRID_BASE_URL: `http://127.0.0.1:${ports.mail}`,
        API_PORT: String(ports.api),
        RATE_LIMIT_PER_MINUTE: '100000',
        ...this.options.appEnv,
        ...extra,
      },
    });
  }
}

async function canQuery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}
