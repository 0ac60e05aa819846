// `npm run mutate [name ...]`: proves the tests still bite. Applies each hand-made bug of
// test/mutations/*.patch alone, runs the tests its header names, and prints a table (bug, tests run,
// caught, time); exits 1 if a bug survived (or a patch no longer applies or breaks the test run).
// The patched files are put back after each bug and on Ctrl-C; it refuses to start while any of them
// has uncommitted changes, so nothing of yours is overwritten. Not part of `npm test`: it runs the
// named tests once per bug.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, checkApplies, git, readMutations, type Mutation } from './patches';

interface Outcome {
  mutation: Mutation;
  verdict: 'caught' | 'SURVIVED' | 'BROKEN';
  testsRun: number;
  failed: number;
  seconds: number;
  log: string;
}

interface JestSummary {
  numTotalTests: number;
  /** Tests left out by the -t pattern. */
  numPendingTests: number;
  numFailedTests: number;
  numRuntimeErrorTestSuites: number;
}

const say = (line: string) => process.stderr.write(`[mutate] ${line}\n`);
const logDir = mkdtempSync(path.join(os.tmpdir(), 'csm-mutate-'));

let applied: Mutation | undefined;
let running: ReturnType<typeof spawn> | undefined;

/** Puts the patched files back as they are committed (they were clean when the run began). */
function restore(): void {
  if (!applied) return;
  git(['checkout', 'HEAD', '--', ...applied.patchedFiles]);
  applied = undefined;
}

function stopOnSignal(signal: NodeJS.Signals): void {
  say(`${signal}: stopping the tests and putting the tree back`);
  // jest runs in its own process group (so the terminal's Ctrl-C reaches it only through here).
  if (running?.pid) {
    try {
      process.kill(-running.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  restore();
  process.exit(130);
}

function runJest(mutation: Mutation): Promise<{ summary?: JestSummary; log: string }> {
  const log = path.join(logDir, `${mutation.name}.log`);
  const json = path.join(logDir, `${mutation.name}.json`);
  const args = ['--ci', '--bail=1', '--json', `--outputFile=${json}`, ...mutation.tests];
  if (mutation.names) args.push('-t', mutation.names);
  return new Promise((resolve) => {
    const child = spawn(`exec node_modules/.bin/jest ${args.map(quote).join(' ')} > ${quote(log)} 2>&1`, {
      cwd: ROOT,
      shell: true,
      detached: true,
      stdio: 'ignore',
    });
    running = child;
    child.once('exit', () => {
      running = undefined;
      resolve({ summary: readSummary(json) ?? summaryFromLog(log), log });
    });
  });
}

function readSummary(json: string): JestSummary | undefined {
  try {
    return JSON.parse(readFileSync(json, 'utf8')) as JestSummary;
  } catch {
    return undefined;
  }
}

/**
 * Jest prints its summary before it exits; a process that then dies on something left running by a
 * test that failed (e.g. a client retrying on a closed channel) writes no JSON, but the summary stands.
 */
function summaryFromLog(log: string): JestSummary | undefined {
  let text: string;
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    return undefined;
  }
  const line = [...text.matchAll(/^Tests:\s+(.*)$/gm)].at(-1)?.[1];
  if (!line) return undefined;
  const count = (what: string) => Number(new RegExp(`(\\d+) ${what}`).exec(line)?.[1] ?? 0);
  return {
    numTotalTests: count('total'),
    numPendingTests: count('skipped'),
    numFailedTests: count('failed'),
    numRuntimeErrorTestSuites: 0,
  };
}

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

async function runOne(mutation: Mutation): Promise<Outcome> {
  const started = Date.now();
  git(['apply', mutation.file]);
  applied = mutation;
  try {
    const { summary, log } = await runJest(mutation);
    const seconds = (Date.now() - started) / 1000;
    // A patch that stops a test file from loading proves nothing about the tests: it is broken.
    const testsRun = summary ? summary.numTotalTests - summary.numPendingTests : 0;
    const broken = !summary || summary.numRuntimeErrorTestSuites > 0 || testsRun === 0;
    const failed = summary?.numFailedTests ?? 0;
    const verdict = broken ? 'BROKEN' : failed > 0 ? 'caught' : 'SURVIVED';
    return { mutation, verdict, testsRun, failed, seconds, log };
  } finally {
    restore();
  }
}

function table(outcomes: Outcome[]): string {
  const rows = [
    ['bug', 'tests run', 'caught', 'time'],
    ...outcomes.map((o) => [
      `${o.mutation.name}: ${o.mutation.bug}`,
      `${o.testsRun} in ${o.mutation.tests.map((t) => path.basename(t)).join(', ')}`,
      o.verdict === 'caught' ? `yes (${o.failed} failed)` : o.verdict,
      `${o.seconds.toFixed(0)} s`,
    ]),
  ];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(rows[0]!), line(rows[0]!.map(() => '---')), ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const mutations = readMutations().filter((m) => only.length === 0 || only.some((name) => m.name.includes(name)));
  if (mutations.length === 0) throw new Error(`No mutation matches ${only.join(' ')}`);

  const touched = [...new Set(mutations.flatMap((m) => m.patchedFiles))];
  const dirty = git(['status', '--porcelain', '--', ...touched]).trim();
  if (dirty) {
    throw new Error(`Refusing to run: files the bugs patch have uncommitted changes; commit them first:\n${dirty}`);
  }
  for (const mutation of mutations) {
    try {
      checkApplies(mutation);
    } catch (error) {
      throw new Error(`${mutation.name} no longer applies: ${(error as { stderr?: string }).stderr ?? String(error)}`);
    }
  }

  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  say(`${mutations.length} bugs, one at a time; jest's output per bug in ${logDir}`);
  const outcomes: Outcome[] = [];
  for (const mutation of mutations) {
    const outcome = await runOne(mutation);
    outcomes.push(outcome);
    say(`${mutation.name}: ${outcome.verdict} (${outcome.testsRun} tests, ${outcome.seconds.toFixed(0)} s)`);
    if (outcome.verdict !== 'caught') say(`  see ${outcome.log}`);
  }
  process.stdout.write(`${table(outcomes)}\n`);
  const missed = outcomes.filter((o) => o.verdict !== 'caught');
  if (missed.length > 0) {
    say(`${missed.length} of ${outcomes.length} not caught: ${missed.map((o) => o.mutation.name).join(', ')}`);
    process.exitCode = 1;
  } else {
    say(`all ${outcomes.length} caught`);
  }
}

main().catch((error: unknown) => {
  restore();
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
});
