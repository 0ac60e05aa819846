// Client names are unique per site: a move into a site that already has a client of the same name
// stops with a failure an operator can act on, not a constraint error retried for minutes.
import { ApplicationFailure } from '@temporalio/common';
import {
  clientState,
  insertMove,
  runCompensations,
  siteIdOf,
  tariffIdOf,
  bundleIdOf,
  seededActivities,
} from '../support/moveFixtures';

const seeded = seededActivities();

it('applyTariffAndBundle refuses, non-retryably, a destination that has a client of the same name', async () => {
  const move = await insertMove(seeded.database.db, { client: 'Dune & Finch', to: 'LDS-WEL' });
  await seeded.database.db.client.create({
    data: {
      name: 'Dune & Finch',
      siteId: siteIdOf('LDS-WEL'),
      tariffId: tariffIdOf('LDS-WEL', 'Standard'),
      minuteBundleId: bundleIdOf('LDS-WEL', '500 minutes'),
    },
  });
  await seeded.activities.markMoveScheduled({ moveId: move.moveId });
  const before = await clientState(seeded.database.db, move.clientId);
  await seeded.activities.snapshotMoveItems({ moveId: move.moveId });

  const failure = await seeded.activities
    .applyTariffAndBundle({ moveId: move.moveId })
    .catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'InvalidChoice', nonRetryable: true });
  expect((failure as Error).message).toMatch(/Another client named Dune & Finch is already at Leeds Wellington Place/);
  expect((await clientState(seeded.database.db, move.clientId)).client).toEqual(before.client);

  await runCompensations(seeded.activities, move.moveId, 10);
  expect(await clientState(seeded.database.db, move.clientId)).toEqual(before);
});

it('restoreTariffAndBundle refuses, non-retryably, a source that has a client of the same name since', async () => {
  const move = await insertMove(seeded.database.db, { client: 'Cobalt Legal LLP', to: 'LDS-WEL' });
  await seeded.activities.markMoveScheduled({ moveId: move.moveId });
  await seeded.activities.snapshotMoveItems({ moveId: move.moveId });
  await seeded.activities.applyTariffAndBundle({ moveId: move.moveId });
  const moved = await clientState(seeded.database.db, move.clientId);
  await seeded.database.db.client.create({
    data: {
      name: 'Cobalt Legal LLP',
      siteId: move.sourceSiteId,
      tariffId: tariffIdOf('MAN-SPF', 'Standard'),
      minuteBundleId: null,
    },
  });

  const failure = await seeded.activities
    .restoreTariffAndBundle({ moveId: move.moveId })
    .catch((error: unknown) => error);
  expect(failure).toMatchObject({ type: 'InvalidChoice', nonRetryable: true });
  expect((failure as Error).message).toMatch(/Another client named Cobalt Legal LLP is already at /);
  expect((await clientState(seeded.database.db, move.clientId)).client).toEqual(moved.client);
});
