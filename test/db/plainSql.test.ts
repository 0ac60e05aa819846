// Statements sent on the pg pool past Prisma (src/db/plainSql.ts) answer as `$queryRaw` does, for the
// column types the app reads, prepared or not, and still answer once the client has disconnected
// (its adapter ends the pool; Prisma's own path takes over).
import { Prisma } from '../../src/db/client';
import { plainRows } from '../../src/db/plainSql';
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
