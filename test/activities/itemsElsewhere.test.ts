// A client's items are not always all at its own site: everything moves, and a rollback puts each
// item back where it was, wherever that was.
import {
  clientState,
  insertMove,
  runCompensations,
  runForwardSteps,
  siteIdOf,
  seededActivities,
} from '../support/moveFixtures';

const seeded = seededActivities();

it('moves items at a third site and at the destination as promised, and rolls each back to its own site', async () => {
  // Cobalt Legal is at Manchester; one user works from Leeds, one number is already in London.
  const move = await insertMove(seeded.database.db, { client: 'Cobalt Legal LLP', to: 'LDN-SHO' });
  const [user] = await seeded.database.db.clientUser.findMany({
    where: { clientId: move.clientId },
    take: 1,
    orderBy: { id: 'asc' },
  });
  const [number] = await seeded.database.db.phoneNumber.findMany({
    where: { clientId: move.clientId },
    take: 1,
    orderBy: { id: 'asc' },
  });
  await seeded.database.db.clientUser.update({ where: { id: user!.id }, data: { siteId: siteIdOf('LDS-WEL') } });
  await seeded.database.db.phoneNumber.update({ where: { id: number!.id }, data: { siteId: siteIdOf('LDN-SHO') } });
  await seeded.activities.markMoveScheduled({ moveId: move.moveId });
  const before = await clientState(seeded.database.db, move.clientId);

  const totals = await seeded.activities.snapshotMoveItems({ moveId: move.moveId });
  // The number already at the destination is not an item to move; everything else is.
  expect(totals.users.total).toBe(before.users.length);
  expect(totals.phoneNumbers.total).toBe(before.phoneNumbers.length - 1);
  await runForwardSteps(seeded.activities, move.moveId, 10);
  const moved = await clientState(seeded.database.db, move.clientId);
  expect(new Set(moved.users.map((u) => u.siteId))).toEqual(new Set([siteIdOf('LDN-SHO')]));
  expect(new Set(moved.phoneNumbers.map((n) => n.siteId))).toEqual(new Set([siteIdOf('LDN-SHO')]));

  await runCompensations(seeded.activities, move.moveId, 10);
  const after = await clientState(seeded.database.db, move.clientId);
  expect(after).toEqual(before);
  expect(after.users.find((u) => u.id === user!.id)?.siteId).toBe(siteIdOf('LDS-WEL'));
});
