// The fault drill's short version, as `npm run drill -- --short` runs it: its own PostgreSQL, Temporal,
// two worker processes, the API and a switchable mail provider on free ports; three moves, a worker
// SIGKILLed mid-batch, PostgreSQL and Temporal restarted, the mail provider refusing a send. Every
// invariant of issue 9 must hold (the drill checks them and exits 1 otherwise).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DrillReport } from '../../src/dev/drill/report';

const ROOT = path.resolve(__dirname, '..', '..');

let dir: string;
let drill: ChildProcess | null = null;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'csm-drill-test-'));
});
afterAll(async () => {
  // A drill cut short by jest's timeout stops everything it started (SIGTERM) before the files go.
  if (drill && drill.exitCode === null && drill.signalCode === null) {
    const exited = new Promise((resolve) => drill!.once('exit', resolve));
    drill.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

function runDrill(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/dev/drill/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  drill = child;
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

it('three moves survive a worker kill mid-batch, PostgreSQL and Temporal restarts and a mail outage', async () => {
  const json = path.join(dir, 'report.json');
  const { code, output } = await runDrill(['--short', '--free-ports', '--json', json]);
  if (code !== 0) throw new Error(`the drill exited ${code}:\n${output}`);

  const report = JSON.parse(await readFile(json, 'utf8')) as DrillReport;
  expect(report.rows).toHaveLength(1);
  const [row] = report.rows;
  expect(row!.violations).toEqual([]);
  expect(row!.finalPhases).toEqual({ COMPLETED: 3 });
  expect(row!.recoverySeconds).not.toBeNull();
  // Each fault landed while the moves were in flight.
  const notes = row!.notes.join('\n');
  expect(notes).toMatch(/killed worker-\d \(running an activity of the batch\)/);
  expect(notes).toMatch(/fast shutdown at .* with [1-3] moves MOVING/);
  expect(notes).toMatch(/SIGTERM at .* with [1-3] moves MOVING; serving again/);
  expect(notes).toMatch(/mail 500 for .*: [1-9]\d* send attempts reached the provider/);
  expect(output).toContain('every invariant held');
}, 180_000);
