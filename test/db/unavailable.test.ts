// What the API counts as "the database is unavailable" (503, try again) rather than a bug (500),
// from errors a real PostgreSQL and Prisma raise.
import { createDb } from '../../src/db/client';
import { isDatabaseUnavailable } from '../../src/db/unavailable';
import { createTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

it('a transaction that cannot start in time, every connection busy, is unavailability (a burst of starts)', async () => {
  const db = createDb(database.url, 1);
  let holding = () => {};
  const holds = new Promise<void>((resolve) => (holding = resolve));
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const held = db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT 1`;
      holding();
      await released;
    },
    { timeout: 60_000, maxWait: 60_000 },
  );
  try {
    // The one connection is held past the second transaction's maxWait (Prisma checks the wait once
    // it has a connection, so the first lets go a while after the second asked).
    await holds;
    setTimeout(release, 500);
    const error: unknown = await db
      .$transaction((tx) => tx.$queryRaw`SELECT 1`, { maxWait: 100 })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ code: 'P2028' });
    expect(isDatabaseUnavailable(error)).toBe(true);
  } finally {
    release();
    await held;
    await db.$disconnect();
  }
});

it("a query's own error (division by zero) is not", async () => {
  const error: unknown = await database.db.$executeRaw`SELECT 1/0`.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).not.toBeNull();
  expect(isDatabaseUnavailable(error)).toBe(false);
});
