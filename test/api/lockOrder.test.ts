// Spaces are locked in one order everywhere (by id): a start choosing spaces and a move assigning the
// same spaces, at once, wait for each other instead of deadlocking (which PostgreSQL would break by
// failing one of them: a 500 for the start, or a failed step for the move).
import { createActivities } from '../../src/activities';
import { insertMove, noMail, spaceIdOf } from '../support/moveFixtures';
import { PROBLEM, api, eventually, startApiHarness, startBody, type ApiHarness } from './harness';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'unreachable' });
});
afterAll(() => harness.close());

/** Two vacant Manchester spaces whose names sort one way and whose ids sort the other. */
function crossedPair(): { first: string; second: string } {
  const vacant = [5, 6, 7, 8, 9, 10, 11, 12].map((n) => ({ n, id: spaceIdOf('MAN-SPF', n) }));
  for (const a of vacant) {
    // Seed names grow with the number (Suite 2.01, Suite 2.02, ...): `a` comes first by name.
    const b = vacant.find((other) => other.n > a.n && other.id < a.id);
    if (b) return { first: a.id, second: b.id };
  }
  throw new Error('no pair of spaces whose name order and id order differ');
}

async function backendsWaitingOnLocks(): Promise<number> {
  const [row] = await harness.db.$queryRaw<{ waiting: number }[]>`
    SELECT count(*)::int AS waiting FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock'`;
  return row?.waiting ?? 0;
}

it('a start and a move assigning the same spaces, at once: the move assigns them, the start is refused 422', async () => {
  const { first, second } = crossedPair();
  const activities = createActivities({ db: harness.db, mailer: noMail });
  const moving = await insertMove(harness.db, { client: 'Brightwave Studios', to: 'MAN-SPF' });
  await harness.db.clientSiteMoveSpace.createMany({
    data: [first, second].map((spaceId) => ({ moveId: moving.moveId, spaceId, role: 'TARGET' as const })),
  });

  // Something else holds the space that comes first by name, so both contenders queue behind it.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  const holder = harness.db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT id FROM space WHERE id = ${first}::uuid FOR UPDATE`;
      held = true;
      await released;
    },
    { timeout: 60_000 },
  );
  await eventually(() => Promise.resolve(held ? true : undefined), { what: 'the first space to be held' });

  const assigning = activities.assignSpaces({ moveId: moving.moveId }).then(
    () => 'assigned',
    (error: unknown) => `failed: ${(error as Error).message}`,
  );
  await eventually(async () => ((await backendsWaitingOnLocks()) >= 1 ? true : undefined), {
    what: 'the move to wait for the space',
  });
  const starting = api(harness.app).post(
    '/api/client-site-moves',
    startBody('Dune & Finch', 'MAN-SPF', { spaceIds: [first, second] }),
  );
  const started = starting.then((res) => res);
  await eventually(async () => ((await backendsWaitingOnLocks()) >= 2 ? true : undefined), {
    what: 'the start to wait too',
  });
  release();
  await holder;

  expect(await assigning).toBe('assigned');
  const res = await started;
  expect({ status: res.status, type: (res.body as { type: string }).type }).toEqual({
    status: 422,
    type: `${PROBLEM}space-occupied`,
  });
  const spaces = await harness.db.space.findMany({ where: { id: { in: [first, second] } } });
  expect(spaces.map((s) => s.clientId)).toEqual([moving.clientId, moving.clientId]);
});
