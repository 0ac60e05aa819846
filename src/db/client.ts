// The one way the app opens the database: Prisma over the pg driver adapter (no native engine).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type Db = PrismaClient;
export { Prisma } from '../generated/prisma/client';

/**
 * Connections each process keeps open at most. The worker runs at most this many activities at once
 * (src/worker.ts), each holding one connection for its transaction; docs/performance.md has the
 * measurements behind the number.
 */
export const DB_POOL_SIZE = 10;

export function createDb(connectionString: string, poolSize = DB_POOL_SIZE): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, max: poolSize }) });
}
