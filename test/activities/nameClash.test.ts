// Client names are unique per site: a move into a site that already has a client of the same name
// stops with a failure an operator can act on, not a constraint error retried for minutes.
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../src/activities';
import type { MoveActivities } from '../../src/activities/contract';
import { seedDemoData } from '../../src/dev/seed';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  clientState,
  insertMove,
  noMail,
  runCompensations,
  siteIdOf,
  tariffIdOf,
  bundleIdOf,
} from '../support/moveFixtures';

let t: TestDatabase;
let a: MoveActivities;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemoData(t.db, { env: 'test' });
  a = createActivities({ db: t.db, mailer: noMail });
});
afterAll(() => t.drop());

it('applyTariffAndBundle refuses, non-retryably, a destination that has a client of the same name', async () => {
  const move = await insertMove(t.db, { client: 'Dune & Finch', to: 'LDS-WEL' });
  await t.db.client.create({
    data: {
      name: 'Dune & Finch',
      siteId: siteIdOf('LDS-WEL'),
      tariffId: tariffIdOf('LDS-WEL', 'Standard'),
      minuteBundleId: bundleIdOf('LDS-WEL', '500 minutes'),
    },
  });
  await a.markMoveScheduled({ moveId: move.moveId });
  const before = await clientState(t.db, move.clientId);
  await a.snapshotMoveItems({ moveId: move.moveId });

  const failure = await a.applyTariffAndBundle({ moveId: move.moveId }).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'InvalidChoice', nonRetryable: true });
  expect((failure as Error).message).toMatch(/Another client named Dune & Finch is already at Leeds Wellington Place/);
  expect((await clientState(t.db, move.clientId)).client).toEqual(before.client);

  await runCompensations(a, move.moveId, 10);
  expect(await clientState(t.db, move.clientId)).toEqual(before);
});
