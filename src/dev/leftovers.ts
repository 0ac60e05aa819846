// What `npm start` started, written down in the data folder, so that a start after a crash (or a
// SIGKILL, which no handler sees) finds the servers the dead run left behind and stops them, instead
// of failing on their ports. A record is trusted only while its process still runs the recorded
// command line: a pid the system has since given to something else is never signalled.
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ChildRecord {
  name: string;
  pid: number;
  /** The process's command line when it was recorded (NUL-separated arguments joined by spaces). */
  command: string;
  /** The signal that stops it cleanly (PostgreSQL: SIGINT, a fast shutdown). */
  stopSignal: NodeJS.Signals;
  /** True when it leads its own process group (then the group is signalled). */
  group: boolean;
}

interface StackRecord {
  /** The `npm start` process that started the children. */
  pid: number;
  command: string;
  children: ChildRecord[];
}

const RECORD_FILE = 'npm-start.json';

/** A process's command line, or null when it does not exist (or cannot be read). */
export function commandLineOf(pid: number): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter(Boolean).join(' ') || null;
  } catch {
    // No /proc (macOS): ask ps.
    try {
      return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim() || null;
    } catch {
      return null;
    }
  }
}

/** Writes down this run and the children it starts; cleared when they are stopped. */
export class StackRecorder {
  private readonly file: string;
  private readonly record: StackRecord;
  /** Only a record this run wrote is ever removed (never an earlier run's, or a live one's). */
  private written = false;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, RECORD_FILE);
    this.record = { pid: process.pid, command: commandLineOf(process.pid) ?? '', children: [] };
  }

  add(child: Omit<ChildRecord, 'command'>): void {
    const command = commandLineOf(child.pid);
    if (command === null) return;
    this.record.children.push({ ...child, command });
    this.write();
  }

  remove(name: string): void {
    if (!this.written) return;
    this.record.children = this.record.children.filter((c) => c.name !== name);
    if (this.record.children.length === 0) this.clear();
    else this.write();
  }

  /** Last resort on exit (no time to wait): kills every recorded child that is still itself. */
  killAllNow(): void {
    if (!this.written) return;
    for (const child of this.record.children) {
      if (commandLineOf(child.pid) === child.command) signal(child, 'SIGKILL');
    }
    this.clear();
  }

  private write(): void {
    // Whole or not at all: a crash mid-write must not leave half a record.
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.record, null, 2));
    renameSync(temporary, this.file);
    this.written = true;
  }

  private clear(): void {
    rmSync(this.file, { force: true });
    this.written = false;
  }
}

export class StackAlreadyRunningError extends Error {}

/**
 * Stops what an earlier `npm start` on this data folder left running, and says how many it stopped.
 * Refuses (with one line that says what to do) when that run is itself still alive: its servers are
 * not leftovers.
 */
export async function stopLeftovers(dataDir: string, say: (line: string) => void): Promise<number> {
  const file = path.join(dataDir, RECORD_FILE);
  let record: StackRecord;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as StackRecord;
  } catch {
    return 0;
  }
  let stopped = 0;
  if (record.pid !== process.pid && record.command && commandLineOf(record.pid) === record.command) {
    throw new StackAlreadyRunningError(
      `Another npm start (pid ${record.pid}) is running with this data folder (${dataDir}): stop it first, ` +
        'or give this one its own DATA_DIR and ports.',
    );
  }
  for (const child of record.children ?? []) {
    if (commandLineOf(child.pid) !== child.command) continue;
    say(`stopping ${child.name} (pid ${child.pid}), left running by an earlier npm start`);
    stopped += 1;
    signal(child, child.stopSignal);
    if (!(await exitedWithin(child, 15_000))) {
      signal(child, 'SIGKILL');
      // A process busy writing to a slow disk takes a moment to die even so.
      await exitedWithin(child, 10_000);
    }
  }
  rmSync(file, { force: true });
  return stopped;
}

function signal(child: ChildRecord, name: NodeJS.Signals): void {
  try {
    process.kill(child.group ? -child.pid : child.pid, name);
  } catch {
    // Gone already.
  }
}

async function exitedWithin(child: ChildRecord, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (commandLineOf(child.pid) === child.command) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}
