// An unreachable database is reported by every activity as a retryable DatabaseUnavailable failure
// (which the workflow waits out); every other error goes through unchanged.
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../src/activities';
import { createDb } from '../../src/db/client';
import { isDatabaseUnavailable } from '../../src/db/unavailable';
import { freePort } from '../../src/dev/ports';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startRecoveringPostgres } from '../support/recoveringPostgres';
import { noMail, progressFor } from '../support/moveFixtures';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

it('an activity on a database nobody answers fails with a retryable DatabaseUnavailable', async () => {
  const db = createDb(`postgresql://postgres:postgres@127.0.0.1:${await freePort()}/nowhere`);
  try {
    const activities = createActivities({ db, mailer: noMail });
    const moveId = '00000000-0000-4000-8000-000000000001';
    for (const call of [
      () => activities.moveUsers({ moveId, batchSize: 10 }),
      () => activities.recordProgress(progressFor(moveId, 'MOVING')),
      () => activities.assignSpaces({ moveId }),
    ]) {
      const error: unknown = await call().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ApplicationFailure);
      expect(error).toMatchObject({ type: 'DatabaseUnavailable', nonRetryable: false });
      // Prisma's words, or the pg driver's for the statements sent past Prisma (src/db/plainSql.ts).
      expect((error as Error).message).toMatch(
        /^The database is unreachable: .*(Can't reach database server|ECONNREFUSED)/,
      );
    }
  } finally {
    await db.$disconnect();
  }
});

it('a database still starting up (crash recovery) is an outage too', async () => {
  const recovering = await startRecoveringPostgres();
  const db = createDb(`postgresql://postgres:postgres@127.0.0.1:${recovering.port}/starting`);
  try {
    const activities = createActivities({ db, mailer: noMail });
    await expect(
      activities.moveUsers({ moveId: '00000000-0000-4000-8000-000000000001', batchSize: 10 }),
    ).rejects.toMatchObject({
      type: 'DatabaseUnavailable',
      nonRetryable: false,
    });
  } finally {
    await db.$disconnect();
    await recovering.close();
  }
});

it('a connection the server cuts mid-query is an outage too', async () => {
  const victim = createDb(database.url);
  try {
    const [backend] = await victim.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    const query = victim.$queryRaw`SELECT pg_sleep(5)`.then(
      () => null,
      (e: unknown) => e,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await database.db.$queryRaw`SELECT pg_terminate_backend(${backend!.pid}::int)`;
    expect(isDatabaseUnavailable(await query)).toBe(true);
  } finally {
    await victim.$disconnect();
  }
});

it('errors that are the move’s own, or bugs, are not outages', async () => {
  const activities = createActivities({ db: database.db, mailer: noMail });
  // A move that does not exist is a non-retryable MoveDataMissing, unchanged.
  await expect(activities.assignSpaces({ moveId: '00000000-0000-4000-8000-000000000002' })).rejects.toMatchObject({
    type: 'MoveDataMissing',
    nonRetryable: true,
  });
  expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
  expect(isDatabaseUnavailable({ code: 'P2002', message: 'Unique constraint failed' })).toBe(false);
  expect(isDatabaseUnavailable({ code: '23505' })).toBe(false);
  expect(isDatabaseUnavailable({ code: '57P01' })).toBe(true);
  expect(isDatabaseUnavailable(new Error('wrapped', { cause: { code: 'ECONNRESET' } }))).toBe(true);
});
