// Project-local installer for the Temporal executables this project runs, kept in <root>/.tools
// (git-ignored). Plain Node ESM with node: built-ins only: it must run before `npm install`.
//
//   node scripts/tools.mjs [all|cli|test-server|promtool]   install (or verify the cached copies) and print paths
//
//   import { ensureTools, ensureTemporalCli, ensureTestServer, ensurePromtool, PINNED_VERSIONS } from './tools.mjs';
//   const { temporalCli, testServer, promtool } = await ensureTools({ root, log });
//
// - Temporal CLI (dev server + Temporal Web): one already on the machine is used when it is a
//   compatible version (TEMPORAL_CLI=<path>, else `temporal` on PATH); otherwise it is built from
//   source with `go install`, because the released binaries are not reachable from these machines.
//   v1.5.1 is the newest tag whose go.mod has no `replace` directive (which `go install
//   module@version` refuses). It is linked with the same -X Version flag as the official release
//   so `temporal --version` names the version.
// - Time-skipping test server: the Java artifact io.temporal:temporal-test-server plus its
//   dependencies, fetched with Maven (tools/test-server/pom.xml), run by a small sh wrapper.
// - promtool (for `npm test`: checks deploy/prometheus/alerts.yml): PROMTOOL=<path> or `promtool` on
//   PATH when there is one, else built with `go install` from Prometheus's Go module. v0.316.0 is the
//   newest version whose go.mod has no `replace` directive (v0.301.0 to v0.315.x all have one).
//
// Every install goes to a temporary folder beside its destination and is renamed into place, so
// an interrupted install never leaves a half-written tool behind; leftovers of dead installers are
// removed on the next run. Errors a user can fix are thrown as ToolInstallError with a one-line
// message meant to be printed without a stack.

import { spawn, execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const PINNED_VERSIONS = Object.freeze({
  /** github.com/temporalio/cli, embeds Temporal server 1.29.1 and UI 2.42.1. */
  temporalCli: '1.5.1',
  /** Maven io.temporal:temporal-test-server (Java SDK release), runs on Java 17. */
  temporalTestServer: '1.38.0',
  /** Go module github.com/prometheus/prometheus (Prometheus 3.x); needs Go 1.21+ (fetches 1.26.7). */
  promtool: '0.316.0',
});

const PROMTOOL_MODULE = 'github.com/prometheus/prometheus';
const PROMTOOL_PACKAGE = `${PROMTOOL_MODULE}/cmd/promtool`;

/**
 * Temporal CLIs the project runs as they are: 1.x from this one on (the dev server flags, search
 * attributes at start and updates the tests use are all there from 1.5.0; 2.x may change them).
 */
export const COMPATIBLE_CLI = Object.freeze({ min: '1.5.0', belowMajor: 2 });

const CLI_MODULE = 'github.com/temporalio/cli';
const CLI_PACKAGE = `${CLI_MODULE}/cmd/temporal`;
const TEST_SERVER_ARTIFACT = 'io.temporal:temporal-test-server';
const TEST_SERVER_MAIN = 'io.temporal.testserver.TestServer';

/** Default project root: the folder above scripts/. */
export const DEFAULT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A problem the user can fix; its message is one actionable line, print it without a stack. */
export class ToolInstallError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ToolInstallError';
  }
}

const defaultLog = (line) => process.stderr.write(`[tools] ${line}\n`);

/** Where the tools live (whether or not they are installed yet). */
export function toolPaths(root = DEFAULT_ROOT) {
  const toolsDir = path.join(path.resolve(root), '.tools');
  const testServerDir = path.join(toolsDir, 'test-server');
  return {
    toolsDir,
    binDir: path.join(toolsDir, 'bin'),
    temporalCli: path.join(toolsDir, 'bin', 'temporal'),
    promtool: path.join(toolsDir, 'bin', 'promtool'),
    testServerDir,
    testServerLib: path.join(testServerDir, 'lib'),
    testServer: path.join(testServerDir, 'temporal-test-server'),
    testServerStamp: path.join(testServerDir, 'VERSION'),
    testServerPom: path.join(path.resolve(root), 'tools', 'test-server', 'pom.xml'),
  };
}

// ---------------------------------------------------------------------------------------------
// Temporal CLI

/** True for a CLI version this project can run (see COMPATIBLE_CLI). */
export function isCompatibleCliVersion(version) {
  const major = Number(version.split('.')[0]);
  return compareVersions(version, COMPATIBLE_CLI.min) >= 0 && major < COMPATIBLE_CLI.belowMajor;
}

const compatibleRange = () => `${COMPATIBLE_CLI.min} or newer, below ${COMPATIBLE_CLI.belowMajor}.0`;

/**
 * The Temporal CLI to run, in this order: TEMPORAL_CLI when set (it must be compatible: a wrong one
 * is an error, never silently replaced); <root>/.tools/bin/temporal at the pinned version; a
 * compatible `temporal` on PATH; else the pinned version built with Go into <root>/.tools/bin.
 * Cached path: one or two `temporal --version` calls (tens of milliseconds).
 * @param {{ root?: string, log?: (line: string) => void, env?: Record<string, string | undefined> }} [options]
 * @returns {Promise<string>} absolute path of the `temporal` binary
 */
export async function ensureTemporalCli({ root = DEFAULT_ROOT, log = defaultLog, env = process.env } = {}) {
  const version = PINNED_VERSIONS.temporalCli;
  const paths = toolPaths(root);
  const bin = paths.temporalCli;

  if (env.TEMPORAL_CLI) return chosenCli(env.TEMPORAL_CLI);

  const found = await cliVersionOf(bin);
  if (found === version) return bin;

  const onPath = await findOnPath('temporal', env.PATH);
  const onPathVersion = onPath ? await cliVersionOf(onPath) : null;
  if (onPath && onPathVersion && isCompatibleCliVersion(onPathVersion)) {
    log(`Using the Temporal CLI on PATH: ${onPath} (version ${onPathVersion}); set TEMPORAL_CLI to choose another.`);
    return onPath;
  }
  if (onPath) {
    log(
      `Not using ${onPath} from PATH: it reports version ${onPathVersion ?? '(none)'}, and this project needs ${compatibleRange()}.`,
    );
  }

  const go = await findGo({
    env,
    what: `the Temporal CLI v${version} into ${rel(root, bin)}`,
    orElse: `or set TEMPORAL_CLI to a Temporal CLI ${compatibleRange()} you already have`,
  });
  log(
    found
      ? `Temporal CLI at ${rel(root, bin)} reports version ${found}, want ${version}: rebuilding.`
      : `Building Temporal CLI v${version} with ${go.path}${go.version ? ` (go ${go.version})` : ''} into ${rel(root, bin)}.`,
  );
  log(
    'The first build downloads a few hundred MB of Go modules and compiles for several minutes; later builds come from the Go caches.',
  );
  await goInstall({
    go: go.path,
    pkg: `${CLI_PACKAGE}@v${version}`,
    ldflags: `-s -w -X ${CLI_MODULE}/temporalcli.Version=${version}`,
    dest: bin,
    versionOf: cliVersionOf,
    version,
    log,
  });
  log(`Temporal CLI v${version} ready at ${rel(root, bin)}.`);
  return bin;
}

/** `go` on PATH at 1.21 or newer (which fetches the toolchain a module asks for), or a one-line error. */
async function findGo({ env, what, orElse }) {
  const go = await findOnPath('go', env.PATH);
  if (!go) {
    const hint = (await isExecutable('/usr/local/go/bin/go'))
      ? 'Go is installed in /usr/local/go but not on PATH: run `export PATH="$PATH:/usr/local/go/bin"`'
      : 'Install Go 1.21 or newer (https://go.dev/doc/install; Debian 13: `apt-get install golang-go`), put it on PATH';
    throw new ToolInstallError(
      `Go is needed once to build ${what}, and \`go\` is not on PATH. ${hint}, then re-run \`node scripts/tools.mjs\`; ${orElse}.`,
    );
  }
  const version = await goVersionOf(go);
  if (version && compareVersions(version, '1.21') < 0) {
    throw new ToolInstallError(
      `Go ${version} at ${go} is too old to build ${what} (it needs Go 1.21 or newer, which fetches the toolchain the module asks for itself). Install a newer Go (https://go.dev/doc/install), then re-run \`node scripts/tools.mjs\`.`,
    );
  }
  return { path: go, version };
}

/**
 * `go install pkg@version` into a temporary folder beside `dest`, checked with `versionOf`, then
 * renamed into place (atomic on one filesystem): an interrupted build leaves nothing half-written.
 */
async function goInstall({ go, pkg, ldflags, dest, versionOf, version, log }) {
  const binDir = path.dirname(dest);
  const name = path.basename(dest);
  await fs.mkdir(binDir, { recursive: true });
  await removeStaleTempDirs(binDir, `.install-${name}-`);
  const tmpBin = await fs.mkdtemp(path.join(binDir, `.install-${name}-${process.pid}-`));
  try {
    const started = Date.now();
    await run(go, ['install', '-v', '-ldflags', ldflags, pkg], {
      cwd: tmpBin, // outside any module or workspace
      env: { ...process.env, GOBIN: tmpBin, GOWORK: 'off', GO111MODULE: 'on' },
      log,
      what: `go install ${pkg}`,
    });
    const built = path.join(tmpBin, name);
    const builtVersion = await versionOf(built);
    if (builtVersion !== version) {
      throw new Error(`the freshly built ${built} reports version ${builtVersion ?? '(none)'}, want ${version}`);
    }
    await fs.rename(built, dest);
    log(`go install ${pkg} took ${seconds(started)}.`);
  } finally {
    await fs.rm(tmpBin, { recursive: true, force: true });
  }
}

/** TEMPORAL_CLI as given: it must run and be compatible, or the one line says what to change. */
async function chosenCli(given) {
  const cli = path.resolve(given);
  const version = await cliVersionOf(cli);
  if (!version) {
    throw new ToolInstallError(
      `TEMPORAL_CLI=${given} is not a Temporal CLI that runs (\`${given} --version\` did not answer \`temporal version …\`): point it at a \`temporal\` binary ${compatibleRange()}, or unset it.`,
    );
  }
  if (!isCompatibleCliVersion(version)) {
    throw new ToolInstallError(
      `TEMPORAL_CLI=${given} is Temporal CLI ${version}; this project needs ${compatibleRange()}: point it at another, or unset it to use the project's own (v${PINNED_VERSIONS.temporalCli}).`,
    );
  }
  return cli;
}

/** Version reported by `<bin> --version` ("temporal version 1.5.1 (Server ..., UI ...)"), or null. */
async function cliVersionOf(bin) {
  if (!(await isExecutable(bin))) return null;
  try {
    const { stdout } = await execFileAsync(bin, ['--version'], { timeout: 15_000 });
    const m = /^temporal version (\S+)/m.exec(stdout);
    return m ? m[1] : null;
  } catch {
    return null;
  }
}

async function goVersionOf(go) {
  try {
    const { stdout } = await execFileAsync(go, ['env', 'GOVERSION'], { timeout: 30_000 });
    const m = /go(\d+(?:\.\d+)*)/.exec(stdout);
    return m ? m[1] : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Time-skipping test server

/**
 * Ensures <root>/.tools/test-server holds the pinned Java test server and an executable wrapper
 * `temporal-test-server` (args as @temporalio/testing passes them: `<port> --enable-time-skipping`).
 * Cached by the VERSION stamp; the cached path only checks files and that `java` is on PATH.
 * @param {{ root?: string, log?: (line: string) => void }} [options]
 * @returns {Promise<string>} absolute path of the wrapper script
 */
export async function ensureTestServer({ root = DEFAULT_ROOT, log = defaultLog } = {}) {
  const version = PINNED_VERSIONS.temporalTestServer;
  const stamp = `${TEST_SERVER_ARTIFACT}:${version}`;
  const paths = toolPaths(root);

  const java = await findOnPath('java');
  if (!java) {
    throw new ToolInstallError(
      'Java is needed to run the Temporal time-skipping test server, and `java` is not on PATH. Install a JRE 17 or newer (Debian: `apt-get install openjdk-17-jre-headless`), then re-run `node scripts/tools.mjs`.',
    );
  }

  if (await testServerIsInstalled(paths, stamp, version)) return paths.testServer;

  const mvn = await findOnPath('mvn');
  if (!mvn) {
    throw new ToolInstallError(
      `Maven is needed once to fetch ${stamp} into ${rel(root, paths.testServerDir)}, and \`mvn\` is not on PATH. Install it (Debian: \`apt-get install maven\`), then re-run \`node scripts/tools.mjs\`.`,
    );
  }
  if (!(await isReadable(paths.testServerPom))) {
    throw new Error(`${paths.testServerPom} is missing: it is part of the repository, restore it`);
  }

  log(
    `Fetching ${stamp} and its dependencies with Maven into ${rel(root, paths.testServerDir)} (about 40 MB the first time).`,
  );
  await fs.mkdir(paths.toolsDir, { recursive: true });
  await removeStaleTempDirs(paths.toolsDir, '.install-test-server-');
  const tmpDir = await fs.mkdtemp(path.join(paths.toolsDir, `.install-test-server-${process.pid}-`));
  try {
    const started = Date.now();
    await run(
      mvn,
      [
        '-q',
        '-B',
        '-Dstyle.color=never',
        '-f',
        paths.testServerPom,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${path.join(tmpDir, 'lib')}`,
        '-DincludeScope=runtime',
        `-Dtemporal.testServer.version=${version}`,
      ],
      {
        cwd: path.dirname(paths.testServerPom),
        env: process.env,
        log,
        what: `mvn dependency:copy-dependencies (${stamp})`,
      },
    );
    const jar = path.join(tmpDir, 'lib', `temporal-test-server-${version}.jar`);
    if (!(await isReadable(jar))) throw new Error(`Maven finished but ${jar} is missing`);

    const wrapper = path.join(tmpDir, 'temporal-test-server');
    await fs.writeFile(wrapper, wrapperScript(stamp), { mode: 0o755 });
    await fs.chmod(wrapper, 0o755);
    await fs.writeFile(path.join(tmpDir, 'VERSION'), `${stamp}\n`);

    await fs.rm(paths.testServerDir, { recursive: true, force: true });
    try {
      await fs.rename(tmpDir, paths.testServerDir);
    } catch (err) {
      // Another installer finished first: keep its copy if it is the pinned one.
      if (!(await testServerIsInstalled(paths, stamp, version))) throw err;
    }
    log(`Test server ${version} ready at ${rel(root, paths.testServer)} (${seconds(started)}).`);
  } finally {
    await fs.rm(tmpDir, { recursive: true, force: true });
  }
  return paths.testServer;
}

function wrapperScript(stamp) {
  // The lib path is taken relative to the script, so the folder can be built under a temporary
  // name and renamed into place (and survives the work tree being moved).
  return `#!/bin/sh
# Generated by scripts/tools.mjs: Temporal time-skipping test server ${stamp}.
# Usage: temporal-test-server <port> [--enable-time-skipping]   (as @temporalio/testing runs it)
dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd) || exit 1
exec java -cp "$dir/lib/*" ${TEST_SERVER_MAIN} "$@"
`;
}

async function testServerIsInstalled(paths, stamp, version) {
  try {
    const [text] = await Promise.all([
      fs.readFile(paths.testServerStamp, 'utf8'),
      fs.access(paths.testServer, fsConstants.X_OK),
      fs.access(path.join(paths.testServerLib, `temporal-test-server-${version}.jar`), fsConstants.R_OK),
    ]);
    return text.trim() === stamp;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// promtool (Prometheus's rule checker, for `npm test`)

/**
 * A promtool to check the alerting rules with: PROMTOOL when set (it must run), the project's copy
 * at the pinned version, `promtool` on PATH (e.g. Debian's prometheus package), else the pinned
 * version built with Go into <root>/.tools/bin (about 10 minutes cold on 2 cores; cached after).
 * @param {{ root?: string, log?: (line: string) => void, env?: Record<string, string | undefined> }} [options]
 * @returns {Promise<string>} absolute path of `promtool`
 */
export async function ensurePromtool({ root = DEFAULT_ROOT, log = defaultLog, env = process.env } = {}) {
  const version = PINNED_VERSIONS.promtool;
  const bin = toolPaths(root).promtool;
  if (env.PROMTOOL) {
    const chosen = path.resolve(env.PROMTOOL);
    if (!(await promtoolVersionOf(chosen))) {
      throw new ToolInstallError(
        `PROMTOOL=${env.PROMTOOL} is not a promtool that runs (\`${env.PROMTOOL} --version\` did not answer \`promtool, version …\`): point it at one, or unset it.`,
      );
    }
    return chosen;
  }
  const found = await promtoolVersionOf(bin);
  if (found === version) return bin;
  const onPath = await findOnPath('promtool', env.PATH);
  if (onPath && (await promtoolVersionOf(onPath))) return onPath;

  const go = await findGo({
    env,
    what: `promtool (Prometheus module v${version}) into ${rel(root, bin)}`,
    orElse: 'or set PROMTOOL to a promtool you have (Debian: `apt-get install prometheus`)',
  });
  log(
    `Building promtool (${PROMTOOL_MODULE} v${version}) with ${go.path} into ${rel(root, bin)}: about 10 minutes the first time, cached after.`,
  );
  await goInstall({
    go: go.path,
    pkg: `${PROMTOOL_PACKAGE}@v${version}`,
    ldflags: `-s -w -X github.com/prometheus/common/version.Version=${version}`,
    dest: bin,
    versionOf: promtoolVersionOf,
    version,
    log,
  });
  log(`promtool ${version} ready at ${rel(root, bin)}.`);
  return bin;
}

/** Version reported by `<bin> --version` ("promtool, version 0.316.0 (branch: …)"), "" if unstamped, or null. */
async function promtoolVersionOf(bin) {
  if (!(await isExecutable(bin))) return null;
  try {
    const { stdout } = await execFileAsync(bin, ['--version'], { timeout: 15_000 });
    const m = /^promtool, version (\S*)/m.exec(stdout);
    return m ? m[1] || '' : null;
  } catch {
    return null;
  }
}

/**
 * Ensures every tool (CLI first, then the test server, then promtool).
 * @param {{ root?: string, log?: (line: string) => void }} [options]
 * @returns {Promise<{ temporalCli: string, testServer: string, promtool: string }>} absolute paths
 */
export async function ensureTools(options = {}) {
  const temporalCli = await ensureTemporalCli(options);
  const testServer = await ensureTestServer(options);
  const promtool = await ensurePromtool(options);
  return { temporalCli, testServer, promtool };
}

// ---------------------------------------------------------------------------------------------
// helpers

function execFileAsync(file, args, options) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { ...options, encoding: 'utf8' }, (err, stdout, stderr) =>
      err ? reject(err) : resolve({ stdout, stderr }),
    );
  });
}

/** Runs a command, streaming its stdout and stderr lines to `log`; rejects on failure. */
function run(cmd, args, { cwd, env, log, what }) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail = [];
    const onLine = (raw) => {
      // eslint-disable-next-line no-control-regex -- strips the ANSI colours Maven prints even with -B
      const line = raw.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trimEnd();
      if (!line) return;
      tail.push(line);
      if (tail.length > 20) tail.shift();
      log(line);
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.on('error', (err) => reject(new Error(`${what}: could not start ${cmd}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else {
        const last = tail
          .filter((l) => l.trim())
          .slice(-3)
          .join(' | ');
        reject(
          new ToolInstallError(
            `${what} failed (${signal ? `signal ${signal}` : `exit code ${code}`})${last ? `: ${last}` : ''}; see the output above.`,
          ),
        );
      }
    });
  });
}

async function findOnPath(name, searchPath = process.env.PATH) {
  for (const dir of (searchPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

async function isExecutable(file) {
  try {
    await fs.access(file, fsConstants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function isReadable(file) {
  try {
    await fs.access(file, fsConstants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Removes `<dir>/<prefix><pid>-*` folders left by installers that are no longer running. */
async function removeStaleTempDirs(dir, prefix) {
  let names;
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number.parseInt(name.slice(prefix.length), 10);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) continue;
    await fs.rm(path.join(dir, name), { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function compareVersions(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function rel(root, p) {
  const r = path.relative(path.resolve(root), p);
  return r && !r.startsWith('..') ? r : p;
}

function seconds(started) {
  return `${((Date.now() - started) / 1000).toFixed(1)} s`;
}

// ---------------------------------------------------------------------------------------------
// CLI entry: node scripts/tools.mjs [all|cli|test-server|promtool]

async function main(argv) {
  const which = argv[0] ?? 'all';
  if (!['all', 'cli', 'test-server', 'promtool'].includes(which)) {
    process.stderr.write('usage: node scripts/tools.mjs [all|cli|test-server|promtool]\n');
    return 2;
  }
  try {
    const want = (tool) => which === 'all' || which === tool;
    if (want('cli')) process.stdout.write(`temporal: ${await ensureTemporalCli()}\n`);
    if (want('test-server')) process.stdout.write(`temporal-test-server: ${await ensureTestServer()}\n`);
    if (want('promtool')) process.stdout.write(`promtool: ${await ensurePromtool()}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${err instanceof ToolInstallError ? err.message : (err?.stack ?? err)}\n`);
    return 1;
  }
}

async function invokedDirectly() {
  if (!process.argv[1]) return false;
  try {
    return (await fs.realpath(fileURLToPath(import.meta.url))) === (await fs.realpath(process.argv[1]));
  } catch {
    return false;
  }
}

if (await invokedDirectly()) process.exitCode = await main(process.argv.slice(2));
