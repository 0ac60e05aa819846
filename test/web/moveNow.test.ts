// The whole wizard in a real browser against the real stack (API serving the built app, PostgreSQL,
// the Temporal dev server, a worker with the real activities, the mail sink): Dune & Finch moves to
// London now. The move page reaches Completed, the client shows at London, the dashboard's task has
// full bars, the email is in the sink; the first step's checks show beside their fields; axe-core
// finds nothing serious on any page or step.
import type { Browser, Page } from 'playwright-core';
import { type ApiHarness } from '../api/harness';
import {
  barOf,
  clientRow,
  closeWebStack,
  fitsTheWindow,
  openTab,
  PHONE,
  seriousAccessibilityProblems,
  signInAsDemo,
  startWebStack,
  waitForHeading,
  waitForText,
} from './browser';

let harness: ApiHarness;
let browser: Browser;
let page: Page;
let baseUrl: string;

beforeAll(async () => {
  ({ harness, browser, page, baseUrl } = await startWebStack({
    temporal: 'dev-server',
    worker: true,
    temporalWebUrl: 'http://temporal-web.test',
  }));
});
afterAll(() => closeWebStack({ browser, harness }));

const accessible = async (what: string) =>
  expect({ what, problems: await seriousAccessibilityProblems(page) }).toEqual({ what, problems: [] });

it('signs in as the demo T2 Super Admin and opens the wizard from the client’s More menu', async () => {
  await page.goto(`${baseUrl}/`);
  await waitForHeading(page, 'Sign in to Connect Site Move');
  await accessible('sign-in page');
  await signInAsDemo(page, baseUrl, 'T2 Super Admin');
  await waitForHeading(page, 'Clients');
  await clientRow(page, 'Dune & Finch').waitFor();
  await accessible('clients page');

  await page.getByRole('button', { name: 'More for Dune & Finch' }).click();
  await page.getByRole('link', { name: 'Client Site Move' }).click();
  await waitForHeading(page, 'Client Site Move: Dune & Finch');
  await page.getByRole('heading', { level: 2, name: 'Pick A Site & Space' }).waitFor();
  await accessible('Pick A Site & Space');
});

it('shows the first step’s problems beside their fields and in a summary', async () => {
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
  await summary.waitFor();
  expect(await summary.textContent()).toContain('Select A Site to Move: is required');
  for (const [label, errorId] of [
    ['Select A Site to Move', 'destinationSiteId-error'],
    ['Client Tariff At Destination Site', 'tariffId-error'],
  ] as const) {
    const control = page.getByLabel(label, { exact: true });
    expect(await control.getAttribute('aria-invalid')).toBe('true');
    expect(await control.getAttribute('aria-describedby')).toContain(errorId);
    expect(await page.locator(`#${errorId}`).textContent()).toContain('is required');
  }
  // A minute bundle is optional: leaving it out is no error.
  expect(
    await page.getByLabel('Client Minute Bundle At Destination Site', { exact: true }).getAttribute('aria-invalid'),
  ).not.toBe('true');
  await accessible('Pick A Site & Space with errors');
  // The summary's link takes the keyboard to the field.
  await summary.getByRole('link', { name: /Select A Site to Move/ }).click();
  expect(await page.locator(':focus').getAttribute('id')).toBe('destination-site');
});

it('walks the steps with Next and Back and moves the client now: the move page reaches Completed', async () => {
  await page.getByLabel('Move Now').check();
  await page.getByLabel('Select A Site to Move').selectOption({ label: 'London Shoreditch (LDN-SHO)' });
  // Choices that depend on the site appear once it is chosen; fixing a field clears its error.
  expect(await page.locator('#destinationSiteId-error').count()).toBe(0);
  await page.getByLabel('Client Tariff At Destination Site').selectOption({ label: 'Premium (£790.00 a month)' });
  await page.getByLabel('Client Minute Bundle At Destination Site').selectOption({ index: 1 });
  await page.getByLabel('Suite 2.01 (for 4)').check();
  await page
    .getByLabel('T2 user to receive email notification')
    .selectOption({ label: 'Alex Admin (demo), T2 Admin (admin@t2.example)' });
  await page.getByRole('button', { name: 'Next', exact: true }).click();

  await page.getByRole('heading', { level: 2, name: 'Review Users' }).waitFor();
  await waitForText(page.getByRole('table'), 'user0003@dunefinch.example');
  expect(await page.getByRole('table').getByRole('row').count()).toBe(4);
  await accessible('Review Users');
  // Back keeps what was chosen.
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  expect(await page.getByLabel('Suite 2.01 (for 4)').isChecked()).toBe(true);
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByRole('button', { name: 'Next', exact: true }).click();

  await page.getByRole('heading', { level: 2, name: 'Review Phone Numbers' }).waitFor();
  await page.locator('caption').filter({ hasText: 'Phone numbers (2)' }).waitFor();
  await accessible('Review Phone Numbers');
  await page.getByRole('button', { name: 'Next', exact: true }).click();

  await page.getByRole('heading', { level: 2, name: 'Review Services' }).waitFor();
  await page.locator('caption').filter({ hasText: 'Services (2)' }).waitFor();
  await accessible('Review Services');
  await page.getByRole('button', { name: 'Next', exact: true }).click();

  await page.getByRole('heading', { level: 2, name: 'Review All Details' }).waitFor();
  const details = await page.locator('dl.details').first().textContent();
  for (const text of ['Move Now', 'London Shoreditch (LDN-SHO)', 'Premium', 'Suite 2.01', 'Alex Admin (demo)']) {
    expect(details).toContain(text);
  }
  await accessible('Review All Details');

  // The first Finish reaches the API (the move starts) but its answer is lost on the way back; Finish
  // again sends the same Idempotency-Key, and lands on that same move instead of starting another.
  const keys: string[] = [];
  await page.route('**/api/client-site-moves', async (route) => {
    keys.push(route.request().headers()['idempotency-key'] ?? '(none)');
    if (keys.length > 1) return route.continue();
    await route.fetch();
    await route.abort('connectionreset');
  });
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.getByRole('alert').filter({ hasText: 'The API could not be reached' }).waitFor();
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.waitForURL(/\/moves\/[0-9a-f-]{36}$/);
  await page.unroute('**/api/client-site-moves');
  expect(keys).toHaveLength(2);
  expect(keys[1]).toBe(keys[0]);
  expect(await harness.db.clientSiteMove.count()).toBe(1);
  await waitForHeading(page, 'Client Site Move: Dune & Finch');
  await waitForText(page.locator('.move-summary'), 'Completed');
  await waitForText(page.locator('.details'), 'Sent');
  const progress = page.getByRole('region', { name: 'Progress' });
  expect(await barOf(progress, 'Users')).toEqual({ value: 3, max: 3, text: '3 / 3' });
  expect(await page.getByRole('link', { name: /Open in Temporal Web/ }).getAttribute('href')).toMatch(
    /^http:\/\/temporal-web\.test\/namespaces\/default\/workflows\/client-site-move-/,
  );
  // Times are the viewer's, with the zone named.
  expect(await page.locator('.timeline').textContent()).toMatch(/\d{2}:\d{2} (GMT|BST)/);
  await accessible('move page');
});

it('shows the client Active at London, the dashboard task with full bars, and the email in the sink', async () => {
  await page.getByRole('link', { name: 'Clients' }).click();
  await page.getByLabel('Site', { exact: true }).selectOption({ label: 'London Shoreditch (LDN-SHO)' });
  const row = clientRow(page, 'Dune & Finch');
  // The list may show what it cached a moment before the move finished; it refreshes to the new site.
  await waitForText(row, 'London Shoreditch');
  expect(await row.textContent()).toMatch(/London Shoreditch\s*Active(?! - move)/);

  await page.getByRole('link', { name: 'Dashboard' }).click();
  await page.getByLabel('Site', { exact: true }).selectOption({ label: 'London Shoreditch (LDN-SHO)' });
  await waitForHeading(page, 'Dashboard: London Shoreditch');
  const task = page.getByRole('article', { name: 'Dune & Finch' });
  await waitForText(task, 'Completed');
  expect(await task.textContent()).toContain('Bristol Temple Quay');
  for (const [kind, total] of [
    ['Users', 3],
    ['Phone numbers', 2],
    ['Services', 2],
  ] as const) {
    expect(await barOf(task, kind)).toEqual({ value: total, max: total, text: `${total} / ${total}` });
  }
  await accessible('dashboard');

  const mail = harness.mailSink!.messages();
  expect(mail).toHaveLength(1);
  expect(mail[0]).toMatchObject({ to: ['admin@t2.example'] });
  expect(mail[0]!.subject).toContain('Dune & Finch');

  await page.getByRole('link', { name: 'Moves' }).click();
  await waitForHeading(page, 'Moves');
  await waitForText(clientRow(page, 'Dune & Finch'), 'Completed');
  await accessible('moves page');
});

it('fits a 390 px phone screen: no page scrolls sideways', async () => {
  const phone = await openTab(browser, PHONE);
  try {
    await signInAsDemo(phone.page, baseUrl, 'T2 Super Admin');
    for (const path of ['/clients', `/clients/${await clientIdOf('Brightwave Studios')}/site-move`, '/moves']) {
      await phone.page.goto(`${baseUrl}${path}`);
      await phone.page.getByRole('heading', { level: 1 }).waitFor();
      await phone.page.locator('.loading').waitFor({ state: 'detached' });
      expect({ path, fits: await fitsTheWindow(phone.page) }).toEqual({ path, fits: true });
    }
  } finally {
    await phone.context.close();
  }
});

async function clientIdOf(name: string): Promise<string> {
  return (await harness.db.client.findFirstOrThrow({ where: { name } })).id;
}
