// Runs the Temporal CLI's dev server (Temporal + Temporal Web) as a child process with a
// persistent SQLite file (write-ahead log, synced at every commit), and waits until it answers. The child leads a process group of its own:
// Ctrl-C in the terminal reaches only `npm start`, which stops it in order (after the worker), and
// stopping it stops the whole group.
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { searchAttributeFlags } from '../temporal/searchAttributes';

export interface DevServerOptions {
  cli: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** The SQLite file that keeps Temporal's state; null: in memory (lost when the server stops). */
  dbFile: string | null;
  /** Server dynamic config (`--dynamic-config-value name=value`) over DEV_SERVER_DYNAMIC_CONFIG, e.g. for the bench's experiments. */
  dynamicConfig?: Record<string, string>;
  /** SQLite pragmas for the file store (`--sqlite-pragma name=value`), over FILE_STORE_PRAGMAS. */
  sqlitePragmas?: Record<string, string>;
  log?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface RunningDevServer {
  address: string;
  webUrl: string;
  /** The server process (its process group has the same id). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * How the dev server keeps its SQLite file. SQLite's own default journal (a rollback journal file
 * created, synced and deleted for every commit) costs Temporal, which writes through one connection,
 * several syncs per commit; a write-ahead log syncs once, and `synchronous=FULL` keeps that sync, so
 * a committed workflow task survives a power cut as before. Measured with 100 concurrent moves
 * (docs/performance.md, Levers tried): Temporal's CPU 12.1 → 8.9 s, all COMPLETED 18.3 → 14.6 s.
 */
export const FILE_STORE_PRAGMAS: Readonly<Record<string, string>> = { journal_mode: 'WAL', synchronous: 'FULL' };

/**
 * Dynamic config of every dev server the project starts. The dev server keeps every workflow on one
 * history shard, and Temporal reads a shard's transfer queue (each workflow and activity task on its
 * way to a task queue) at most `history.transferProcessorMaxPollRPS` times a second, 20 by default:
 * sized for a cluster of hundreds of shards. With one shard, once a second's first reads are spent,
 * every task waited for the next read, 30-45 ms, at each step of a move (history timestamps in
 * docs/performance.md, Levers tried).
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, string>> = {
  'history.transferProcessorMaxPollRPS': '1000',
};

/** The CLI's arguments for a dev server with a persistent SQLite file and the move's search attributes. */
export function devServerArgs(options: Omit<DevServerOptions, 'cli' | 'log' | 'startTimeoutMs'>): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--namespace',
    options.namespace,
    ...(options.dbFile === null ? [] : ['--db-filename', options.dbFile]),
    ...(options.dbFile === null
      ? []
      : Object.entries({ ...FILE_STORE_PRAGMAS, ...options.sqlitePragmas }).flatMap(([name, value]) => [
          '--sqlite-pragma',
          `${name}=${value}`,
        ])),
    '--log-level',
    'warn',
    ...searchAttributeFlags(),
    ...Object.entries({ ...DEV_SERVER_DYNAMIC_CONFIG, ...options.dynamicConfig }).flatMap(([name, value]) => [
      '--dynamic-config-value',
      `${name}=${value}`,
    ]),
  ];
}

export async function startTemporalDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const log = options.log ?? (() => undefined);
  const args = devServerArgs(options);
  const child = spawn(options.cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const recent: string[] = [];
  const onOutput = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > 20) recent.shift();
      log(line);
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `127.0.0.1:${options.port}`;
  try {
    await waitUntilServing(address, exited, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    killGroup(child, 'SIGKILL');
    const tail = recent.slice(-5).join(' | ');
    throw new Error(`Temporal dev server did not start: ${(error as Error).message}${tail ? ` (${tail})` : ''}`);
  }
  return {
    address,
    webUrl: `http://127.0.0.1:${options.uiPort}`,
    pid: child.pid ?? -1,
    stop: () => stopChild(child, exited),
  };
}

/** Resolves once Temporal at `address` answers its health check; rejects if `exited` settles first or time runs out. */
export async function waitUntilServing(
  address: string,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let stopped: number | null | undefined;
  void exited.then((code) => (stopped = code));
  for (;;) {
    if (stopped !== undefined) throw new Error(`it exited with code ${stopped}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.healthService.check({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`no answer on ${address} after ${timeoutMs} ms: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  killGroup(child, 'SIGTERM');
  const killer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

/** Signals the child's whole process group (it is its leader), or the child alone if that fails. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) {
      process.kill(-child.pid, signal);
      return;
    }
  } catch {
    // No such group any more: fall through to the child itself.
  }
  child.kill(signal);
}
