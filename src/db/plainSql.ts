// Statements sent by the pg driver itself, past Prisma. Even a raw query costs Prisma about 0.3-0.5 ms
// of CPU (it goes through the client's request pipeline and the WebAssembly query compiler) against
// 0.05-0.1 ms for the same statement on the pg pool, and an interactive transaction of three
// statements about 1.8 ms against 0.4 ms, half the wall time (docs/performance.md): on the most
// polled reads and on a move's own transactions that is most of the CPU. Same pool, same
// connections: Prisma's adapter is built on it (createDb).
import type pg from 'pg';
import { Prisma } from '../generated/prisma/client';
import type { Db } from './client';

const pools = new WeakMap<Db, pg.Pool>();

/** Called by createDb: the pool under the client's adapter. */
export function registerPlainPool(db: Db, pool: pg.Pool): void {
  pools.set(db, pool);
}

/** The pool to send plain statements on: none for a client not made by createDb, or disconnected (its adapter ended the pool). */
function poolOf(db: Db): pg.Pool | null {
  const pool = pools.get(db);
  return pool && !pool.ended ? pool : null;
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
  const pool = poolOf(db);
  if (!pool) return db.$queryRaw<T[]>(query);
  const result = await pool.query({ name: preparedAs, text: query.text, values: query.values });
  return result.rows as T[];
}

/**
 * What a transaction offers its statements: the raw half of Prisma's transaction client, so code
 * written for one runs on the other (a Prisma transaction is one too).
 */
export interface SqlTx {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T>;
  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number>;
}

/**
 * Statements on the pool outside a transaction (each on whichever connection is free), for code
 * written as `db.$queryRaw`/`db.$executeRaw`: Prisma's own client when the pool is gone.
 */
export function plainSql(db: Db): SqlTx {
  const pool = poolOf(db);
  return pool ? statementsOn(pool) : db;
}

export interface TxOptions {
  /** The transaction is rolled back if it has not committed by then. */
  timeout: number;
  /** How long to wait for a connection from the pool. */
  maxWait: number;
}

/** Past its timeout: as Prisma reports an expired transaction (P2028), so callers treat both alike. */
export class TransactionExpired extends Error {
  readonly code = 'P2028';
  constructor(timeout: number, options?: { cause: unknown }) {
    super(`Transaction already closed: it took longer than its timeout of ${timeout} ms and was rolled back`, options);
    this.name = 'TransactionExpired';
  }
}

/**
 * Runs `work` in one transaction on a connection of its own, committed when `work` returns and
 * rolled back when it throws (or ran past `timeout`), as `db.$transaction(work, options)` would.
 */
export async function plainTransaction<T>(db: Db, options: TxOptions, work: (tx: SqlTx) => Promise<T>): Promise<T> {
  const pool = poolOf(db);
  if (!pool) return db.$transaction((tx) => work(tx), options);
  const client = await connectWithin(pool, options.maxWait);
  let lost: Error | undefined;
  try {
    const began = Date.now();
    // No statement outlasts the whole transaction's time: PostgreSQL cancels it, rather than this
    // connection (and whatever the transaction locked) waiting until it returns.
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${Math.max(1, Math.ceil(options.timeout))}`);
    const result = await work(statementsOn(client)).catch((error: unknown) => {
      throw isStatementTimeout(error) ? new TransactionExpired(options.timeout, { cause: error }) : error;
    });
    if (Date.now() - began > options.timeout) throw new TransactionExpired(options.timeout);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot even roll back is dropped, not handed to the next caller.
    lost = await client.query('ROLLBACK').then(
      () => undefined,
      (rollbackError: unknown) => (rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError))),
    );
    throw error;
  } finally {
    client.release(lost);
  }
}

/** PostgreSQL cancelled the statement at its `statement_timeout` (SQLSTATE 57014; a user's cancel has another message). */
function isStatementTimeout(error: unknown): boolean {
  return (
    error instanceof Error && (error as { code?: unknown }).code === '57014' && /statement timeout/.test(error.message)
  );
}

/** SqlTx's two methods over a pool, or over one connection (a transaction's). */
function statementsOn(client: pg.Pool | pg.PoolClient): SqlTx {
  const statement = (query: TemplateStringsArray | Prisma.Sql, values: unknown[]) =>
    query instanceof Prisma.Sql ? query : Prisma.sql(query, ...(values as Prisma.Sql[]));
  return {
    async $queryRaw<T>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T> {
      const { text, values: params } = statement(query, values);
      return (await client.query(text, params)).rows as T;
    },
    async $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number> {
      const { text, values: params } = statement(query, values);
      return (await client.query(text, params)).rowCount ?? 0;
    },
  };
}

/**
 * A connection within `maxWait`, or an error the outage classifier knows (src/db/unavailable.ts),
 * as Prisma's own pool timeout is; a connection that arrives too late goes back to the pool.
 */
async function connectWithin(pool: pg.Pool, maxWait: number): Promise<pg.PoolClient> {
  let timer: NodeJS.Timeout | undefined;
  let gaveUp = false;
  const connecting = pool.connect();
  try {
    return await Promise.race([
      connecting,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          gaveUp = true;
          reject(new Error(`Timed out fetching a new connection from the connection pool (waited ${maxWait} ms)`));
        }, maxWait);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (gaveUp)
      connecting.then(
        (late) => late.release(),
        () => undefined,
      );
  }
}
