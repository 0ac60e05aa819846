// The one-statement reads (src/api/rowQueries.ts) return exactly what Prisma's queries with
// `moveInclude` and `taskInclude` return, for rows with and without each optional relation.
import { selectMoveRow, selectTaskPage } from '../../src/api/rowQueries';
import { moveInclude, siteRefSelect, taskInclude } from '../../src/api/views';
import { seedDemoData } from '../../src/dev/seed';
import { progressJson } from '../../src/activities/shared/progressJson';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { insertMove, progressFor, siteIdOf } from '../support/moveFixtures';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemoData(database.db, { env: 'development' });
});
afterAll(() => database.drop());

async function bothReads(moveId: string) {
  const viaInclude = await database.db.clientSiteMove.findUnique({ where: { id: moveId }, include: moveInclude });
  const viaSql = await selectMoveRow(database.db, moveId);
  // The include lists spaces in no promised order (the API sorts them by name).
  const bySpaceId = (row: typeof viaInclude) =>
    row && { ...row, spaces: [...row.spaces].sort((a, b) => a.space.id.localeCompare(b.space.id)) };
  return { viaInclude: bySpaceId(viaInclude), viaSql: bySpaceId(viaSql) };
}

it('reads a move with every relation as the include does', async () => {
  const move = await insertMove(database.db, {
    client: 'Acme Analytics Ltd',
    to: 'MAN-SPF',
    targetSpaces: [3, 1],
    notify: true,
    scheduledFor: new Date('2026-12-01T09:00:00.000Z'),
  });
  await database.db.clientSiteMove.update({
    where: { id: move.moveId },
    data: {
      runId: 'run-1',
      status: 'NEEDS_ATTENTION',
      startedAt: new Date(),
      lastError: 'PhoneNumberBlocked',
      reviewed: { users: { count: 2, digest: 'abc' } },
      needsHuman: [{ type: 'X', message: 'put it right' }],
      scheduledLocalTime: '2026-12-01T09:00',
      scheduledTimeZone: 'Europe/London',
    },
  });
  await database.db.dashboardTask.create({
    data: {
      siteId: siteIdOf('MAN-SPF'),
      clientId: move.clientId,
      moveId: move.moveId,
      title: 'Client Site Move: Acme Analytics Ltd',
      phase: 'NEEDS_ATTENTION',
      progress: progressJson(progressFor(move.moveId, 'NEEDS_ATTENTION')),
    },
  });
  const { viaInclude, viaSql } = await bothReads(move.moveId);
  expect(viaInclude?.spaces).toHaveLength(2);
  expect(viaInclude?.task).not.toBeNull();
  expect(viaSql).toStrictEqual(viaInclude);
});

it('reads a move without a bundle, spaces, notification or task as the include does', async () => {
  const move = await insertMove(database.db, { client: 'Cobalt Legal LLP', to: 'LDS-WEL', bundle: null });
  const { viaInclude, viaSql } = await bothReads(move.moveId);
  expect(viaInclude).toMatchObject({ minuteBundle: null, notifyOperator: null, task: null, spaces: [] });
  expect(viaSql).toStrictEqual(viaInclude);
});

it('answers null for a move that does not exist', async () => {
  expect(await selectMoveRow(database.db, '00000000-0000-4000-8000-000000000000')).toBeNull();
});

describe("a site's dashboard tasks", () => {
  const site = siteIdOf('MAN-SPF');
  /** As the route read them before: the site, the count and the page through Prisma. */
  async function viaPrisma(page: { open?: boolean; offset: number; limit: number }) {
    const where = { siteId: site, ...(page.open === undefined ? {} : { open: page.open }) };
    const [ref, total, rows] = await Promise.all([
      database.db.site.findUniqueOrThrow({ where: { id: site }, select: siteRefSelect }),
      database.db.dashboardTask.count({ where }),
      database.db.dashboardTask.findMany({
        where,
        include: taskInclude,
        orderBy: [{ open: 'desc' }, { updatedAt: 'desc' }, { id: 'asc' }],
        skip: page.offset,
        take: page.limit,
      }),
    ]);
    return { site: ref, total, rows };
  }

  beforeAll(async () => {
    // Beside the task of the first test's move: two more, one of them closed.
    for (const [client, open] of [
      ['Dune & Finch', true],
      ['Brightwave Studios', false],
    ] as const) {
      const move = await insertMove(database.db, { client, to: 'MAN-SPF' });
      await database.db.dashboardTask.create({
        data: {
          siteId: site,
          clientId: move.clientId,
          moveId: move.moveId,
          title: `Client Site Move: ${client}`,
          phase: open ? 'SCHEDULED' : 'COMPLETED',
          open,
          closedAt: open ? null : new Date(),
          progress: progressJson(progressFor(move.moveId, open ? 'SCHEDULED' : 'COMPLETED')),
        },
      });
    }
  });

  it.each([
    { offset: 0, limit: 20 },
    { open: true, offset: 0, limit: 20 },
    { open: false, offset: 0, limit: 20 },
    { offset: 1, limit: 1 },
    { offset: 10, limit: 5 },
  ])('reads the page %o as Prisma does', async (page) => {
    const expected = await viaPrisma(page);
    expect(await selectTaskPage(database.db, site, page)).toStrictEqual(expected);
  });

  it('answers null for a site that does not exist', async () => {
    expect(
      await selectTaskPage(database.db, '00000000-0000-4000-8000-000000000000', { offset: 0, limit: 5 }),
    ).toBeNull();
  });
});
