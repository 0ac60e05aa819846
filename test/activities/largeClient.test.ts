// The 2,000-item demo client moves completely, batch by batch as the workflow drives it, and a full
// rollback gives it back exactly as it was.
import { createActivities } from '../../src/activities';
import type { MoveActivities } from '../../src/activities/contract';
import { seedDemoData } from '../../src/dev/seed';
import type { ItemProgress } from '../../src/domain/move';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  bundleIdOf,
  clientState,
  insertMove,
  itemProgressOf,
  noMail,
  progressFor,
  runCompensations,
  runForwardSteps,
  spaceIdOf,
  tariffIdOf,
  type MoveFixture,
} from '../support/moveFixtures';

const BATCH_SIZE = 500;

let database: TestDatabase;
let activities: MoveActivities;
let fixture: MoveFixture;
let before: Awaited<ReturnType<typeof clientState>>;
let nothingMoved: ItemProgress;
let allMoved: ItemProgress;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemoData(database.db, { env: 'test' });
  activities = createActivities({ db: database.db, mailer: noMail });
  fixture = await insertMove(database.db, {
    client: 'Acme Analytics Ltd',
    to: 'MAN-SPF',
    tariff: 'Enterprise',
    bundle: '10,000 minutes',
    targetSpaces: [9, 10],
  });
  before = await clientState(database.db, fixture.clientId);
  nothingMoved = await itemProgressOf(database.db, fixture.clientId, 'none');
  allMoved = await itemProgressOf(database.db, fixture.clientId, 'all');
});
afterAll(() => database.drop());

describe('Acme Analytics Ltd, the demo client with over 2,000 items', () => {
  it('snapshots every item', async () => {
    await activities.markMoveScheduled({ moveId: fixture.moveId });
    const items = await activities.snapshotMoveItems({ moveId: fixture.moveId });
    expect(items).toEqual(nothingMoved);
    expect(items.users.total + items.phoneNumbers.total + items.services.total).toBeGreaterThanOrEqual(2_000);
  });

  it('moves completely, batch by batch', async () => {
    // Snapshotted first, whatever ran before (safe to run again): this test runs alone too.
    await activities.markMoveScheduled({ moveId: fixture.moveId });
    await activities.snapshotMoveItems({ moveId: fixture.moveId });
    await runForwardSteps(activities, fixture.moveId, BATCH_SIZE);

    const after = await clientState(database.db, fixture.clientId);
    const dest = fixture.destinationSiteId;
    expect(after.client).toEqual({
      siteId: dest,
      tariffId: tariffIdOf('MAN-SPF', 'Enterprise'),
      minuteBundleId: bundleIdOf('MAN-SPF', '10,000 minutes'),
      status: 'ACTIVE_MOVE_SCHEDULED',
    });
    expect(after.users.every((u) => u.siteId === dest)).toBe(true);
    expect(after.phoneNumbers.every((p) => p.siteId === dest)).toBe(true);
    const sourceServices = after.services.filter((s) => s.replacesServiceId === null);
    const destinationServices = after.services.filter((s) => s.replacesServiceId !== null);
    expect(sourceServices).toHaveLength(allMoved.services.total);
    expect(sourceServices.every((s) => s.status === 'DECOMMISSIONED' && s.siteId === fixture.sourceSiteId)).toBe(true);
    expect(destinationServices).toHaveLength(allMoved.services.total);
    expect(destinationServices.every((s) => s.status === 'ACTIVE' && s.siteId === dest)).toBe(true);
    expect(after.spaceIds).toEqual([spaceIdOf('MAN-SPF', 9), spaceIdOf('MAN-SPF', 10)].sort());

    expect(await activities.snapshotMoveItems({ moveId: fixture.moveId })).toEqual(allMoved);
  });

  it('rolls back to exactly the original users, numbers, services, tariff, bundle and spaces', async () => {
    // Moved first, whatever ran before (the steps are safe to run again): this test runs alone too.
    await activities.markMoveScheduled({ moveId: fixture.moveId });
    await activities.snapshotMoveItems({ moveId: fixture.moveId });
    await runForwardSteps(activities, fixture.moveId, BATCH_SIZE);
    expect((await clientState(database.db, fixture.clientId)).client.siteId).toBe(fixture.destinationSiteId);
    await runCompensations(activities, fixture.moveId, BATCH_SIZE);
    await activities.finishMove({
      moveId: fixture.moveId,
      phase: 'ROLLED_BACK',
      progress: progressFor(fixture.moveId, 'ROLLED_BACK', { finishedAt: new Date().toISOString() }),
    });
    expect(await clientState(database.db, fixture.clientId)).toEqual(before);
    expect(await activities.snapshotMoveItems({ moveId: fixture.moveId })).toEqual(nothingMoved);
  });
});
