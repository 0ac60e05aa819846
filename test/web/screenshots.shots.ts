// `npm run screenshots`: a PNG of each page and wizard step into docs/screenshots/, taken from the
// real stack (the same harness as the browser tests) at 1280x800, and the main pages at 390x844.
// Not part of `npm test` (jest matches *.test.ts); run it after changing how the app looks.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/paths';
import { api, clientIdOf, eventually, spaceIdOf, startApiHarness, startBody, type ApiHarness } from '../api/harness';
import {
  PHONE,
  clientRow,
  ensureWebAppBuilt,
  launchBrowser,
  openTab,
  signInAsDemo,
  waitForHeading,
  waitForText,
} from './browser';

const OUT = path.join(PROJECT_ROOT, 'docs', 'screenshots');

let harness: ApiHarness;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  ensureWebAppBuilt();
  mkdirSync(OUT, { recursive: true });
  [harness, browser] = await Promise.all([
    startApiHarness({ temporal: 'dev-server', worker: true, http: true, temporalWebUrl: 'http://127.0.0.1:8233' }),
    launchBrowser(),
  ]);
  baseUrl = harness.url!;
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

const shoot = (page: Page, name: string, fullPage = true) =>
  page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage });
const clientId = async (name: string) => (await harness.db.client.findFirstOrThrow({ where: { name } })).id;
const tomorrowAt = (hour: number) => {
  const at = new Date(Date.now() + 86_400_000);
  at.setUTCHours(hour, 0, 0, 0);
  return at.toISOString();
};

/** Tomorrow at this local time in Amsterdam, as the wizard sends it (YYYY-MM-DDTHH:MM). */
const tomorrowInAmsterdam = (time: string) =>
  `${new Date(Date.now() + 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/Amsterdam' })}T${time}`;

/** Moves in several phases, started through the API, so the lists and the dashboard have something to show. */
async function startMoves(): Promise<{ completed: string; scheduled: string; held: string }> {
  const start = async (body: object) =>
    (await api(harness.app).post('/api/client-site-moves', body).expect(201)).body as { id: string };
  const completed = await start(startBody('Dune & Finch', 'LDN-SHO', { notifyOperatorId: null }));
  // In Amsterdam: its times are shown in Amsterdam's zone.
  const scheduled = await start(
    startBody('Cobalt Legal LLP', 'AMS-ZUI', { moveAt: tomorrowInAmsterdam('09:00'), timeZone: 'Europe/Amsterdam' }),
  );
  const held = await start(
    startBody('Brightwave Studios', 'MAN-SPF', { moveAt: tomorrowAt(14), spaceIds: [spaceIdOf('MAN-SPF', 9)] }),
  );
  await eventually(
    async () => {
      const move = await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: completed.id } });
      return move.status === 'COMPLETED' ? true : undefined;
    },
    { what: 'the Dune & Finch move to complete' },
  );
  return { completed: completed.id, scheduled: scheduled.id, held: held.id };
}

it('writes a PNG of each page and wizard step', async () => {
  const moves = await startMoves();
  const { page } = await openTab(browser);

  await page.goto(`${baseUrl}/`);
  await waitForHeading(page, 'Sign in to Connect Site Move');
  await shoot(page, '01-sign-in');
  await signInAsDemo(page, baseUrl, 'T2 Super Admin');

  await waitForText(clientRow(page, 'Cobalt Legal LLP'), 'Active - move scheduled');
  await page.getByRole('button', { name: 'More for Evergreen Health' }).click();
  await shoot(page, '02-clients');

  // The wizard, for the client with a blocked number (its review flags it).
  await page.getByRole('link', { name: 'Client Site Move' }).click();
  await waitForHeading(page, 'Client Site Move: Evergreen Health');
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'There is a problem' }).waitFor();
  await shoot(page, '03-wizard-errors');
  await page.getByLabel('Select A Site to Move').selectOption({ label: 'London Shoreditch (LDN-SHO)' });
  await page.getByLabel('Client Tariff At Destination Site').selectOption({ label: 'Premium (£790.00 a month)' });
  await page.getByLabel('Client Minute Bundle At Destination Site').selectOption({ index: 2 });
  await page.getByLabel('Suite 2.02 (for 7)').check();
  await page.getByLabel('T2 user to receive email notification').selectOption({ index: 1 });
  await shoot(page, '04-wizard-pick-a-site-and-space');
  for (const [name, caption] of [
    ['05-wizard-review-users', 'Users (120)'],
    ['06-wizard-review-phone-numbers', 'Phone numbers (80)'],
    ['07-wizard-review-services', 'Services (20)'],
  ] as const) {
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.locator('caption').filter({ hasText: caption }).waitFor();
    await shoot(page, name);
  }
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByText('What moves').waitFor();
  await page.locator('dd').filter({ hasText: '80 (1 blocked)' }).waitFor();
  // The check before Finish: the blocked number, and a space too small for 120 users.
  await page.locator('.start-check .alert-warning').waitFor();
  await shoot(page, '08-wizard-review-all-details');

  await page.getByRole('button', { name: 'Finish' }).click();
  await page.waitForURL(/\/moves\/[0-9a-f-]{36}$/);
  await waitForText(page.locator('.move-summary'), 'Needs attention');
  await page.locator('.last-error').first().waitFor();
  await shoot(page, '09-move-needs-attention');
  await page.getByRole('button', { name: 'Roll back', exact: true }).click();
  await page.getByRole('dialog').waitFor();
  // The window only: a modal's backdrop covers the window, not the whole page.
  await shoot(page, '10-move-roll-back-dialog', false);
  await page.keyboard.press('Escape');

  await page.goto(`${baseUrl}/moves/${moves.scheduled}`);
  await waitForText(page.locator('.move-summary'), 'Scheduled');
  await page.locator('.timeline li').first().waitFor();
  await shoot(page, '11-move-scheduled');
  await page.goto(`${baseUrl}/moves/${moves.completed}`);
  await waitForText(page.locator('.move-summary'), 'Completed');
  await shoot(page, '12-move-completed');

  await page.goto(
    `${baseUrl}/sites/${(await harness.db.site.findFirstOrThrow({ where: { code: 'LDN-SHO' } })).id}/dashboard`,
  );
  await page.getByRole('article', { name: 'Evergreen Health' }).locator('.last-error').waitFor();
  await page.getByRole('article', { name: 'Dune & Finch' }).filter({ hasText: 'Completed' }).waitFor();
  await shoot(page, '13-dashboard');

  await page.goto(`${baseUrl}/moves`);
  await waitForText(clientRow(page, 'Evergreen Health'), 'Needs attention');
  await shoot(page, '14-moves');

  const phone = await openTab(browser, PHONE);
  await signInAsDemo(phone.page, baseUrl, 'T2 Super Admin');
  await phone.page.goto(`${baseUrl}/clients/${await clientId('Acme Analytics Ltd')}/site-move`);
  await phone.page.getByLabel('Select A Site to Move').selectOption({ label: 'Manchester Spinningfields (MAN-SPF)' });
  await shoot(phone.page, '15-phone-wizard');
  await phone.page.goto(`${baseUrl}/moves/${moves.completed}`);
  await waitForText(phone.page.locator('.move-summary'), 'Completed');
  await shoot(phone.page, '16-phone-move');
  await phone.page.goto(`${baseUrl}/moves`);
  await waitForText(clientRow(phone.page, 'Evergreen Health'), 'Needs attention');
  await shoot(phone.page, '17-phone-moves');

  // Brightwave's space in Manchester is let to another client; Move now: the check before moving
  // holds the move (Retry or Cancel); cancelled, its timeline says who did what.
  await harness.db.space.update({
    where: { id: spaceIdOf('MAN-SPF', 9) },
    data: { clientId: clientIdOf('Cobalt Legal LLP') },
  });
  await page.goto(`${baseUrl}/moves/${moves.held}`);
  await waitForText(page.locator('.move-summary'), 'Scheduled');
  await page.getByRole('button', { name: 'Move now', exact: true }).click();
  await page.getByRole('button', { name: 'Yes, move now' }).click();
  await page.locator('.held-by-check').waitFor();
  await shoot(page, '18-move-held-by-check');
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await page.getByLabel('Reason').fill('The space went to another client');
  await page.getByRole('button', { name: 'Yes, cancel the move' }).click();
  await waitForText(page.locator('.move-summary'), 'Cancelled');
  await waitForText(page.locator('.timeline li'), 'Reason: The space went to another client');
  await waitForText(page.locator('.timeline li').last(), /^Cancelled[\s\S]*by System$/);
  await shoot(page, '19-move-cancelled-timeline');

  // The check before Finish finds a problem: Finish stays disabled.
  await page.goto(`${baseUrl}/clients/${await clientId('Acme Analytics Ltd')}/site-move`);
  await page.getByLabel('Select A Site to Move').selectOption({ label: 'Manchester Spinningfields (MAN-SPF)' });
  await page.getByLabel('Client Tariff At Destination Site').selectOption({ index: 1 });
  const space = page.getByRole('group', { name: 'Selected Spaces' }).getByRole('checkbox').first();
  await space.check();
  await harness.db.space.update({
    where: { id: (await space.getAttribute('id'))!.replace(/^space-/, '') },
    data: { clientId: clientIdOf('Cobalt Legal LLP') },
  });
  for (let step = 0; step < 4; step++) await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'Finish is not possible' }).waitFor();
  await shoot(page, '20-wizard-check-problem');
});
