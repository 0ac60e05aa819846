#!/usr/bin/env node
// First step of `npm start` and `npm test`: installs whatever is missing, and only that.
// `bootstrap.mjs start` skips what only the tests use: the Java test server, the browser, promtool.
// Plain Node with built-ins only: it runs before node_modules exists. Each step is cached by a
// stamp, so a warm run costs about a second.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBrowser } from './browser.mjs';
import { takeLock } from './lock.mjs';
import { ensurePromtool, ensureTemporalCli, ensureTestServer } from './tools.mjs';
import { ensureWebApp } from './webApp.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (line) => process.stderr.write(`[bootstrap] ${line}\n`);

class BootstrapError extends Error {}

function sha256(...files) {
  const hash = createHash('sha256');
  for (const file of files) hash.update(readFileSync(path.join(root, file)));
  return hash.digest('hex');
}

function stamped(stampFile, value) {
  return existsSync(stampFile) && readFileSync(stampFile, 'utf8') === value;
}

function run(command, args, what) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
  if (result.error) throw new BootstrapError(`${what} could not start: ${result.error.message}`);
  if (result.status !== 0) throw new BootstrapError(`${what} failed (exit ${result.status}); see the output above.`);
  log(`${what} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  // What Vite 8, which builds the web app, runs on: 20.19+ or 22.12+.
  const supported = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 23;
  if (!supported) {
    throw new BootstrapError(`Node.js 20.19+ or 22.12+ is required; this is ${process.version}.`);
  }
}

function ensureNodeModules() {
  const stamp = path.join(root, 'node_modules', '.bootstrap-lock-sha256');
  const want = sha256('package-lock.json');
  if (stamped(stamp, want)) return;
  log('installing npm dependencies (npm ci)...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  run(npm, ['ci', '--no-audit', '--no-fund'], 'npm ci');
  writeFileSync(stamp, want);
}

function ensurePrismaClient() {
  const stamp = path.join(root, 'src', 'generated', 'prisma', '.schema-sha256');
  const want = sha256('prisma/schema.prisma', 'package-lock.json');
  if (stamped(stamp, want)) return;
  log('generating the Prisma client...');
  run(
    process.execPath,
    [path.join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'generate'],
    'prisma generate',
  );
  writeFileSync(stamp, want);
}

try {
  const started = Date.now();
  checkNode();
  // One bootstrap at a time per checkout: `npm start` and `npm test` started together would otherwise
  // run two `npm ci` over one node_modules.
  const release = await takeLock(path.join(root, '.tools', '.bootstrap.lock'), {
    log,
    waitingFor: 'another npm start / npm test to finish installing',
  });
  ensureNodeModules();
  ensurePrismaClient();
  await ensureWebApp({ root, log });
  const forTests = process.argv[2] !== 'start';
  const tools = { temporalCli: await ensureTemporalCli({ root, log }) };
  if (forTests) {
    tools.testServer = await ensureTestServer({ root, log });
    // The web app's tests drive a real browser; `npm start` needs none.
    tools.browser = await ensureBrowser({ log });
    // Checks deploy/prometheus/*.yml in the tests.
    tools.promtool = await ensurePromtool({ root, log });
  }
  // The TypeScript side (npm start, the test harness) reads the tool paths from here.
  const manifest = path.join(root, '.tools', 'tools.json');
  const known = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')) : {};
  writeFileSync(manifest, `${JSON.stringify({ ...known, ...tools }, null, 2)}\n`);
  release();
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  // Expected failures carry a message that says what to do; a stack trace would only hide it.
  process.stderr.write(`\n[bootstrap] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
