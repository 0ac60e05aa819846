// The web app in a real Chromium, for the browser tests and `npm run screenshots`: the app built if
// its sources changed, the browser bootstrap found, one page per operator, sign-in as they would,
// and axe-core's accessibility check. Waits are for what the page shows, never for a fixed time.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { readProjectTool } from '../../src/dev/tools';
import { startApiHarness, type ApiHarness, type HarnessOptions } from '../api/harness';
import { PROJECT_ROOT } from '../../src/paths';

/** Headless and quiet: without the networking flags Chromium keeps calling home on a closed network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
/** Long enough for a move of a small client on a loaded machine; pages answer in well under that. */
export const WAIT_MS = 45_000;

/** Builds web/dist when its sources changed since the last build (scripts/webApp.mjs; quick when not). */
export function ensureWebAppBuilt(): void {
  const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'webApp.mjs')], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`The web app did not build:\n${result.stderr}`);
}

/** Chromium with a fresh profile (Playwright makes a new user-data-dir for each launch). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: readProjectTool('browser'), headless: true, args: CHROMIUM_ARGS });
}

/** The API over HTTP serving the built app, a browser, and one London tab on it (not signed in yet). */
export interface WebStack {
  harness: ApiHarness;
  browser: Browser;
  page: Page;
  baseUrl: string;
}

export async function startWebStack(options: Omit<HarnessOptions, 'http'>): Promise<WebStack> {
  ensureWebAppBuilt();
  const [harness, browser] = await Promise.all([startApiHarness({ ...options, http: true }), launchBrowser()]);
  const { page } = await openTab(browser);
  return { harness, browser, page, baseUrl: harness.url! };
}

/** For afterAll: whatever of the stack started. */
export async function closeWebStack(stack: Partial<WebStack>): Promise<void> {
  await stack.browser?.close();
  await stack.harness?.close();
}

export interface Viewer {
  context: BrowserContext;
  page: Page;
}

/** A tab of the app as one operator sees it: own session, London time, English. */
export async function openTab(browser: Browser, viewport = DESKTOP): Promise<Viewer> {
  const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'Europe/London' });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  return { context, page };
}

/** Signs in with one of the demo operators the development sign-in page offers. */
export async function signInAsDemo(page: Page, baseUrl: string, who: 'T2 Super Admin' | 'T2 Admin'): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('button', { name: new RegExp(`^Sign in as .*, ${who}$`) }).click();
  await page.getByRole('link', { name: 'Clients' }).waitFor();
}

/** Signs in the way production does: pasting the token. */
export async function signInWithToken(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Operator token').fill(token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('link', { name: 'Clients' }).waitFor();
}

/** The heading of the page now showing, once it shows this text. */
export async function waitForHeading(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name: text }).waitFor();
}

/** Waits until the locator's text matches (the page polls the API; this polls the page). */
export async function waitForText(locator: Locator, text: string | RegExp): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor();
}

export interface AxeFinding {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/** axe-core's findings of serious or critical impact on the page as it is now. */
export async function seriousAccessibilityProblems(page: Page): Promise<AxeFinding[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/** The row of a table whose header cell is this client's name. */
export function clientRow(page: Page, clientName: string): Locator {
  return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: clientName, exact: true }) });
}

/** True when the page is no wider than the window (nothing to scroll sideways but tables). */
export function fitsTheWindow(page: Page): Promise<boolean> {
  // A string: this project's TypeScript has no DOM types outside web/.
  return page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
}

/** A progress bar's value and maximum, and the count shown beside it, e.g. { value: 3, max: 3, text: '3 / 3' }. */
export async function barOf(scope: Locator, name: string): Promise<{ value: number; max: number; text: string }> {
  const bar = scope.getByRole('progressbar', { name, exact: true });
  const [value, max, text] = await Promise.all([
    bar.getAttribute('value'),
    bar.getAttribute('max'),
    bar.locator('xpath=following-sibling::*[1]').textContent(),
  ]);
  return { value: Number(value), max: Number(max), text: text?.trim() ?? '' };
}
