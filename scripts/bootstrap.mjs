#!/usr/bin/env node
// First step of `npm start` and `npm test`: installs whatever is missing, and only that.
// `bootstrap.mjs start` skips the Java test server and promtool, which only the tests use.
// Plain Node with built-ins only: it runs before node_modules exists. Each step is cached by a
// stamp, so a warm run costs about a second.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePromtool, ensureTemporalCli, ensureTestServer } from './tools.mjs';

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
  if (major < 20 || (major === 20 && minor < 3)) {
    throw new BootstrapError(`Node.js 20.3 or newer is required; this is ${process.version}.`);
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

/** Whether a process with this id still runs (EPERM: it does, as another user). */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * One bootstrap at a time per checkout: `npm start` and `npm test` started together would otherwise
 * run two `npm ci` over one node_modules. A lock left by a process that died is taken over.
 */
async function takeLock() {
  const lock = path.join(root, '.tools', '.bootstrap.lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 30 * 60_000;
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      const release = () => rmSync(lock, { recursive: true, force: true });
      process.once('exit', release);
      return release;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const pidFile = path.join(lock, 'pid');
    const holder = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
    const orphaned = holder ? !isAlive(holder) : Date.now() - statSync(lock).mtimeMs > 60_000;
    if (orphaned) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new BootstrapError(`Another bootstrap (pid ${holder}) has held ${lock} for 30 minutes.`);
    if (!told) log(`waiting for another npm start / npm test (pid ${holder}) to finish installing...`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

try {
  const started = Date.now();
  checkNode();
  const release = await takeLock();
  ensureNodeModules();
  ensurePrismaClient();
  const forTests = process.argv[2] !== 'start';
  const tools = { temporalCli: await ensureTemporalCli({ root, log }) };
  if (forTests) {
    tools.testServer = await ensureTestServer({ root, log });
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
