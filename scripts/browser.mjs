// Finds the Chromium the web app's tests drive (playwright-core cannot download one here): CHROME_PATH,
// then `chromium`, `google-chrome`, `chromium-browser` on PATH; where none is found it installs
// Debian's `chromium` when it may (root and apt-get present), else stops with what to install.
// Plain Node with built-ins only, like the rest of bootstrap.
import { execFile, spawnSync } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

const NAMES = ['chromium', 'google-chrome', 'chromium-browser'];

/** A problem the user can fix; its message is one line that says what to do. */
export class BrowserNotFoundError extends Error {}

/**
 * @param {{ log?: (line: string) => void, env?: NodeJS.ProcessEnv, canInstall?: boolean }} [options]
 * @returns {Promise<string>} absolute path of a working Chromium
 */
export async function ensureBrowser({ log = () => {}, env = process.env, canInstall = mayInstall() } = {}) {
  if (env.CHROME_PATH) {
    const version = await browserVersion(env.CHROME_PATH);
    if (!version) {
      throw new BrowserNotFoundError(
        `CHROME_PATH=${env.CHROME_PATH} is not a working Chromium or Chrome: point it at one, or unset it.`,
      );
    }
    return env.CHROME_PATH;
  }
  const found = await findBrowser(env);
  if (found) return found;
  if (!canInstall) {
    throw new BrowserNotFoundError(
      'The web app tests need Chromium: install it (Debian: `apt-get install chromium`) or set CHROME_PATH to a Chromium or Chrome.',
    );
  }
  log('no Chromium found: installing Debian’s chromium (apt-get, about 480 MB, once)...');
  const started = Date.now();
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env: aptEnv });
    if (result.status !== 0) {
      throw new BrowserNotFoundError(
        `\`apt-get ${args.join(' ')}\` failed (exit ${result.status ?? result.error?.message}): install Chromium yourself or set CHROME_PATH.`,
      );
    }
  }
  const installed = await findBrowser(env);
  if (!installed) throw new BrowserNotFoundError('apt-get installed chromium, but no `chromium` is on PATH.');
  log(`chromium installed at ${installed} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return installed;
}

/** The first candidate on PATH that runs and says it is Chromium or Chrome (a snap stub does not). */
async function findBrowser(env) {
  for (const name of NAMES) {
    for (const dir of (env.PATH ?? '').split(path.delimiter)) {
      if (!dir) continue;
      const candidate = path.join(dir, name);
      if ((await isExecutable(candidate)) && (await browserVersion(candidate))) return candidate;
    }
  }
  return null;
}

function mayInstall() {
  return process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0;
}

/** "Chromium 156.0.8078.108 built on Debian ..." or null when the program is not a working browser. */
function browserVersion(file) {
  return new Promise((resolve) => {
    execFile(file, ['--version'], { timeout: 30_000, encoding: 'utf8' }, (error, stdout) => {
      // A version line, e.g. "Chromium 156.0.8078.108 built on Debian"; a stub that only says how to
      // install the browser (Ubuntu's chromium-browser) has none.
      resolve(!error && /\b(Chromium|Chrome)\b.*\d+\.\d+\.\d+/.test(stdout) ? stdout.trim() : null);
    });
  });
}

async function isExecutable(file) {
  try {
    await fs.access(file, fsConstants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}
