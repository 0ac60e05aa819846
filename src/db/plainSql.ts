// Statements sent by the pg driver itself, past Prisma. Even a raw query costs Prisma about 0.3-0.5 ms
// of CPU (it goes through the client's request pipeline and the WebAssembly query compiler) against
// 0.05-0.1 ms for the same statement on the pg pool (docs/performance.md): on the most polled reads
// that is most of a request's CPU. Same pool, same connections: Prisma's adapter is built on it.
import type pg from 'pg';
import type { Db, Prisma } from './client';

const pools = new WeakMap<Db, pg.Pool>();

/** Called by createDb: the pool under the client's adapter. */
export function registerPlainPool(db: Db, pool: pg.Pool): void {
  pools.set(db, pool);
}

/**
 * The rows of one statement (a `Prisma.sql` template), as `$queryRaw` returns them for the column
 * types the app reads (timestamptz as Date, json as parsed values, text and booleans as they are;
 * cast counts to int, since pg hands bigint back as a string and Prisma as a BigInt).
 *
 * `preparedAs` names a statement whose text never changes (only its values): each connection then
 * parses and plans it once, not per request, which halves what PostgreSQL spends on the move read.
 * (A transaction-mode connection pooler in front of PostgreSQL would need this turned off.)
 */
export async function plainRows<T>(db: Db, query: Prisma.Sql, preparedAs?: string): Promise<T[]> {
  const pool = pools.get(db);
  // A client not made by createDb, or one disconnected (its adapter ended the pool): Prisma's way.
  if (!pool || pool.ended) return db.$queryRaw<T[]>(query);
  const result = await pool.query({ name: preparedAs, text: query.text, values: query.values });
  return result.rows as T[];
}
