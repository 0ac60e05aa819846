// Overlapping attempts of one activity (a slow attempt Temporal gave up on, and its retry) are
// serialised on the move's row: each item is done once, by one of them, and a late attempt after
// the work is done changes nothing.
import { createActivities } from '../../src/activities';
import type { MoveActivities } from '../../src/activities/contract';
import { seedDemoData } from '../../src/dev/seed';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { fullState, insertMove, noMail, type MoveFixture } from '../support/moveFixtures';

let database: TestDatabase;
let activities: MoveActivities;
let fixture: MoveFixture;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemoData(database.db, { env: 'test' });
  activities = createActivities({ db: database.db, mailer: noMail });
  fixture = await insertMove(database.db, { client: 'Brightwave Studios', to: 'MAN-SPF' });
  await activities.markMoveScheduled({ moveId: fixture.moveId });
  await activities.snapshotMoveItems({ moveId: fixture.moveId });
});
afterAll(() => database.drop());

const movedUsers = () =>
  database.db.moveItem.count({ where: { moveId: fixture.moveId, kind: 'USER', status: 'MOVED' } });

it('five attempts of a batch at once each take a batch of their own: no item is moved twice', async () => {
  const users = await database.db.moveItem.count({ where: { moveId: fixture.moveId, kind: 'USER' } });
  const batchSize = Math.floor(users / 5);
  const results = await Promise.all(
    Array.from({ length: 5 }, () => activities.moveUsers({ moveId: fixture.moveId, batchSize })),
  );
  expect(results.map((r) => r.processed)).toEqual(Array<number>(5).fill(batchSize));
  expect(await movedUsers()).toBe(5 * batchSize);
  // Whichever ran last saw everything the others had done.
  expect(Math.max(...results.map((r) => r.done))).toBe(5 * batchSize);
  expect(Math.min(...results.map((r) => r.remaining))).toBe(users - 5 * batchSize);
});

it('provisioning twice at once makes one service per item, and a late attempt after that changes nothing', async () => {
  const services = await database.db.moveItem.count({ where: { moveId: fixture.moveId, kind: 'SERVICE' } });
  const [first, second] = await Promise.all([
    activities.provisionServices({ moveId: fixture.moveId, batchSize: services }),
    activities.provisionServices({ moveId: fixture.moveId, batchSize: services }),
  ]);
  expect(first.processed + second.processed).toBe(services);
  const made = await database.db.service.count({
    where: { clientId: fixture.clientId, replacesServiceId: { not: null } },
  });
  expect(made).toBe(services);

  const settled = await fullState(database.db, fixture);
  expect(await activities.provisionServices({ moveId: fixture.moveId, batchSize: services })).toEqual({
    processed: 0,
    remaining: 0,
    done: services,
  });
  expect(await fullState(database.db, fixture)).toEqual(settled);
});
