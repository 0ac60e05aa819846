// What the web app's lists need from the API: a dashboard task names where the client moves from
// and to, and the moves list can put the moves that need attention first (paging across both parts).
import { MovesResponse, TasksResponse } from '../../src/api/schemas';
import type { MovePhase } from '../../src/domain/move';
import { progressJson } from '../../src/activities/shared/progressJson';
import { insertMove, progressFor } from '../support/moveFixtures';
import { ADMIN, PROBLEM, api, siteIdOf, startApiHarness, type ApiHarness } from './harness';

let harness: ApiHarness;
const moveOf: Record<string, string> = {};

/** A move of the client in this phase, created `minutesAgo`. */
async function moveIn(client: string, to: string, phase: MovePhase, minutesAgo: number): Promise<void> {
  const { moveId, clientId } = await insertMove(harness.db, { client, to });
  const final = ['COMPLETED', 'ROLLED_BACK', 'CANCELLED', 'FAILED'].includes(phase);
  await harness.db.clientSiteMove.update({
    where: { id: moveId },
    data: {
      status: phase,
      createdAt: new Date(Date.now() - minutesAgo * 60_000),
      finishedAt: final ? new Date() : null,
    },
  });
  await harness.db.dashboardTask.create({
    data: {
      siteId: siteIdOf(to),
      clientId,
      moveId,
      title: `Client Site Move: ${client}`,
      phase,
      open: !final,
      closedAt: final ? new Date() : null,
      progress: progressJson(progressFor(moveId, phase)),
    },
  });
  moveOf[client] = moveId;
}

beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'unreachable', temporalTimeouts: { queryMs: 200 } });
  await moveIn('Acme Analytics Ltd', 'MAN-SPF', 'COMPLETED', 50);
  await moveIn('Evergreen Health', 'LDS-WEL', 'NEEDS_ATTENTION', 40);
  await moveIn('Brightwave Studios', 'MAN-SPF', 'SCHEDULED', 30);
  await moveIn('Cobalt Legal LLP', 'LDN-SHO', 'NEEDS_ATTENTION', 20);
  await moveIn('Dune & Finch', 'LDN-SHO', 'MOVING', 10);
});
afterAll(() => harness.close());

const names = async (query: string) =>
  MovesResponse.parse((await api(harness.app, ADMIN).get(`/api/client-site-moves${query}`).expect(200)).body).items.map(
    (m) => m.client.name,
  );

it('a dashboard task names the sites the client moves from and to', async () => {
  const res = await api(harness.app, ADMIN)
    .get(`/api/sites/${siteIdOf('LDN-SHO')}/dashboard/tasks`)
    .expect(200);
  const tasks = TasksResponse.parse(res.body);
  const dune = tasks.items.find((t) => t.client.name === 'Dune & Finch');
  expect(dune).toMatchObject({
    moveId: moveOf['Dune & Finch'],
    sourceSite: { id: siteIdOf('BRS-TQY'), code: 'BRS-TQY', name: 'Bristol Temple Quay' },
    destinationSite: { id: siteIdOf('LDN-SHO'), code: 'LDN-SHO', name: 'London Shoreditch' },
  });
});

describe('GET /api/client-site-moves?order=needs-attention-first', () => {
  it('lists the moves that need attention first, each part newest first', async () => {
    expect(await names('?order=needs-attention-first')).toEqual([
      'Cobalt Legal LLP',
      'Evergreen Health',
      'Dune & Finch',
      'Brightwave Studios',
      'Acme Analytics Ltd',
    ]);
  });

  it('pages across the two parts without losing or repeating a move', async () => {
    const pages = [];
    for (let offset = 0; offset < 5; offset += 2)
      pages.push(await names(`?order=needs-attention-first&limit=2&offset=${offset}`));
    expect(pages).toEqual([
      ['Cobalt Legal LLP', 'Evergreen Health'],
      ['Dune & Finch', 'Brightwave Studios'],
      ['Acme Analytics Ltd'],
    ]);
    expect(await names('?order=needs-attention-first&limit=3&offset=1')).toEqual([
      'Evergreen Health',
      'Dune & Finch',
      'Brightwave Studios',
    ]);
  });

  it('keeps the filters, and the total counts every match', async () => {
    const res = MovesResponse.parse(
      (
        await api(harness.app, ADMIN)
          .get(`/api/client-site-moves?order=needs-attention-first&siteId=${siteIdOf('LDN-SHO')}&limit=1`)
          .expect(200)
      ).body,
    );
    expect(res.items.map((m) => m.client.name)).toEqual(['Cobalt Legal LLP']);
    // From or to London: Cobalt and Dune & Finch come, Acme and Brightwave leave.
    expect(res.page).toEqual({ limit: 1, offset: 0, total: 4, nextOffset: 1 });
    expect(await names('?order=needs-attention-first&status=SCHEDULED,COMPLETED')).toEqual([
      'Brightwave Studios',
      'Acme Analytics Ltd',
    ]);
  });

  it('is newest first by default, as before', async () => {
    expect(await names('')).toEqual([
      'Dune & Finch',
      'Cobalt Legal LLP',
      'Brightwave Studios',
      'Evergreen Health',
      'Acme Analytics Ltd',
    ]);
  });

  it('400 for an unknown order', async () => {
    const res = await api(harness.app, ADMIN).get('/api/client-site-moves?order=oldest');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: `${PROBLEM}validation-failed`, errors: [{ field: 'order' }] });
  });
});
