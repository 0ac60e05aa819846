// Statements sent on the pg pool past Prisma (src/db/plainSql.ts) answer as `$queryRaw` does, for the
// column types the app reads, prepared or not, and still answer once the client has disconnected
// (its adapter ends the pool; Prisma's own path takes over). A plain transaction keeps Prisma's
// promises: all or nothing, a timeout, and a wait for a connection that ends as an outage.
import { Prisma, createDb, type Db } from '../../src/db/client';
import { TransactionExpired, plainRows, plainTransaction } from '../../src/db/plainSql';
import { isDatabaseUnavailable } from '../../src/db/unavailable';
import { createTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

const query = (n: number) => Prisma.sql`
  SELECT ${`text ${n}`}::text AS label, ${n}::int AS n, true AS flag, NULL::text AS nothing,
    '2026-12-01T09:00:00.5Z'::timestamptz AS at, json_build_object('a', ${n}::int, 'b', json_build_array('x')) AS doc,
    '{"c": [1, null]}'::jsonb AS "docB", count(*)::int AS total
  FROM generate_series(1, 3)`;

it('answers as $queryRaw does, prepared or not', async () => {
  for (const n of [1, 2]) {
    const viaPrisma = await database.db.$queryRaw<unknown[]>(query(n));
    expect(await plainRows(database.db, query(n))).toEqual(viaPrisma);
    expect(await plainRows(database.db, query(n), 'plain_sql_test')).toEqual(viaPrisma);
  }
  expect(await plainRows(database.db, query(3), 'plain_sql_test')).toEqual([
    {
      label: 'text 3',
      n: 3,
      flag: true,
      nothing: null,
      at: new Date('2026-12-01T09:00:00.500Z'),
      doc: { a: 3, b: ['x'] },
      docB: { c: [1, null] },
      total: 3,
    },
  ]);
});

it('still answers after the client disconnected', async () => {
  await database.db.$disconnect();
  const [row] = await plainRows<{ n: number }>(database.db, query(4), 'plain_sql_test');
  expect(row?.n).toBe(4);
});

describe('plainTransaction', () => {
  let db: Db;
  beforeAll(async () => {
    db = createDb(database.url, 1);
    await db.$executeRaw`CREATE TABLE IF NOT EXISTS plain_tx_test (n int PRIMARY KEY)`;
  });
  afterAll(() => db.$disconnect());
  const options = { timeout: 5_000, maxWait: 1_000 };
  const count = async () =>
    (await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM plain_tx_test`)[0]?.n ?? -1;

  it('commits what the work did and hands back its result', async () => {
    const result = await plainTransaction(db, options, async (tx) => {
      await tx.$executeRaw`INSERT INTO plain_tx_test VALUES (${1}::int), (${2}::int)`;
      return tx.$queryRaw<{ n: number }[]>(Prisma.sql`SELECT n FROM plain_tx_test ORDER BY n`);
    });
    expect(result).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await count()).toBe(2);
  });

  it('rolls back all of it when the work throws, and the connection serves the next caller', async () => {
    const failing = plainTransaction(db, options, async (tx) => {
      await tx.$executeRaw`INSERT INTO plain_tx_test VALUES (${3}::int)`;
      await tx.$executeRaw`INSERT INTO plain_tx_test VALUES (${1}::int)`; // a duplicate key
    });
    await expect(failing).rejects.toThrow(/duplicate key/);
    expect(await count()).toBe(2);
  });

  it('rolls back work that ran past its timeout', async () => {
    const slow = plainTransaction(db, { ...options, timeout: 100 }, async (tx) => {
      await tx.$executeRaw`INSERT INTO plain_tx_test VALUES (${4}::int)`;
      await tx.$queryRaw`SELECT pg_sleep(0.2)`;
    });
    await expect(slow).rejects.toThrow(TransactionExpired);
    expect(await count()).toBe(2);
  });

  it('has PostgreSQL cancel a statement that outlasts its timeout, and leaves the connection as it was', async () => {
    const stuck = plainTransaction(db, { ...options, timeout: 300 }, async (tx) => {
      await tx.$executeRaw`INSERT INTO plain_tx_test VALUES (${5}::int)`;
      await tx.$queryRaw`SELECT pg_sleep(30)`;
    });
    const error: unknown = await stuck.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionExpired);
    // Cancelled by the server at the transaction's timeout, not waited for and found late at commit.
    expect((error as TransactionExpired).cause).toMatchObject({ code: '57014' });
    expect(await count()).toBe(2);
    // The limit was the transaction's own (SET LOCAL): the pool's one connection has none now.
    const [setting] = await plainTransaction(
      db,
      options,
      (tx) => tx.$queryRaw<{ statement_timeout: string }[]>`SHOW statement_timeout`,
    );
    expect(setting?.statement_timeout).toBe('5s');
    expect(await db.$queryRaw<{ statement_timeout: string }[]>`SHOW statement_timeout`).toEqual([
      { statement_timeout: '0' },
    ]);
  });

  it('gives up waiting for a connection after maxWait, as an outage the callers wait out', async () => {
    let release = () => undefined as void;
    const holding = plainTransaction(db, options, () => new Promise<void>((resolve) => (release = resolve)));
    const error: unknown = await plainTransaction(db, { ...options, maxWait: 100 }, () => Promise.resolve()).catch(
      (e: unknown) => e,
    );
    expect(isDatabaseUnavailable(error)).toBe(true);
    release();
    await holding;
    expect(await count()).toBe(2);
  });
});
