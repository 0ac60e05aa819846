// `npm run bench`: one run, one table. On a throwaway PostgreSQL, Temporal dev server, worker and
// API (bench/stack.ts): (1) clients of 100, 2,100 and 10,000 items moved as the floor (one SQL
// transaction), as the activities alone and as the whole workflow, each with its rollback; (2) 100
// concurrent 50-item moves through the API; (3) the API under autocannon while moves run. Writes
// bench/results.json and the generated part of docs/performance.md; `--quick` runs small sizes (the
// test in npm test does, so the bench never rots) and writes to a folder of its own.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { PROJECT_ROOT } from '../src/paths';
import { endpointsFor, loadApi, prepareLiveTasks, type LoadResult } from './apiLoad';
import { createClient } from './clients';
import { cpuDelta, cpuSample, loadAverage, round, tableUpdates } from './measure';
import {
  checkTargets,
  machineLine,
  resultTable,
  textTable,
  writePerformancePage,
  writeResults,
  RESULTS_SCHEMA,
  type BenchResults,
} from './report';
import { benchMoveSize, type MoveSizeResult, type Subject } from './singleMoves';
import { startBenchStack } from './stack';
import { benchThroughput } from './throughput';

interface Plan {
  subjects: Subject[];
  repeats: number;
  throughput: { moves: number; itemsPerMove: number; timeoutMs: number };
  liveTasks: number;
  rates: number[];
  durationS: number;
}

/** Spaces 10 to 12 are vacant at every demo site: each subject moves into its own. */
const FULL: Plan = {
  subjects: [
    { client: 'Bench 100 items', items: 100, home: 'BRS-TQY', away: 'LDS-WEL', space: 10 },
    { client: 'Acme Analytics Ltd', items: 2_100, home: 'LDN-SHO', away: 'LDS-WEL', space: 11 },
    { client: 'Bench 10,000 items', items: 10_000, home: 'BRS-TQY', away: 'LDS-WEL', space: 12 },
  ],
  repeats: 3,
  throughput: { moves: 100, itemsPerMove: 50, timeoutMs: 300_000 },
  liveTasks: 20,
  rates: [100, 500],
  durationS: 10,
};

const QUICK: Plan = {
  subjects: [
    { client: 'Bench 10 items', items: 10, home: 'BRS-TQY', away: 'LDS-WEL', space: 10 },
    { client: 'Bench 60 items', items: 60, home: 'BRS-TQY', away: 'LDS-WEL', space: 11 },
  ],
  repeats: 1,
  throughput: { moves: 4, itemsPerMove: 10, timeoutMs: 60_000 },
  liveTasks: 3,
  rates: [20, 50],
  durationS: 2,
};

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      'port-base': { type: 'string' },
      'workflow-bundle': { type: 'string' },
      // For experiments: run some sections only (the API section needs the throughput's moves).
      sections: { type: 'string', default: 'moves,throughput,api' },
      // For experiments: Temporal server dynamic config, name=value (repeatable).
      'temporal-config': { type: 'string', multiple: true },
      // For experiments: Temporal's state in memory instead of a SQLite file.
      'temporal-memory': { type: 'boolean', default: false },
      // For experiments: SQLite pragmas for Temporal's file, name=value (repeatable).
      'temporal-pragma': { type: 'string', multiple: true },
      // Keep the worker's and the API's output in this folder.
      logs: { type: 'string' },
      // For experiments: worker tuning as JSON, e.g. '{"workflowThreadPoolSize":2}'.
      'worker-tuning': { type: 'string' },
      // For experiments: V8 CPU profiles of the worker, written into this folder when it stops.
      'profile-worker': { type: 'string' },
      // For experiments: a V8 CPU profile of the API process, written into this folder when it stops.
      'profile-api': { type: 'string' },
      // For experiments: how many concurrent moves the throughput section starts.
      'concurrent-moves': { type: 'string' },
      // For experiments: another batch size than the product's default, and only some client sizes.
      'batch-size': { type: 'string' },
      sizes: { type: 'string' },
    },
  });
  const sections = new Set((values.sections ?? '').split(','));
  const quick = values.quick ?? false;
  const base = quick ? QUICK : FULL;
  const concurrent = values['concurrent-moves'];
  const sizes = values.sizes?.split(',').map(Number);
  const plan: Plan = {
    ...base,
    subjects: sizes ? base.subjects.filter((s) => sizes.includes(s.items)) : base.subjects,
    throughput: concurrent ? { ...base.throughput, moves: Number(concurrent) } : base.throughput,
  };
  const out = values.out ?? (quick ? await mkdtemp(path.join(os.tmpdir(), 'csm-bench-quick-')) : undefined);
  const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  // The product's default, so the bench measures what a deployment without MOVE_BATCH_SIZE runs.
  const batchSize = values['batch-size'] ? Number(values['batch-size']) : loadConfig({}).move.batchSize;
  const began = Date.now();
  const load = { start: loadAverage(), moves: [0], throughput: [0], api: [0], end: [0] };
  log(`load average ${load.start.join(' / ')}; starting PostgreSQL, Temporal, the worker and the API`);

  // What the results say Temporal kept its state in: the experiment options, if any, override the default.
  const pragmas = pairs(values['temporal-pragma']);
  const temporalStore = values['temporal-memory']
    ? 'in memory'
    : Object.keys(pragmas).length > 0
      ? `SQLite file, pragmas ${JSON.stringify(pragmas)}`
      : 'SQLite file, write-ahead log';
  const stack = await startBenchStack({
    portBase: values['port-base'] === undefined ? undefined : Number(values['port-base']),
    workflowBundle: values['workflow-bundle'],
    temporalDynamicConfig: pairs(values['temporal-config']),
    profileWorkerDir: values['profile-worker'],
    profileApiDir: values['profile-api'],
    temporalStore: values['temporal-memory'] ? 'memory' : 'file',
    temporalPragmas: pragmas,
    logDir: values.logs,
    workerTuning: values['worker-tuning'],
    log,
  });
  const moves: MoveSizeResult[] = [];
  let moveItemUpdates = { updates: 0, hot: 0 };
  let movesCpu: BenchResults['movesCpu'] = { wallS: 0, bench: 0, worker: 0, api: 0, temporal: 0, postgres: 0 };
  let throughput: Awaited<ReturnType<typeof benchThroughput>> | undefined;
  const api: LoadResult[] = [];
  try {
    for (const subject of plan.subjects) {
      // Acme Analytics Ltd is the demo seed's own 2,100-item client.
      if (subject.client !== 'Acme Analytics Ltd')
        await createClient(stack.db, subject.client, subject.home, subject.items);
    }
    load.moves = loadAverage();
    log(`moves (floor, activities, workflow), ${plan.repeats} runs each; load ${load.moves.join(' / ')}`);
    const cpuBefore = await cpuSample();
    const movesBegan = Date.now();
    for (const subject of sections.has('moves') ? plan.subjects : []) {
      moves.push(await benchMoveSize(stack, subject, { repeats: plan.repeats, batchSize, log }));
    }
    moveItemUpdates = await tableUpdates(stack.pool, 'move_item');
    movesCpu = { wallS: round((Date.now() - movesBegan) / 1000, 1), ...cpuDelta(cpuBefore, await cpuSample()) };

    if (sections.has('throughput') || sections.has('api')) {
      load.throughput = loadAverage();
      log(
        `throughput: ${plan.throughput.moves} moves of ${plan.throughput.itemsPerMove} items; load ${load.throughput.join(' / ')}`,
      );
      throughput = await benchThroughput(stack, plan.throughput);
      log(
        `  all ${throughput.completed}/${throughput.moves} COMPLETED in ${throughput.allCompletedMs} ms; ` +
          `CPU s ${JSON.stringify(throughput.cpuSeconds)}`,
      );
    }
    if (throughput && sections.has('api')) {
      const live = await prepareLiveTasks(stack, throughput.started, plan.liveTasks);
      load.api = loadAverage();
      log(`API under load with ${live.length} live tasks; load ${load.api.join(' / ')}`);
      for (const rate of plan.rates) {
        for (const { endpoint, path: urlPath } of endpointsFor(live[0]!, throughput.started[0]!)) {
          const result = await loadApi(stack, { endpoint, path: urlPath, rate, durationS: plan.durationS });
          log(`  ${endpoint} at ${rate} rps: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.errors} errors`);
          api.push(result);
        }
      }
    }
  } finally {
    await stack.stop();
  }
  load.end = loadAverage();

  const throughputResult = throughput ? (({ started: _started, ...rest }) => rest)(throughput) : null;
  const partial: Omit<BenchResults, 'targets'> = {
    schema: RESULTS_SCHEMA,
    mode: quick ? 'quick' : 'full',
    command,
    machine: {
      cores: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      date: new Date().toISOString(),
      load,
      peakLoadPerCore: round(
        Math.max(...Object.values(load).map(([oneMinute]) => oneMinute ?? 0)) / os.cpus().length,
        1,
      ),
    },
    settings: {
      batchSize,
      repeats: plan.repeats,
      temporal: `Temporal CLI dev server (${temporalStore}), one worker process`,
      postgres: 'embedded PostgreSQL 17, pg_stat_statements loaded',
    },
    moves,
    movesCpu,
    moveItemUpdates,
    throughput: throughputResult,
    api,
    durationS: Math.round((Date.now() - began) / 1000),
  };
  const results: BenchResults = { ...partial, targets: checkTargets(partial) };

  console.log(textTable(resultTable(results)));
  console.log(`\n${machineLine(results)}; ${results.durationS} s in all`);
  const resultsFile = out ? path.join(out, 'results.json') : path.join(PROJECT_ROOT, 'bench', 'results.json');
  const pageFile = out ? path.join(out, 'performance.md') : path.join(PROJECT_ROOT, 'docs', 'performance.md');
  await writeResults(resultsFile, results);
  await writePerformancePage(pageFile, results);
  console.log(`Wrote ${path.relative(process.cwd(), resultsFile)} and ${path.relative(process.cwd(), pageFile)}`);
}

/** `name=value` arguments as an object. */
function pairs(args: string[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (args ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
