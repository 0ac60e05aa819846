// The one way the app opens the database: Prisma over the pg driver adapter (no native engine).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type Db = PrismaClient;
export { Prisma } from '../generated/prisma/client';

/** Connections each process keeps open at most (pg's default, stated; docs/performance.md measured it). */
export const DB_POOL_SIZE = 10;

export function createDb(connectionString: string, poolSize = DB_POOL_SIZE): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, max: poolSize }) });
}
