// `npm run bench -- --quick` end to end, so the bench never rots: it runs over its own throwaway
// stack (small clients, a few concurrent moves, short API loads) and writes its results and page.
// What is checked is the shape of what it reports and that every move it made finished as it should;
// never a timing (timings belong to the full bench, on a quiet machine).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { resultTable, TABLE_HEADER, type BenchResults } from '../../bench/report';
import { testEnv } from '../support/env';

const ROOT = path.resolve(__dirname, '..', '..');

it('runs the quick bench: every move completes or rolls back, the table and results have their shape', async () => {
  const out = await mkdtemp(path.join(testEnv('TEST_TMP_DIR'), 'bench-quick-'));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', out, '--workflow-bundle', testEnv('TEST_WORKFLOW_BUNDLE')],
    { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 400_000 },
  );
  const results = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as BenchResults;

  expect(results).toMatchObject({ schema: 1, mode: 'quick', settings: { repeats: 1 } });
  expect(results.machine.cores).toBeGreaterThan(0);
  expect(results.machine.peakLoadPerCore).toBeGreaterThan(0);
  expect(Object.values(results.machine.load).every((load) => load.length === 3)).toBe(true);

  // Each size: the floor, the activities and the workflow ran; the workflow completed and its
  // rollback (a blocked number, then the operator's rollback) gave everything back.
  expect(results.moves.map((m) => m.items)).toEqual([10, 60]);
  for (const move of results.moves) {
    expect(move.workflow.phase).toBe('COMPLETED');
    expect(move.workflow.rollback.phase).toBe('ROLLED_BACK');
    expect(move.workflow.historyEvents).toBeGreaterThan(0);
    expect(move.workflow.history.activities).toBeGreaterThan(0);
    expect(move.floor.sql.calls).toBeGreaterThan(0);
    expect(move.activities.sql.calls).toBeGreaterThan(0);
    const measured = [move.floor.ms, move.activities.ms, move.workflow.ms, move.workflow.rollback.ms];
    expect(measured.every((ms) => Number.isFinite(ms) && ms > 0)).toBe(true);
  }

  // Every concurrent move started through the API and completed.
  expect(results.throughput).toMatchObject({ moves: 4, itemsPerMove: 10, completed: 4, startErrors: 0 });

  // The three GETs at both rates, all answered 2xx; a finished move's progress from the database.
  expect(results.api.map((r) => `${r.endpoint}@${r.rate}`).sort()).toEqual(
    ['move-running', 'move-finished', 'dashboard-tasks'].flatMap((e) => [`${e}@20`, `${e}@50`]).sort(),
  );
  for (const load of results.api) {
    expect(load.sent).toBeGreaterThan(0);
    expect(load.non2xx).toBe(0);
  }
  // How many answers arrive in a short run depends on the machine's load; that they came from the
  // database does not.
  const finished = results.api.filter((r) => r.endpoint === 'move-finished');
  expect(finished.reduce((n, r) => n + r.fromDatabase, 0)).toBeGreaterThan(0);
  expect(finished.every((r) => r.fromTemporal === 0)).toBe(true);
  expect(results.targets.find((t) => t.id === 'finished-move-from-database')?.met).toBe(true);

  // One row per path and size, one for the concurrent moves, one per GET and rate; printed and on the page.
  const table = resultTable(results);
  expect(table[0]).toEqual([...TABLE_HEADER]);
  expect(table).toHaveLength(1 + 3 * 2 + 1 + 6);
  expect(table.every((row) => row.length === TABLE_HEADER.length)).toBe(true);
  expect(stdout).toContain(TABLE_HEADER.join('  ').split('  ')[0]);
  // The page has the same table (formatted as lint wants it: columns aligned, so compared by cell).
  const page = await readFile(path.join(out, 'performance.md'), 'utf8');
  const pageRows = page
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
  const first = pageRows.findIndex((row) => row.join() === TABLE_HEADER.join());
  expect(pageRows.slice(first, first + table.length)).toEqual(table);
}, 420_000);
