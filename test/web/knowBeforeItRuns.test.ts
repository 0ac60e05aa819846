// Knowing before a move runs, in a real browser against the real stack (issue 11): the review step
// shows the API's check before Finish (Evergreen Health's blocked number and the other warnings; a
// space let to another client is a problem that keeps Finish disabled), Finish sends what the review
// showed and the move says what changed since; a move to Amsterdam is scheduled and rescheduled in
// the site's own time, zone named; a move held by the check before moving is cancelled from its page,
// whose timeline lists who did what (operators, and Temporal for an action taken in Temporal itself).
import type { Browser, Page, Request } from 'playwright-core';
import { formatAtSite, instantOfLocalTime } from '../../src/domain/timeZones';
import { rescheduleUpdate } from '../../src/workflows/clientSiteMove';
import {
  SUPER_ADMIN_ID,
  api,
  clientIdOf,
  eventually,
  siteIdOf,
  spaceIdOf,
  startBody,
  type ApiHarness,
} from '../api/harness';
import {
  closeWebStack,
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
let operatorName: string;

beforeAll(async () => {
  // The viewer is in London (its tab's zone): Amsterdam's times differ from the browser's by an hour.
  ({ harness, browser, page, baseUrl } = await startWebStack({ temporal: 'dev-server', worker: true }));
  await signInAsDemo(page, baseUrl, 'T2 Super Admin');
  operatorName = (await harness.db.operator.findUniqueOrThrow({ where: { id: SUPER_ADMIN_ID } })).name;
});
afterAll(() => closeWebStack({ browser, harness }));

const accessible = async (what: string) =>
  expect({ what, problems: await seriousAccessibilityProblems(page) }).toEqual({ what, problems: [] });

const next = () => page.getByRole('button', { name: 'Next', exact: true }).click();
const finish = () => page.getByRole('button', { name: 'Finish', exact: true });
const stepHeading = (name: string) => page.getByRole('heading', { level: 2, name }).waitFor();

/** The body of the next request the page sends to this path. */
function nextRequestBody(path: string): Promise<Record<string, unknown>> {
  return page
    .waitForRequest((r: Request) => r.method() === 'POST' && new URL(r.url()).pathname === path)
    .then((r) => r.postDataJSON() as Record<string, unknown>);
}

/** The timeline's entries as the page shows them, in order. */
async function timelineEntries(): Promise<string[]> {
  return (await page.locator('.timeline li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
}

it('shows the check before Finish: Evergreen Health’s blocked number and the other warnings; a problem keeps Finish disabled', async () => {
  const evergreen = clientIdOf('Evergreen Health');
  const blocked = await harness.db.phoneNumber.findFirstOrThrow({ where: { clientId: evergreen, status: 'BLOCKED' } });
  await page.goto(`${baseUrl}/clients/${evergreen}/site-move`);
  await waitForHeading(page, 'Client Site Move: Evergreen Health');
  await page.getByLabel('Select A Site to Move').selectOption({ label: 'Leeds Wellington Place (LDS-WEL)' });
  await page.getByLabel('Client Tariff At Destination Site').selectOption({ index: 1 });
  await page.getByLabel('Client Minute Bundle At Destination Site').selectOption({ index: 1 });
  const spaces = page.getByRole('group', { name: 'Selected Spaces' }).getByRole('checkbox');
  await spaces.nth(0).check();
  await spaces.nth(1).check();
  const [kept, letGo] = await Promise.all(
    [0, 1].map(
      async (n) => (await page.locator(`label[for="${await spaces.nth(n).getAttribute('id')}"]`).textContent())!,
    ),
  );
  const letGoName = letGo!.replace(/ \(for \d+\)$/, '');
  await next();
  await page.locator('caption').filter({ hasText: 'Users (120)' }).waitFor();

  // The second space is let to another client while the operator reviews: a problem before Finish.
  await harness.db.space.update({
    where: { siteId_name: { siteId: siteIdOf('LDS-WEL'), name: letGoName } },
    data: { clientId: clientIdOf('Cobalt Legal LLP') },
  });
  await next();
  await next();
  await next();
  await stepHeading('Review All Details');

  const problems = page.getByRole('alert').filter({ hasText: 'Finish is not possible' });
  await problems.waitFor();
  expect(await problems.textContent()).toContain(`Selected Spaces: A chosen space is not vacant`);
  expect(await problems.textContent()).toContain(`${letGoName} is occupied`);
  expect(await finish().isDisabled()).toBe(true);
  const warnings = page.locator('.start-check .alert-warning');
  await waitForText(warnings, blocked.number);
  const warningText = (await warnings.textContent()) ?? '';
  expect(warningText).toContain('Selected Spaces: The chosen spaces');
  expect(warningText).toContain('Evergreen Health has 120 users');
  await accessible('Review All Details with problems and warnings');

  // The problem's link opens the first step at the field, the check's words beside it.
  await problems.getByRole('link', { name: 'Selected Spaces' }).click();
  await stepHeading('Pick A Site & Space');
  await waitForText(page.locator('#spaceIds-error'), `${letGoName} is occupied`);
  await page.getByLabel(letGo!).uncheck();
  expect(await page.getByLabel(kept!).isChecked()).toBe(true);
  // The users step shows what it had, and asks the API again: what it shows once that answers is
  // what the operator reviewed.
  const usersAnswered = page.waitForResponse((r) => r.url().includes('/site-move/preview?offset=0&limit=50'));
  await next();
  await usersAnswered;
  await page.locator('caption').filter({ hasText: 'Users (120)' }).waitFor();
  // Once the operator has reviewed the users, one joins the client: the check says so before Finish.
  await harness.db.clientUser.create({
    data: {
      clientId: evergreen,
      siteId: siteIdOf('MAN-SPF'),
      name: 'Nia Newcomer',
      email: 'nia.newcomer@evergreen-health.example',
    },
  });
  for (let step = 0; step < 3; step++) await next();
  await stepHeading('Review All Details');
  await waitForText(page.locator('.start-check .alert-warning'), blocked.number);
  await waitForText(
    page.locator('.start-check .alert-warning'),
    'users changed since you reviewed them (120 then, 121 now)',
  );
  expect(await page.getByText('Finish is not possible').count()).toBe(0);
  expect(await finish().isEnabled()).toBe(true);

  // Finish sends what the review steps showed: the move compares it with what it takes.
  const sent = nextRequestBody('/api/client-site-moves');
  await finish().click();
  const reviewed = (await sent).reviewed as Record<string, { count: number; digest: string }>;
  expect(reviewed.users?.count).toBe(120);
  expect(reviewed.phoneNumbers?.count).toBe(80);
  expect(reviewed.users?.digest).toMatch(/^[0-9a-f]{32}$/);
  await page.waitForURL(/\/moves\/[0-9a-f-]{36}$/);

  const move = await harness.db.clientSiteMove.findFirstOrThrow({ where: { clientId: evergreen } });
  expect(move.reviewed).toMatchObject({ users: { count: 120 } });

  // The check before moving says the same on the move's page and its dashboard task.
  await waitForText(page.locator('.move-summary'), 'Needs attention');
  const progress = page.getByRole('region', { name: 'Progress' });
  await waitForText(progress.locator('.move-warnings'), blocked.number);
  expect(await progress.locator('.move-warnings').textContent()).toContain('The chosen spaces');
  await accessible('move page with the warnings of the check before moving');
  await page.goto(`${baseUrl}/sites/${siteIdOf('LDS-WEL')}/dashboard`);
  await waitForText(page.getByRole('article', { name: 'Evergreen Health' }).locator('.move-warnings'), blocked.number);
});

it('schedules a move to Amsterdam at 09:00 Amsterdam time, reschedules it in that time, then shows who joined since', async () => {
  // Tomorrow in Amsterdam, whatever the machine's zone.
  const date = new Date(Date.now() + 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/Amsterdam' });
  const atSite = (time: string) => {
    const instant = instantOfLocalTime(`${date}T${time}`, 'Europe/Amsterdam');
    if (!instant.ok) throw new Error(`${date}T${time} is not a time in Amsterdam`);
    return { at: instant.at, text: formatAtSite(instant.at, 'Europe/Amsterdam') };
  };
  const nine = atSite('09:00');

  await page.goto(`${baseUrl}/clients/${clientIdOf('Brightwave Studios')}/site-move`);
  await waitForHeading(page, 'Client Site Move: Brightwave Studios');
  await page.getByLabel('Schedule Move').check();
  await page.getByLabel('Select A Site to Move').selectOption({ label: 'Amsterdam Zuidas (AMS-ZUI)' });
  await page.getByLabel('Date', { exact: true }).fill(date);
  await page.getByLabel('Time', { exact: true }).fill('09:00');
  await page.getByLabel('Client Tariff At Destination Site').selectOption({ index: 1 });
  const hint = (await page.locator('#move-time-zone').textContent()) ?? '';
  expect(hint).toContain('in its time zone: Europe/Amsterdam');
  expect(hint).toContain(nine.text);
  // The viewer is in London: the page says what that is there too.
  expect(hint).toContain(
    `${nine.at.toLocaleTimeString('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' })}`,
  );
  for (let step = 0; step < 4; step++) await next();
  await stepHeading('Review All Details');
  await waitForText(page.locator('dl.details').first(), nine.text);
  // Brightwave's mail handling has no equivalent in Amsterdam: a warning, not a problem.
  await waitForText(page.locator('.start-check .alert-warning'), 'does not offer mail handling');
  expect(await finish().isEnabled()).toBe(true);

  const sent = nextRequestBody('/api/client-site-moves');
  await finish().click();
  expect(await sent).toMatchObject({ moveAt: `${date}T09:00`, timeZone: 'Europe/Amsterdam' });
  await page.waitForURL(/\/moves\/[0-9a-f-]{36}$/);
  const moveId = page.url().split('/').pop()!;
  await waitForText(page.locator('.move-summary'), 'Scheduled');
  const stored = await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: moveId } });
  expect(stored.scheduledFor.toISOString()).toBe(nine.at.toISOString());
  await waitForText(page.getByRole('region', { name: 'Choices' }), nine.text);

  // The moves list and Amsterdam's dashboard show the site's time too.
  await page.goto(`${baseUrl}/moves`);
  await waitForText(page.getByRole('row').filter({ hasText: 'Brightwave Studios' }), nine.text);
  await page.goto(`${baseUrl}/sites/${siteIdOf('AMS-ZUI')}/dashboard`);
  await waitForText(page.getByRole('article', { name: 'Brightwave Studios' }), nine.text);

  // Reschedule: the dialog starts at 09:00 (Amsterdam's, not London's 08:00) and sends Amsterdam time.
  await page.goto(`${baseUrl}/moves/${moveId}`);
  await page.getByRole('button', { name: 'Reschedule', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Reschedule the move' });
  expect(await dialog.getByLabel('Date', { exact: true }).inputValue()).toBe(date);
  expect(await dialog.getByLabel('Time', { exact: true }).inputValue()).toBe('09:00');
  expect(await dialog.locator('#reschedule-zone').textContent()).toContain('Europe/Amsterdam');
  await dialog.getByLabel('Time', { exact: true }).fill('10:30');
  const rescheduled = nextRequestBody(`/api/client-site-moves/${moveId}/reschedule`);
  await dialog.getByRole('button', { name: 'Save the new time' }).click();
  expect(await rescheduled).toEqual({ moveAt: `${date}T10:30`, timeZone: 'Europe/Amsterdam' });
  await page.getByRole('status').filter({ hasText: 'The move has a new time.' }).waitFor();
  const later = atSite('10:30');
  await waitForText(page.getByRole('region', { name: 'Choices' }), later.text);
  await waitForText(page.locator('.timeline li').filter({ hasText: 'Rescheduled' }), `To ${later.text}`);
  const moved = await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: moveId } });
  expect(moved.scheduledFor.toISOString()).toBe(later.at.toISOString());

  // A user joins after Finish; Move now: the move takes them, and says they were not reviewed.
  const joiner = await harness.db.clientUser.create({
    data: {
      clientId: clientIdOf('Brightwave Studios'),
      siteId: siteIdOf('LDN-SHO'),
      name: 'Jo Joiner',
      email: 'jo.joiner@brightwave.example',
    },
  });
  await page.getByRole('button', { name: 'Move now', exact: true }).click();
  await page.getByRole('dialog', { name: 'Move now?' }).getByRole('button', { name: 'Yes, move now' }).click();
  const sinceReview = page.getByRole('region', { name: 'Progress' }).locator('.since-review');
  await waitForText(sinceReview, 'Users: 1 added, 0 removed');
  expect(await sinceReview.textContent()).toContain(`Added: ${joiner.name} (users)`);
  await page.goto(`${baseUrl}/sites/${siteIdOf('AMS-ZUI')}/dashboard`);
  const task = page.getByRole('article', { name: 'Brightwave Studios' });
  await waitForText(task.locator('.since-review'), `Added: ${joiner.name} (users)`);
  await waitForText(task, 'Completed');
  await accessible('dashboard task with changes since the review');
});

it('cancels a move held by the check before moving; its timeline lists who did what, oldest first', async () => {
  const space = spaceIdOf('LDN-SHO', 7);
  const started = await api(harness.app).post(
    '/api/client-site-moves',
    startBody('Cobalt Legal LLP', 'LDN-SHO', {
      moveAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      spaceIds: [space],
    }),
  );
  expect(started.status).toBe(201);
  const { id: moveId, workflowId } = started.body as { id: string; workflowId: string };
  await page.goto(`${baseUrl}/moves/${moveId}`);
  await waitForText(page.locator('.move-summary'), 'Scheduled');

  // Someone on call reschedules it in Temporal Web (an update with no operator).
  await eventually(
    async () =>
      (await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: moveId } })).runId ? true : undefined,
    {
      what: 'the workflow to start',
    },
  );
  await harness.temporal.workflow
    .getHandle(workflowId)
    .executeUpdate(rescheduleUpdate, { args: [new Date(Date.now() + 3 * 86_400_000).toISOString()] });

  // The space is let to another client; Move now: the check before moving holds the move.
  const spaceName = (
    await harness.db.space.update({ where: { id: space }, data: { clientId: clientIdOf('Brightwave Studios') } })
  ).name;
  await page.getByRole('button', { name: 'Move now', exact: true }).click();
  await page.getByRole('dialog', { name: 'Move now?' }).getByRole('button', { name: 'Yes, move now' }).click();
  await waitForText(page.locator('.move-summary'), 'Needs attention');
  const progress = page.getByRole('region', { name: 'Progress' });
  await waitForText(progress.locator('.held-by-check'), 'nothing has moved');
  await waitForText(
    progress.locator('.last-error'),
    `${spaceName} at London Shoreditch has been let to another client`,
  );
  expect(await progress.locator('.last-error-title').textContent()).toBe('Problems found by the check before moving');
  // Nothing has moved: Retry or Cancel, no Roll back.
  await page.getByRole('button', { name: 'Retry', exact: true }).waitFor();
  expect(await page.getByRole('button', { name: 'Roll back', exact: true }).count()).toBe(0);
  await accessible('move page held by the check before moving');

  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel the move' });
  await dialog.getByLabel('Reason').fill('The space went to another client');
  await dialog.getByRole('button', { name: 'Yes, cancel the move' }).click();
  await waitForText(page.locator('.move-summary'), 'Cancelled');
  // The operator's cancel, and the trail's end: the move's ending.
  await waitForText(page.locator('.timeline li'), 'Reason: The space went to another client');
  await waitForText(page.locator('.timeline li').last(), /^Cancelled[\s\S]*by System$/);

  const entries = await timelineEntries();
  const byOperator = entries.filter((e) => e.includes(`by ${operatorName}`));
  expect(byOperator.map((e) => e.split(' (')[0])).toEqual(['Move requested', 'Asked to move now', 'Cancelled']);
  expect(byOperator[2]).toContain('Reason: The space went to another client');
  const inTemporal = entries.filter((e) => e.includes('by Temporal (Temporal Web or the CLI)'));
  expect(inTemporal).toHaveLength(1);
  expect(inTemporal[0]).toMatch(/^Rescheduled/);
  const held = entries.findIndex((e) => e.startsWith('Scheduled → Needs attention'));
  expect(entries[held]).toContain('Stopped at: Checking the move can still run');
  // Oldest first: requested, rescheduled in Temporal, move now, held, cancelled, the end.
  const order = ['Move requested', 'Rescheduled', 'Asked to move now', 'Scheduled → Needs attention', 'Cancelled'].map(
    (label) => entries.findIndex((e) => e.startsWith(label)),
  );
  expect(order).toEqual([...order].sort((a, b) => a - b));
  expect(order.every((i) => i >= 0)).toBe(true);
  expect(entries.at(-1)).toMatch(/^Cancelled .*by System/);
  await accessible('timeline of a cancelled move');
});
