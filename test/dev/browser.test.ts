// Bootstrap's browser step (scripts/browser.mjs): CHROME_PATH first, then a Chromium on PATH; with
// none and no right to install, one line that says what to install. Stand-in executables play the
// browsers, so this runs the real lookup without depending on what this machine has.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'csm-browser-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An executable that prints `output` for --version, like a browser (or a stub that is not one). */
function fakeExecutable(name: string, output: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\necho '${output}'\n`);
  chmodSync(file, 0o755);
  return file;
}

/** Runs ensureBrowser in a child with exactly this environment, unable to install anything. */
function ensureBrowser(env: Record<string, string>) {
  const script = `import(${JSON.stringify(path.join(ROOT, 'scripts', 'browser.mjs'))})
    .then((m) => m.ensureBrowser({ env: ${JSON.stringify(env)}, canInstall: false }))
    .then((found) => { console.log(found); process.exit(0); }, (e) => { console.error(e.message); process.exit(1); });`;
  return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
}

it('takes CHROME_PATH when it is a browser', () => {
  const chrome = fakeExecutable('my-chrome', 'Google Chrome 150.0.0.0');
  const result = ensureBrowser({ CHROME_PATH: chrome, PATH: '' });
  expect({ status: result.status, found: result.stdout.trim() }).toEqual({ status: 0, found: chrome });
});

it('refuses a CHROME_PATH that is not a browser, in one line', () => {
  const notChrome = fakeExecutable('not-chrome', 'hello');
  const result = ensureBrowser({ CHROME_PATH: notChrome, PATH: '' });
  expect(result.status).toBe(1);
  expect(result.stderr.trim()).toBe(
    `CHROME_PATH=${notChrome} is not a working Chromium or Chrome: point it at one, or unset it.`,
  );
});

it('finds chromium on PATH, passing over a stub that is not a browser', () => {
  const stubs = path.join(dir, 'stubs');
  const real = path.join(dir, 'real');
  for (const folder of [stubs, real]) spawnSync('mkdir', [folder]);
  writeFileSync(
    path.join(stubs, 'chromium'),
    "#!/bin/sh\necho 'Command chromium requires the chromium snap: snap install chromium'\n",
    { mode: 0o755 },
  );
  writeFileSync(path.join(real, 'chromium'), "#!/bin/sh\necho 'Chromium 156.0.8078.108 built on Debian'\n", {
    mode: 0o755,
  });
  const result = ensureBrowser({ PATH: `${stubs}:${real}` });
  expect({ status: result.status, found: result.stdout.trim() }).toEqual({
    status: 0,
    found: path.join(real, 'chromium'),
  });
});

it('with no browser and no right to install one, says what to install in one line', () => {
  const result = ensureBrowser({ PATH: dir });
  expect(result.status).toBe(1);
  const message = result.stderr.trim();
  expect(message).toBe(
    'The web app tests need Chromium: install it (Debian: `apt-get install chromium`) or set CHROME_PATH to a Chromium or Chrome.',
  );
});
