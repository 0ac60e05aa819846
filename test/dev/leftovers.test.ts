// What a killed `npm start` left running is found in the data folder's record and stopped, but only
// while the recorded pid still runs the recorded command line; a live earlier run is not a leftover.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StackAlreadyRunningError, StackRecorder, commandLineOf, stopLeftovers } from '../../src/dev/leftovers';

let dataDir: string;
const children: ChildProcess[] = [];
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'csm-leftovers-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

function sleeper(): ChildProcess {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    const command = commandLineOf(pid);
    if (command === null) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

it('stops a recorded child that still runs its recorded command line', async () => {
  const child = sleeper();
  new StackRecorder(dataDir).add({ name: 'Temporal dev server', pid: child.pid!, stopSignal: 'SIGTERM', group: false });
  const said: string[] = [];
  await stopLeftovers(dataDir, (line) => said.push(line));
  expect(said).toEqual([`stopping Temporal dev server (pid ${child.pid}), left running by an earlier npm start`]);
  expect(await gone(child.pid!)).toBe(true);
});

it('leaves alone a pid that now runs something else', async () => {
  const child = sleeper();
  await writeFile(
    path.join(dataDir, 'npm-start.json'),
    JSON.stringify({
      pid: 999_999_999,
      command: 'node src/dev/start.ts',
      children: [
        {
          name: 'Temporal dev server',
          pid: child.pid,
          command: 'temporal server start-dev',
          stopSignal: 'SIGTERM',
          group: false,
        },
      ],
    }),
  );
  const said: string[] = [];
  await stopLeftovers(dataDir, (line) => said.push(line));
  expect(said).toEqual([]);
  expect(commandLineOf(child.pid!)).toBe('sleep 300');
});

it('refuses to start beside an earlier npm start that is still running on the same data folder', async () => {
  const owner = sleeper();
  await writeFile(
    path.join(dataDir, 'npm-start.json'),
    JSON.stringify({ pid: owner.pid, command: 'sleep 300', children: [] }),
  );
  await expect(stopLeftovers(dataDir, () => undefined)).rejects.toThrow(StackAlreadyRunningError);
  expect(commandLineOf(owner.pid!)).toBe('sleep 300');
});

it('a run that records nothing never removes an earlier run’s record', async () => {
  const child = sleeper();
  new StackRecorder(dataDir).add({ name: 'PostgreSQL', pid: child.pid!, stopSignal: 'SIGINT', group: false });
  // A second start that fails before starting anything, and exits.
  new StackRecorder(dataDir).killAllNow();
  await stopLeftovers(dataDir, () => undefined);
  expect(await gone(child.pid!)).toBe(true);
});
