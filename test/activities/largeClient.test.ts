// The 2,000-item demo client moves completely, batch by batch as the workflow drives it, and a full
// rollback gives it back exactly as it was.
import type { ItemProgress } from '../../src/domain/move';
import {
  bundleIdOf,
  clientState,
  insertMove,
  itemProgressOf,
  progressFor,
  runCompensations,
  runForwardSteps,
  spaceIdOf,
  tariffIdOf,
  type MoveFixture,
  seededActivities,
} from '../support/moveFixtures';

const BATCH_SIZE = 500;

const seeded = seededActivities();
let fixture: MoveFixture;
let before: Awaited<ReturnType<typeof clientState>>;
let nothingMoved: ItemProgress;
let allMoved: ItemProgress;

beforeAll(async () => {
  fixture = await insertMove(seeded.database.db, {
    client: 'Acme Analytics Ltd',
    to: 'MAN-SPF',
    tariff: 'Enterprise',
    bundle: '10,000 minutes',
    targetSpaces: [9, 10],
  });
  before = await clientState(seeded.database.db, fixture.clientId);
  nothingMoved = await itemProgressOf(seeded.database.db, fixture.clientId, 'none');
  allMoved = await itemProgressOf(seeded.database.db, fixture.clientId, 'all');
});

describe('Acme Analytics Ltd, the demo client with over 2,000 items', () => {
  it('snapshots every item', async () => {
    await seeded.activities.markMoveScheduled({ moveId: fixture.moveId });
    const items = await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId });
    expect(items).toEqual(nothingMoved);
    expect(items.users.total + items.phoneNumbers.total + items.services.total).toBeGreaterThanOrEqual(2_000);
  });

  it('moves completely, batch by batch', async () => {
    // Snapshotted first, whatever ran before (safe to run again): this test runs alone too.
    await seeded.activities.markMoveScheduled({ moveId: fixture.moveId });
    await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId });
    await runForwardSteps(seeded.activities, fixture.moveId, BATCH_SIZE);

    const after = await clientState(seeded.database.db, fixture.clientId);
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

    expect(await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId })).toEqual(allMoved);
  });

  it('rolls back to exactly the original users, numbers, services, tariff, bundle and spaces', async () => {
    // Moved first, whatever ran before (the steps are safe to run again): this test runs alone too.
    await seeded.activities.markMoveScheduled({ moveId: fixture.moveId });
    await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId });
    await runForwardSteps(seeded.activities, fixture.moveId, BATCH_SIZE);
    expect((await clientState(seeded.database.db, fixture.clientId)).client.siteId).toBe(fixture.destinationSiteId);
    await runCompensations(seeded.activities, fixture.moveId, BATCH_SIZE);
    await seeded.activities.finishMove({
      moveId: fixture.moveId,
      phase: 'ROLLED_BACK',
      progress: progressFor(fixture.moveId, 'ROLLED_BACK', { finishedAt: new Date().toISOString() }),
    });
    expect(await clientState(seeded.database.db, fixture.clientId)).toEqual(before);
    expect(await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId })).toEqual(nothingMoved);
  });
});
