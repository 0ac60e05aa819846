// Builds the web app (web/ → web/dist) with Vite when its sources changed: bootstrap runs it before
// `npm start` and `npm test`, the browser tests before they start, `npm run build:web` always.
// Its sources are every file under web/, the lockfile, and the files outside web/ the last build
// read (the API's schemas, say): Vite lists them in dist/.build-inputs.json (web/vite.config.mts).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { takeLock } from './lock.mjs';

const DEFAULT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Not sources: the build's output, and the lock held while building. */
const SKIP = new Set(['dist', 'node_modules', '.build-lock']);

export class WebBuildError extends Error {}

export function webAppPaths(root = DEFAULT_ROOT) {
  const dist = path.join(root, 'web', 'dist');
  return {
    web: path.join(root, 'web'),
    dist,
    inputs: path.join(dist, '.build-inputs.json'),
    stamp: path.join(dist, '.source-sha256'),
    lock: path.join(root, 'web', '.build-lock'),
  };
}

function webFiles(dir, root) {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !SKIP.has(entry.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return webFiles(full, root);
      return entry.isFile() ? [path.relative(root, full)] : [];
    });
}

/** One hash over the names and contents of every source; a file that has gone counts as changed. */
export function sourceHash(root = DEFAULT_ROOT) {
  const paths = webAppPaths(root);
  const read = existsSync(paths.inputs) ? JSON.parse(readFileSync(paths.inputs, 'utf8')) : [];
  const files = [...new Set([...webFiles(paths.web, root), ...read, 'package-lock.json'])].sort();
  const hash = createHash('sha256');
  for (const file of files) {
    const full = path.join(root, file);
    hash.update(`${file}\0`);
    hash.update(existsSync(full) ? readFileSync(full) : '(missing)');
    hash.update('\0');
  }
  return hash.digest('hex');
}

function isBuilt(root) {
  const paths = webAppPaths(root);
  return (
    existsSync(path.join(paths.dist, 'index.html')) &&
    existsSync(paths.stamp) &&
    readFileSync(paths.stamp, 'utf8') === sourceHash(root)
  );
}

/**
 * Builds web/dist unless it is up to date (or always, with `force`). One build at a time per checkout.
 * @param {{ root?: string, log?: (line: string) => void, force?: boolean }} [options]
 * @returns {Promise<string>} the folder the API serves
 */
export async function ensureWebApp({ root = DEFAULT_ROOT, log = () => {}, force = false } = {}) {
  const paths = webAppPaths(root);
  if (!force && isBuilt(root)) return paths.dist;
  const release = await takeLock(paths.lock, { log, waitingFor: 'another build of the web app' });
  try {
    // Another process may have built it while this one waited.
    if (!force && isBuilt(root)) return paths.dist;
    log('building the web app (vite build)...');
    const started = Date.now();
    const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
    const result = spawnSync(
      process.execPath,
      [vite, 'build', '--config', path.join(paths.web, 'vite.config.mts'), '--logLevel', 'warn'],
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: process.env },
    );
    if (result.error) throw new WebBuildError(`vite build could not start: ${result.error.message}`);
    if (result.status !== 0)
      throw new WebBuildError(`vite build failed (exit ${result.status}); see the output above.`);
    writeFileSync(paths.stamp, sourceHash(root));
    log(`web app built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return paths.dist;
  } finally {
    release();
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);

if (invokedDirectly) {
  try {
    await ensureWebApp({
      force: process.argv.includes('--force'),
      log: (line) => process.stderr.write(`[web] ${line}\n`),
    });
  } catch (error) {
    process.stderr.write(`[web] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
