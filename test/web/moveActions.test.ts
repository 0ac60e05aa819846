// Deciding about moves in a real browser against the real stack: a scheduled move (Brightwave to
// Manchester) shows "Active - move scheduled" at once, is rescheduled and cancelled from its page,
// and leaves the client Active at London; a T2 Admin sees all of it but no action; Evergreen Health
// stops in Needs attention on its blocked number and is rolled back from its page. Errors from the
// API appear beside the field they name; axe-core finds nothing serious, dialogs included.
import type { Browser, Page } from 'playwright-core';
import { ADMIN, type ApiHarness } from '../api/harness';
import {
  clientRow,
  closeWebStack,
  openTab,
  seriousAccessibilityProblems,
  signInAsDemo,
  signInWithToken,
  startWebStack,
  type Viewer,
  waitForHeading,
  waitForText,
} from './browser';

let harness: ApiHarness;
let browser: Browser;
let page: Page;
let baseUrl: string;
let admin: Viewer;
let brightwaveMove: string;

beforeAll(async () => {
  ({ harness, browser, page, baseUrl } = await startWebStack({ temporal: 'dev-server', worker: true }));
  admin = await openTab(browser);
  await Promise.all([signInAsDemo(page, baseUrl, 'T2 Super Admin'), signInWithToken(admin.page, baseUrl, ADMIN)]);
});
afterAll(() => closeWebStack({ browser, harness }));

const accessible = async (what: string, on = page) =>
  expect({ what, problems: await seriousAccessibilityProblems(on) }).toEqual({ what, problems: [] });

/** A date in London, days from today, as the date input takes it (YYYY-MM-DD). */
const londonDate = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });

const clientId = async (name: string) => (await harness.db.client.findFirstOrThrow({ where: { name } })).id;

it('finds a time in the past before Finish, shows it beside Date & Time of Move, keeps the form, then schedules the move', async () => {
  await page.goto(`${baseUrl}/clients/${await clientId('Brightwave Studios')}/site-move`);
  await waitForHeading(page, 'Client Site Move: Brightwave Studios');
  await page.getByLabel('Schedule Move').check();
  await page.getByLabel('Date', { exact: true }).fill(londonDate(-1));
  await page.getByLabel('Time', { exact: true }).fill('09:00');
  await page.getByLabel('Select A Site to Move').selectOption({ label: 'Manchester Spinningfields (MAN-SPF)' });
  await page.getByLabel('Client Tariff At Destination Site').selectOption({ index: 1 });
  await page.getByLabel('Client Minute Bundle At Destination Site').selectOption({ index: 1 });
  for (let step = 0; step < 4; step++) await page.getByRole('button', { name: 'Next', exact: true }).click();

  // The API's check names moveAt before Finish, which stays disabled; its link opens the first step
  // with the error beside the field.
  const problems = page.getByRole('alert').filter({ hasText: 'Finish is not possible' });
  await problems.waitFor();
  expect(await problems.textContent()).toContain('Date & Time of Move: ');
  expect(await problems.textContent()).toContain('must be "now" or a time in the future');
  expect(await page.getByRole('button', { name: 'Finish' }).isDisabled()).toBe(true);
  await problems.getByRole('link', { name: 'Date & Time of Move' }).click();
  const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
  await summary.waitFor();
  expect(await summary.textContent()).toContain('Date & Time of Move: ');
  expect(await page.locator('#moveAt-error').textContent()).toContain('must be "now" or a time in the future');
  expect(await page.getByLabel('Date', { exact: true }).getAttribute('aria-describedby')).toContain('moveAt-error');
  expect(await page.getByLabel('Select A Site to Move').inputValue()).not.toBe('');
  expect(await harness.db.clientSiteMove.count()).toBe(0);
  await accessible('wizard with an error from the API');

  await page.getByLabel('Date', { exact: true }).fill(londonDate(1));
  for (let step = 0; step < 4; step++) await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.waitForURL(/\/moves\/[0-9a-f-]{36}$/);
  brightwaveMove = page.url().split('/').pop()!;
  await waitForText(page.locator('.move-summary'), 'Scheduled');
  const move = await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: brightwaveMove } });
  expect(move.idempotencyKey).toMatch(/^wizard-[0-9a-f]{32}$/);
});

it('shows the client "Active - move scheduled" right after Finish', async () => {
  await page.getByRole('link', { name: 'Clients' }).click();
  await waitForText(clientRow(page, 'Brightwave Studios'), 'Active - move scheduled');
});

it('shows a T2 Admin everything but no action', async () => {
  const view = admin.page;
  await view.goto(`${baseUrl}/clients`);
  await view.getByRole('button', { name: 'More for Brightwave Studios' }).click();
  await view.getByRole('link', { name: 'Moves of this client' }).waitFor();
  expect(await view.getByRole('link', { name: 'Client Site Move' }).count()).toBe(0);

  await view.goto(`${baseUrl}/moves/${brightwaveMove}`);
  await waitForText(view.locator('.move-summary'), 'Scheduled');
  await view.getByRole('heading', { name: 'Timeline' }).waitFor();
  expect(await view.getByRole('heading', { name: 'Actions' }).count()).toBe(0);
  for (const action of ['Move now', 'Reschedule', 'Cancel', 'Retry', 'Roll back']) {
    expect({ action, buttons: await view.getByRole('button', { name: action, exact: true }).count() }).toEqual({
      action,
      buttons: 0,
    });
  }
  await view.goto(`${baseUrl}/clients/${await clientId('Cobalt Legal LLP')}/site-move`);
  await view.getByText('Only a T2 Super Admin is able to perform the Client Site Move function.').waitFor();
  await accessible('wizard for a T2 Admin', view);
});

it('reschedules the move from its page', async () => {
  await page.goto(`${baseUrl}/moves/${brightwaveMove}`);
  await page.getByRole('button', { name: 'Reschedule', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Reschedule the move' });
  await dialog.waitFor();
  await accessible('reschedule dialog');
  await dialog.getByLabel('Date', { exact: true }).fill(londonDate(2));
  await dialog.getByLabel('Time', { exact: true }).fill('10:30');
  await dialog.getByRole('button', { name: 'Save the new time' }).click();
  await page.getByRole('status').filter({ hasText: 'The move has a new time.' }).waitFor();
  await waitForText(page.locator('.timeline'), '10:30');
  const move = await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: brightwaveMove } });
  expect(move.scheduledFor.toLocaleString('en-GB', { timeZone: 'Europe/London' })).toMatch(/ 10:30:00$/);
});

it('asks for a cancel reason beside its field, then cancels: the client is Active again at London', async () => {
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel the move' });
  await dialog.getByRole('button', { name: 'Yes, cancel the move' }).click();
  await dialog.locator('#cancel-reason-error').filter({ hasText: 'must be 1 to 500 characters' }).waitFor();
  expect(await dialog.getByLabel('Reason').getAttribute('aria-invalid')).toBe('true');
  await accessible('cancel dialog with an error');

  await dialog.getByLabel('Reason').fill('The client stays in London after all');
  await dialog.getByRole('button', { name: 'Yes, cancel the move' }).click();
  await waitForText(page.locator('.move-summary'), 'Cancelled');
  await waitForText(
    page.locator('.timeline li').filter({ hasText: 'Cancelled' }),
    'Reason: The client stays in London after all',
  );

  await page.getByRole('link', { name: 'Clients' }).click();
  await page.getByLabel('Site', { exact: true }).selectOption({ label: 'London Shoreditch (LDN-SHO)' });
  const row = clientRow(page, 'Brightwave Studios');
  await waitForText(row.locator('.status'), /^Active$/);
  expect(await row.textContent()).toContain('London Shoreditch');
});

it('stops Evergreen Health in Needs attention naming the blocked number; Roll back ends it Rolled back', async () => {
  const evergreen = await clientId('Evergreen Health');
  const blocked = await harness.db.phoneNumber.findFirstOrThrow({ where: { clientId: evergreen, status: 'BLOCKED' } });
  await page.goto(`${baseUrl}/clients/${evergreen}/site-move`);
  await page.getByLabel('Select A Site to Move').selectOption({ label: 'Leeds Wellington Place (LDS-WEL)' });
  await page.getByLabel('Client Tariff At Destination Site').selectOption({ index: 1 });
  await page.getByLabel('Client Minute Bundle At Destination Site').selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  // The review flags the blocked number before anything starts.
  await page.getByRole('heading', { level: 2, name: 'Review Phone Numbers' }).waitFor();
  await page.getByText('1 phone number is blocked').waitFor();
  for (let step = 0; step < 2; step++) await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.waitForURL(/\/moves\/[0-9a-f-]{36}$/);

  await waitForText(page.locator('.move-summary'), 'Needs attention');
  const progress = page.getByRole('region', { name: 'Progress' });
  await waitForText(progress.locator('.last-error'), blocked.number);
  await page.getByRole('button', { name: 'Retry', exact: true }).waitFor();
  await accessible('move page in Needs attention');

  // The destination's dashboard shows it too, with the number.
  await admin.page.goto(`${baseUrl}/dashboard`);
  await admin.page.getByLabel('Site', { exact: true }).selectOption({ label: 'Leeds Wellington Place (LDS-WEL)' });
  const task = admin.page.getByRole('article', { name: 'Evergreen Health' });
  await waitForText(task, 'Needs attention');
  await waitForText(task.locator('.last-error'), blocked.number);
  expect(await admin.page.getByRole('button', { name: 'Roll back', exact: true }).count()).toBe(0);

  await page.getByRole('button', { name: 'Roll back', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Roll back the move?' });
  await accessible('roll back dialog');
  await dialog.getByRole('button', { name: 'Yes, roll back' }).click();
  await waitForText(page.locator('.move-summary'), 'Rolled back');
  const client = await harness.db.client.findUniqueOrThrow({ where: { id: evergreen }, include: { site: true } });
  expect({ status: client.status, site: client.site.code }).toEqual({ status: 'ACTIVE', site: 'MAN-SPF' });
});
