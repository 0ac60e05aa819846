// The pre-move check over real rows: every finding preflightCheck can make, each worded and ordered
// as the move, its task and its warnings email show it. One move meets them all at once.
import {
  bundleIdOf,
  clientIdOf,
  insertMove,
  siteIdOf,
  spaceIdOf,
  tariffIdOf,
  seededActivities,
} from '../support/moveFixtures';

const seeded = seededActivities();

it('finds what would stop the move and what could surprise it, in a fixed order', async () => {
  const db = seeded.database.db;
  const clientAt = (name: string, site: string) =>
    db.client.create({
      data: { name, siteId: siteIdOf(site), tariffId: tariffIdOf(site, 'Standard'), minuteBundleId: null },
    });
  // Evergreen Health (120 users, a blocked number, three mail handling services) to Amsterdam, which
  // offers no mail handling, into three small spaces: one since let, one promised to another move, one
  // free (promised only to a move that was cancelled).
  const move = await insertMove(db, { client: 'Evergreen Health', to: 'AMS-ZUI', targetSpaces: [2, 3, 4] });
  await insertMove(db, { client: 'Dune & Finch', to: 'AMS-ZUI', targetSpaces: [2] });
  const cancelled = await insertMove(db, { client: 'Cobalt Legal LLP', to: 'AMS-ZUI', targetSpaces: [4] });
  await db.clientSiteMove.update({
    where: { id: cancelled.moveId },
    data: { status: 'CANCELLED', finishedAt: new Date() },
  });
  await db.space.update({ where: { id: spaceIdOf('AMS-ZUI', 3) }, data: { clientId: clientIdOf('Gale & Moss') } });
  // Since scheduled: the client was made inactive and left for London; Amsterdam got a client of its
  // name and one of nearly its name.
  await db.client.update({
    where: { id: move.clientId },
    data: {
      status: 'INACTIVE',
      siteId: siteIdOf('LDN-SHO'),
      tariffId: tariffIdOf('LDN-SHO', 'Premium'),
      minuteBundleId: bundleIdOf('LDN-SHO', '2,000 minutes'),
    },
  });
  const namesake = await clientAt('Evergreen Health', 'AMS-ZUI');
  const similar = await clientAt('evergreen   HEALTH', 'AMS-ZUI');
  await clientAt('Evergreen Health', 'LDS-WEL'); // elsewhere: neither a namesake nor similar
  const blocked = await db.phoneNumber.findFirstOrThrow({ where: { clientId: move.clientId, status: 'BLOCKED' } });

  const spaces = [
    { id: spaceIdOf('AMS-ZUI', 2), label: 'Suite 1.02', why: "is promised to another client's move" },
    { id: spaceIdOf('AMS-ZUI', 3), label: 'Suite 1.03', why: 'has been let to another client' },
    { id: spaceIdOf('AMS-ZUI', 4), label: 'Suite 1.04', why: null },
  ].sort((a, b) => a.id.localeCompare(b.id));
  const clientItem = { kind: 'CLIENT', id: move.clientId, label: 'Evergreen Health' };
  const found = await seeded.activities.preflightCheck({ moveId: move.moveId });
  expect(found.problems).toEqual([
    {
      type: 'client-not-active',
      message: 'Evergreen Health has been made inactive; an inactive client cannot move',
      field: 'clientId',
      item: clientItem,
    },
    {
      type: 'client-not-at-source',
      message: 'Evergreen Health is no longer at Manchester Spinningfields, the site this move was scheduled from',
      field: 'clientId',
      item: clientItem,
    },
    ...spaces.flatMap((space, i) =>
      space.why === null
        ? []
        : {
            type: 'space-occupied',
            message: `${space.label} at Amsterdam Zuidas ${space.why}`,
            field: `spaceIds.${i}`,
            item: { kind: 'SPACE', id: space.id, label: space.label },
          },
    ),
    {
      type: 'client-name-taken',
      message: 'Amsterdam Zuidas now has another client named Evergreen Health; client names are unique per site',
      field: 'destinationSiteId',
      item: { kind: 'CLIENT', id: namesake.id, label: 'Evergreen Health' },
    },
  ]);
  expect(found.warnings).toEqual([
    {
      type: 'phone-number-blocked',
      message: `${blocked.number} is blocked by the carrier: the move will stop at it until it is unblocked`,
      field: null,
      item: { kind: 'PHONE_NUMBER', id: blocked.id, label: blocked.number },
    },
    {
      type: 'space-capacity-below-users',
      message: `The chosen spaces (${spaces.map((s) => s.label).join(', ')}) hold 30; Evergreen Health has 120 users`,
      field: 'spaceIds',
      item: null,
    },
    {
      type: 'similar-client-name-at-destination',
      message:
        'Amsterdam Zuidas already has a client named "evergreen   HEALTH", nearly the same as "Evergreen Health"',
      field: 'destinationSiteId',
      item: { kind: 'CLIENT', id: similar.id, label: 'evergreen   HEALTH' },
    },
    {
      type: 'service-type-not-offered',
      message:
        "Amsterdam Zuidas does not offer mail handling; the client's 3 mail handling service(s) move all the same",
      field: 'destinationSiteId',
      item: { kind: 'SERVICE_TYPE', id: 'MAIL_HANDLING', label: 'mail handling' },
    },
  ]);
});

it('a move that does not exist is missing, not a check with no findings', async () => {
  for (const moveId of ['6d3c1a4e-0000-4000-8000-000000000000', 'not-a-move']) {
    await expect(seeded.activities.preflightCheck({ moveId })).rejects.toMatchObject({ type: 'MoveDataMissing' });
  }
});
