// Overlapping attempts of one activity (a slow attempt Temporal gave up on, and its retry) are
// serialised on the move's row: each item is done once, by one of them, and a late attempt after
// the work is done changes nothing.
import { fullState, insertMove, type MoveFixture, seededActivities } from '../support/moveFixtures';

const seeded = seededActivities();
let fixture: MoveFixture;

beforeAll(async () => {
  fixture = await insertMove(seeded.database.db, { client: 'Brightwave Studios', to: 'MAN-SPF' });
  await seeded.activities.markMoveScheduled({ moveId: fixture.moveId });
  await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId });
});

const movedUsers = () =>
  seeded.database.db.moveItem.count({ where: { moveId: fixture.moveId, kind: 'USER', status: 'MOVED' } });

it('five attempts of a batch at once each take a batch of their own: no item is moved twice', async () => {
  const users = await seeded.database.db.moveItem.count({ where: { moveId: fixture.moveId, kind: 'USER' } });
  const batchSize = Math.floor(users / 5);
  const results = await Promise.all(
    Array.from({ length: 5 }, () => seeded.activities.moveUsers({ moveId: fixture.moveId, batchSize })),
  );
  expect(results.map((r) => r.processed)).toEqual(Array<number>(5).fill(batchSize));
  expect(await movedUsers()).toBe(5 * batchSize);
  // Whichever ran last saw everything the others had done.
  expect(Math.max(...results.map((r) => r.done))).toBe(5 * batchSize);
  expect(Math.min(...results.map((r) => r.remaining))).toBe(users - 5 * batchSize);
});

it('provisioning twice at once makes one service per item, and a late attempt after that changes nothing', async () => {
  const services = await seeded.database.db.moveItem.count({ where: { moveId: fixture.moveId, kind: 'SERVICE' } });
  const [first, second] = await Promise.all([
    seeded.activities.provisionServices({ moveId: fixture.moveId, batchSize: services }),
    seeded.activities.provisionServices({ moveId: fixture.moveId, batchSize: services }),
  ]);
  expect(first.processed + second.processed).toBe(services);
  const made = await seeded.database.db.service.count({
    where: { clientId: fixture.clientId, replacesServiceId: { not: null } },
  });
  expect(made).toBe(services);

  const settled = await fullState(seeded.database.db, fixture);
  expect(await seeded.activities.provisionServices({ moveId: fixture.moveId, batchSize: services })).toEqual({
    processed: 0,
    remaining: 0,
    done: services,
  });
  expect(await fullState(seeded.database.db, fixture)).toEqual(settled);
});
