// The one way the app opens the database: Prisma over the pg driver adapter (no native engine).
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client';
import { registerPlainPool } from './plainSql';

export type Db = PrismaClient;
export { Prisma } from '../generated/prisma/client';

/**
 * Connections each process keeps open at most. 20, not pg's default 10: when 100 moves start at once,
 * the API's start transactions queue for the site's lock while holding a connection, and with 10 the
 * rest could not get one within Prisma's 2 s maxWait (half as many refused starts with 20;
 * docs/performance.md). The worker never held more than 10.
 */
export const DB_POOL_SIZE = 20;

export function createDb(connectionString: string, poolSize = DB_POOL_SIZE): Db {
  // The pool is ours so that the hottest statements can skip Prisma (src/db/plainSql.ts); the adapter
  // ends it on $disconnect, as it ends a pool of its own.
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // An idle connection the server closed (a restart, an outage) leaves the pool; the next statement
  // reports the outage. Without a listener the pool's 'error' event would end the process (Prisma's
  // adapter adds its own only once it first connects).
  pool.on('error', () => undefined);
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  registerPlainPool(db, pool);
  return db;
}
