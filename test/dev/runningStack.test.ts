// A bug anywhere in `npm start`'s process (an uncaught exception, an unhandled rejection) is logged,
// everything it started is stopped in reverse order, and the process exits 1; a child the stack could
// not stop is killed on the way out, so none outlives it. Real processes.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { commandLineOf } from '../../src/dev/leftovers';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function run(how: string, dataDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [path.join(__dirname, 'fixtures', 'crashingStack.ts'), how, dataDir], { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

it.each([
  ['throw', 'uncaught exception: Error: boom in a request handler'],
  ['reject', 'unhandled rejection: Error: boom in a promise'],
])('on %s: logs it, stops everything in reverse order, kills what would not stop, exits 1', async (how, logged) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'csm-crash-'));
  try {
    const { code, output } = await run(how, dataDir);
    expect(code).toBe(1);
    expect(output).toContain(logged);
    const order = ['stopped API', 'stopped database', 'could not stop sleeper cleanly: it will not stop'];
    const at = order.map((line) => output.indexOf(line));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const sleeper = Number(/sleeper (\d+)/.exec(output)?.[1]);
    expect(sleeper).toBeGreaterThan(0);
    // SIGKILL lands a moment later on a loaded machine.
    for (let i = 0; i < 50 && commandLineOf(sleeper) !== null; i++) await new Promise((r) => setTimeout(r, 100));
    const left = commandLineOf(sleeper);
    if (left === 'sleep 300') process.kill(sleeper, 'SIGKILL');
    expect(left).toBeNull();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
