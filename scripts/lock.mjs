// A lock folder shared by processes of one checkout (mkdir is atomic): bootstrap holds one while it
// installs, the web build another while it writes web/dist. A lock left by a process that died is
// taken over. Plain Node with built-ins only.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

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
 * Takes the lock folder `lock`, waiting for its holder; returns the function that releases it.
 * @param {string} lock
 * @param {{ log: (line: string) => void, waitingFor: string, maxWaitMs?: number }} options
 */
export async function takeLock(lock, { log, waitingFor, maxWaitMs = 30 * 60_000 }) {
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + maxWaitMs;
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
    let holder = 0;
    let orphaned = false;
    try {
      holder = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
      orphaned = holder ? !isAlive(holder) : Date.now() - statSync(lock).mtimeMs > 60_000;
    } catch (error) {
      // Released between our mkdir and this look: try again at once.
      if (error.code === 'ENOENT') continue;
      throw error;
    }
    if (orphaned) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Another process (pid ${holder}) has held ${lock} for too long.`);
    if (!told) log(`waiting for ${waitingFor} (pid ${holder}) to finish...`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
