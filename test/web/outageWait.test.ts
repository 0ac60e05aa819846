// A move waiting out an outage (issue 9: "shows as waiting for the database on the move and the
// task"), in a real browser against the real API. Temporal is unreachable here on purpose, so the
// move page and the dashboard show what the workflow last recorded in the database: the step held
// up, since when, and when it stops waiting and asks an operator, at the destination site's time.
import type { Browser, Page } from 'playwright-core';
import { formatAtSite } from '../../src/domain/timeZones';
import { type ApiHarness } from '../api/harness';
import { insertMove, progressFor, siteIdOf } from '../support/moveFixtures';
import { closeWebStack, signInAsDemo, startWebStack, waitForHeading, waitForText } from './browser';

let harness: ApiHarness;
let browser: Browser;
let page: Page;
let baseUrl: string;

beforeAll(async () => {
  ({ harness, browser, page, baseUrl } = await startWebStack({ temporal: 'unreachable' }));
  await signInAsDemo(page, baseUrl, 'T2 Super Admin');
});
afterAll(() => closeWebStack({ browser, harness }));

it('shows the move and its dashboard task waiting for the database, until when, in the site’s time', async () => {
  const move = await insertMove(harness.db, { client: 'Brightwave Studios', to: 'AMS-ZUI' });
  const since = new Date(Date.now() - 5 * 60_000).toISOString();
  const givesUpAt = new Date(Date.parse(since) + 30 * 60_000).toISOString();
  const progress = progressFor(move.moveId, 'MOVING', {
    startedAt: since,
    currentStep: 'MOVE_USERS',
    outage: {
      type: 'DatabaseUnavailable',
      message: 'the database did not answer',
      step: 'MOVE_USERS',
      since,
      givesUpAt,
    },
  });
  // As the workflow leaves it mid-move: running, with its run id, and its task mirrored.
  await harness.db.clientSiteMove.update({
    where: { id: move.moveId },
    data: { status: 'MOVING', runId: 'run-1', startedAt: new Date(since) },
  });
  await harness.db.dashboardTask.create({
    data: {
      siteId: move.destinationSiteId,
      clientId: move.clientId,
      moveId: move.moveId,
      title: 'Client Site Move: Brightwave Studios',
      phase: 'MOVING',
      progress: JSON.parse(JSON.stringify(progress)) as object,
    },
  });
  const expectWaiting = async (where: string) => {
    const wait = page.getByRole('status').filter({ hasText: 'Waiting for the database' });
    await wait.waitFor();
    const text = (await wait.textContent()) ?? '';
    expect(`${where}: ${text}`).toContain('the database did not answer');
    expect(text).toContain(formatAtSite(since, 'Europe/Amsterdam'));
    expect(text).toContain(formatAtSite(givesUpAt, 'Europe/Amsterdam'));
    expect(text).toContain('retries by itself');
  };

  await page.goto(`${baseUrl}/moves/${move.moveId}`);
  await waitForHeading(page, 'Client Site Move: Brightwave Studios');
  await expectWaiting('move page');

  await page.goto(`${baseUrl}/sites/${siteIdOf('AMS-ZUI')}/dashboard`);
  await waitForText(page.locator('main'), 'Brightwave Studios');
  await expectWaiting('dashboard task');
});
