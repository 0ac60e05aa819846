// `npm run drill`: the fault drill. Starts the stack as separate processes on the drill's own ports
// and a throwaway data folder, drives batches of moves through the HTTP API, injects one fault per
// batch, waits for every move to settle, checks the invariants, prints one table and (full run)
// writes it into docs/reliability.md. Exits 1 on any violation. `--short` is the version in npm test.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { createDb } from '../../db/client';
import { isFinalPhase, type MovePhase } from '../../domain/move';
import { PROJECT_ROOT } from '../../paths';
import { freePort, isPortFree } from '../ports';
import { readTemporalTool } from '../tools';
import {
  alongside,
  inSequence,
  mailOutage,
  noFault,
  postgresStop,
  powerCut,
  temporalRestart,
  workerKills,
  type Fault,
} from './faults';
import { checkInvariants } from './invariants';
import { observeApi, watchLogs } from './observer';
import {
  describeMachine,
  table,
  violationCount,
  violationsText,
  writeRunSection,
  type DrillReport,
  type FaultRow,
} from './report';
import {
  DrillApi,
  EVERGREEN,
  seededRandom,
  startBatch,
  unblockAndRetry,
  waitUntilSettled,
  type BatchOptions,
  type DrillMove,
} from './scenario';
import { seedDrillData } from './seed';
import { DRILL_PORTS, DrillTopology, type DrillPorts } from './topology';

interface Phase {
  fault: Fault;
  batch: Omit<BatchOptions, 'random'>;
  /** `include`: Evergreen Health moves and stops in NEEDS_ATTENTION; `retry`: its number is unblocked and the move retried. */
  evergreen?: 'include' | 'retry';
}

interface Plan {
  /** The batches and their faults, given every client's name. */
  phases(clientNames: string[]): Phase[];
  settings: Record<string, string>;
  /** How long a batch may take to settle after its fault. */
  settleTimeoutMs: number;
}

const EVERY_IDLE_CLIENT: Omit<BatchOptions, 'random'> = { scheduledShare: 0.5, aheadSeconds: [20, 60] };
const WITHOUT_EVERGREEN = (names: string[]) => names.filter((n) => n !== EVERGREEN);

/** Every fault of issue 9, one batch of every idle client (20+ moves) each. */
function fullPlan(): Plan {
  return {
    settings: {
      MOVE_BATCH_SIZE: '25',
      MOVE_OUTAGE_WINDOW: '30 minutes',
      EMAIL_DELIVERY_WINDOW: '30 minutes',
      MOVE_DECISION_TIMEOUT: '24 hours',
    },
    settleTimeoutMs: 20 * 60_000,
    phases: (clientNames) => {
      const batch = { ...EVERY_IDLE_CLIENT, clients: WITHOUT_EVERGREEN(clientNames) };
      return [
        { fault: noFault, batch },
        { fault: workerKills(5, [3, 50]), batch: EVERY_IDLE_CLIENT, evergreen: 'include' },
        { fault: temporalRestart('SIGTERM', [10, 40]), batch, evergreen: 'retry' },
        { fault: temporalRestart('SIGKILL', [10, 40]), batch },
        { fault: postgresStop('fast', 60, [5, 20]), batch },
        { fault: postgresStop('immediate', 60, [5, 20]), batch },
        { fault: mailOutage('500', { seconds: 120 }), batch },
        { fault: mailOutage('429', { seconds: 120 }), batch },
        { fault: mailOutage('hangs', { seconds: 120 }), batch },
        { fault: mailOutage('down', { seconds: 120 }), batch },
        { fault: powerCut([10, 40]), batch },
      ];
    },
  };
}

/** Three moves; a worker killed mid-batch, PostgreSQL and Temporal restarted, mail failing meanwhile. */
function shortPlan(): Plan {
  // One after the other as soon as a batch runs, so the moves wait out their timeouts only once.
  const faults = inSequence('worker SIGKILL mid-batch, PostgreSQL restart, Temporal restart', [
    workerKills(1, [0, 0], 'busy'),
    postgresStop('fast', 3, [0, 0], 'now'),
    temporalRestart('SIGTERM', [0, 0], 'now'),
  ]);
  return {
    settings: {
      MOVE_BATCH_SIZE: '5',
      MOVE_OUTAGE_WINDOW: '30 minutes',
      EMAIL_DELIVERY_WINDOW: '30 minutes',
      MOVE_DECISION_TIMEOUT: '24 hours',
    },
    // Below the test's own timeout, so the drill reports what did not settle.
    settleTimeoutMs: 2 * 60_000,
    phases: () => [
      {
        fault: alongside(
          `${faults.name}; mail answering 500 until it refused a send`,
          mailOutage('500', 'first-refusal'),
          faults,
        ),
        batch: {
          clients: ['Cobalt Legal LLP', 'Brightwave Studios', 'Drill Client 05'],
          scheduledShare: 0,
          aheadSeconds: [0, 0],
        },
      },
    ],
  };
}

interface RunContext {
  topology: DrillTopology;
  pool: pg.Pool;
  temporal: Client;
  api: DrillApi;
  random: () => number;
  /** Every move so far. */
  moves: DrillMove[];
  crashed: Set<string>;
  settleTimeoutMs: number;
  logDir: string;
  log: (line: string) => void;
}

async function runPhase(run: RunContext, phase: Phase, last: boolean): Promise<FaultRow> {
  const { pool, api } = run;
  run.log(`${phase.fault.name}: starting a batch`);
  const logs = await watchLogs(run.logDir);
  const moves = await startBatch(api, { ...phase.batch, random: run.random });
  const startedAt = Date.now();
  if (phase.evergreen === 'retry') {
    const evergreen = run.moves.find((m) => m.clientName === EVERGREEN && m.expectsAttention);
    if (evergreen) {
      await unblockAndRetry(pool, api, evergreen);
      moves.push(evergreen);
    }
  }
  run.moves.push(...moves.filter((m) => !run.moves.includes(m)));
  run.log(`${phase.fault.name}: ${moves.length} moves started; injecting`);
  const stopObserving = observeApi(api, () => moves);
  const notes: string[] = [];
  await phase.fault.inject({
    topology: run.topology,
    temporal: run.temporal,
    pool,
    random: run.random,
    moves,
    startedAt,
    note: (line) => {
      notes.push(line);
      run.log(`${phase.fault.name}: ${line}`);
    },
    crashed: (affected) => affected.forEach((m) => run.crashed.add(m.moveId)),
  });
  const faultEnded = Date.now();
  run.log(`${phase.fault.name}: over; waiting for every move to settle`);
  const { settledAt, unsettled } = await waitUntilSettled(pool, moves, run.settleTimeoutMs);
  const api_ = await stopObserving();
  await run.topology.workersRunning();
  const violations = await checkInvariants({
    pool,
    temporal: run.temporal,
    moves: run.moves,
    // The last phase compares every move the drill made; the others, their own batch.
    progressOf: last ? run.moves : moves,
    delivered: run.topology.mail.delivered(),
    crashed: run.crashed,
  });
  for (const moveId of unsettled) violations.push({ invariant: 'settled', detail: `move ${moveId} did not settle` });
  const undelivered = await undeliveredWarnings(pool, moves);
  // Not an invariant of issue 9 (outcome emails), but worth seeing: warnings emails still being retried.
  if (undelivered > 0) notes.push(`${undelivered} warnings emails (pre-move check) not delivered`);
  const row: FaultRow = {
    fault: phase.fault.name,
    moves: moves.length,
    finalPhases: await finalPhases(pool, moves),
    violations,
    recoverySeconds: settledAt ? Math.max(0, (settledAt.getTime() - faultEnded) / 1_000) : null,
    longestMoveSeconds: await longestMove(pool, moves),
    notes,
    api: api_,
    logs: await logs(),
  };
  run.log(`${phase.fault.name}: ${violations.length} violations, recovered in ${row.recoverySeconds ?? '-'} s`);
  return row;
}

async function finalPhases(pool: pg.Pool, moves: DrillMove[]): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ id: string; status: MovePhase }>(
    `SELECT id, status::text FROM client_site_move WHERE id = ANY($1::uuid[])`,
    [moves.map((m) => m.moveId)],
  );
  const counts: Record<string, number> = {};
  for (const { id, status } of rows) {
    const intended = moves.find((m) => m.moveId === id)?.expectsAttention && status === 'NEEDS_ATTENTION';
    const label = isFinalPhase(status) ? status : intended ? `${status} (intended)` : `${status} (not final)`;
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

/** The batch's warnings emails still unsent after it settled (their workflow retries until the move is due). */
async function undeliveredWarnings(pool: pg.Pool, moves: DrillMove[]): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM email_outbox
     WHERE move_id = ANY($1::uuid[]) AND dedupe_key LIKE 'move:%:warnings:%' AND status <> 'SENT'`,
    [moves.map((m) => m.moveId)],
  );
  return rows[0]?.n ?? 0;
}

async function longestMove(pool: pg.Pool, moves: DrillMove[]): Promise<number | null> {
  const { rows } = await pool.query<{ s: number | null }>(
    `SELECT max(extract(epoch FROM finished_at - started_at))::float AS s FROM client_site_move WHERE id = ANY($1::uuid[])`,
    [moves.map((m) => m.moveId)],
  );
  return rows[0]?.s ?? null;
}

async function drillPorts(free: boolean): Promise<DrillPorts> {
  if (!free) return DRILL_PORTS;
  const [api, temporal, temporalUi, postgres, mail] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  return { api, temporal, temporalUi, postgres, mail, workerMetrics: await freePortPair() };
}

/** Worker slot n listens on workerMetrics + n: a free port whose next one is free too. */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65535 && (await isPortFree(port + 1))) return port;
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      short: { type: 'boolean', default: false },
      seed: { type: 'string' },
      'free-ports': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      json: { type: 'string' },
      'no-docs': { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const started = new Date();
  const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 1_000_000);
  const log = (line: string) =>
    process.stderr.write(`[drill ${((Date.now() - started.getTime()) / 1_000).toFixed(0).padStart(4)} s] ${line}\n`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'connect-site-move-drill-'));
  const plan = values.short ? shortPlan() : fullPlan();
  const ports = await drillPorts(values['free-ports']);
  const topology = new DrillTopology({
    dataDir,
    ports,
    temporalCli: readTemporalTool('temporalCli'),
    workers: 2,
    appEnv: plan.settings,
    log,
  });
  // Nothing the drill started may outlive it; Ctrl-C stops everything in order.
  process.on('exit', () => topology.killAllNow());
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping everything the drill started (data and logs kept in ${dataDir})`);
      void topology.stop().finally(() => process.exit(130));
    });
  }

  log(`seed ${seed}; data in ${dataDir}; starting the stack (API :${ports.api}, Temporal :${ports.temporal})`);
  await topology.start();
  const db = createDb(topology.databaseUrl);
  await seedDrillData(db);
  await db.$disconnect();
  const pool = new pg.Pool({ connectionString: topology.databaseUrl, max: 4 });
  // An idle connection the server closed (a PostgreSQL fault) is the pool's to replace, not a crash.
  pool.on('error', () => undefined);
  const connection = await Connection.connect({ address: topology.temporalAddress });
  const api = new DrillApi(topology.apiUrl);
  // --only a,b: the faults whose name contains a or b (no docs then: the table would be partial).
  const only = values.only?.toLowerCase().split(',') ?? [];
  const phases = plan
    .phases((await api.clients()).items.map((c) => c.name))
    .filter((p) => only.length === 0 || only.some((part) => p.fault.name.toLowerCase().includes(part)));
  log(`stack up; ${phases.length} faults to inject`);

  const run: RunContext = {
    topology,
    pool,
    temporal: new Client({ connection }),
    api,
    random: seededRandom(seed),
    moves: [],
    crashed: new Set(),
    settleTimeoutMs: plan.settleTimeoutMs,
    logDir: path.join(dataDir, 'logs'),
    log,
  };
  const rows: FaultRow[] = [];
  let failed = false;
  try {
    for (const [i, phase] of phases.entries()) {
      rows.push(await runPhase(run, phase, i === phases.length - 1));
    }
  } catch (error) {
    failed = true;
    log(`the drill itself failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await pool.end();
    await connection.close();
    await topology.stop();
  }

  const report: DrillReport = {
    mode: values.short ? 'short' : 'full',
    command: values.short ? 'npm run drill -- --short' : 'npm run drill',
    seed,
    startedAt: started.toISOString(),
    seconds: (Date.now() - started.getTime()) / 1_000,
    machine: describeMachine(),
    settings: plan.settings,
    rows,
  };
  process.stdout.write(`\n${table(rows)}\n\n${violationsText(rows)}\n`);
  if (values.json) await writeFile(values.json, JSON.stringify(report, null, 2));
  if (!values.short && !values.only && !values['no-docs'] && !failed) {
    await writeRunSection(path.join(PROJECT_ROOT, 'docs', 'reliability.md'), report);
    log('docs/reliability.md updated');
  }
  const broken = failed || violationCount(report) > 0;
  if (broken || values.keep) log(`logs and data kept in ${dataDir}`);
  else await rm(dataDir, { recursive: true, force: true });
  log(`done in ${(report.seconds / 60).toFixed(1)} minutes: ${broken ? 'INVARIANTS BROKEN' : 'every invariant held'}`);
  return broken ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
