// The minute bundle is optional (issue 11): a client without one moves, a move may leave the bundle
// empty at the destination, and a rollback restores exactly what was there, none included. Every
// step and its compensation, against real PostgreSQL.
import { MOVE_STEP_TABLE } from '../../src/domain/steps';
import {
  bundleIdOf,
  clientIdOf,
  clientState,
  insertMove,
  progressFor,
  runCompensations,
  runStep,
  siteIdOf,
  tariffIdOf,
  type MoveOptions,
  seededActivities,
} from '../support/moveFixtures';

const BATCH = 50;

const seeded = seededActivities();

type State = Awaited<ReturnType<typeof clientState>>;

/**
 * Schedules a move, runs every step forward and returns the client as it was before and after; then
 * `undo` (when asked) runs the compensations and closes the move, as a rollback does.
 */
async function moveAndMaybeUndo(
  options: MoveOptions,
  undo: boolean,
): Promise<{ before: State; moved: State; after: State }> {
  const fixture = await insertMove(seeded.database.db, options);
  // Before scheduling: finishMove gives the client its ACTIVE status back either way.
  const before = await clientState(seeded.database.db, fixture.clientId);
  await seeded.activities.markMoveScheduled({ moveId: fixture.moveId });
  await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId });
  for (const row of MOVE_STEP_TABLE) await runStep(seeded.activities, row, 'forward', fixture.moveId, BATCH);
  const moved = await clientState(seeded.database.db, fixture.clientId);
  if (undo) await runCompensations(seeded.activities, fixture.moveId, BATCH);
  const finishedAt = new Date().toISOString();
  const phase = undo ? 'ROLLED_BACK' : 'COMPLETED';
  await seeded.activities.finishMove({
    moveId: fixture.moveId,
    phase,
    progress: progressFor(fixture.moveId, phase, { finishedAt }),
  });
  return { before, moved, after: await clientState(seeded.database.db, fixture.clientId) };
}

it('moves a client without a bundle into one, and a rollback leaves it with none again', async () => {
  const { before, moved, after } = await moveAndMaybeUndo(
    { client: 'Gale & Moss', to: 'LDN-SHO', bundle: '500 minutes' },
    true,
  );
  expect(before.client).toMatchObject({ siteId: siteIdOf('AMS-ZUI'), minuteBundleId: null });
  expect(moved.client).toMatchObject({
    siteId: siteIdOf('LDN-SHO'),
    tariffId: tariffIdOf('LDN-SHO', 'Standard'),
    minuteBundleId: bundleIdOf('LDN-SHO', '500 minutes'),
  });
  expect(after).toEqual(before);
});

it('moves a client without a bundle and leaves it without one at the destination', async () => {
  const { before, moved, after } = await moveAndMaybeUndo(
    { client: 'Gale & Moss', to: 'MAN-SPF', bundle: null },
    false,
  );
  expect(before.client.minuteBundleId).toBeNull();
  expect(moved.client).toMatchObject({ siteId: siteIdOf('MAN-SPF'), minuteBundleId: null });
  expect(after.client).toMatchObject({ siteId: siteIdOf('MAN-SPF'), minuteBundleId: null, status: 'ACTIVE' });
  expect(after.users.every((u) => u.siteId === siteIdOf('MAN-SPF'))).toBe(true);
});

it('may leave the bundle empty for a client that has one, and a rollback gives its bundle back', async () => {
  const brightwave = clientIdOf('Brightwave Studios');
  const had = (await seeded.database.db.client.findUniqueOrThrow({ where: { id: brightwave } })).minuteBundleId;
  expect(had).not.toBeNull();
  const { before, moved, after } = await moveAndMaybeUndo(
    { client: 'Brightwave Studios', to: 'MAN-SPF', bundle: null },
    true,
  );
  expect(moved.client).toMatchObject({ siteId: siteIdOf('MAN-SPF'), minuteBundleId: null });
  expect(after).toEqual(before);
  expect(after.client.minuteBundleId).toBe(had);
});
