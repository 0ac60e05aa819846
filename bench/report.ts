// What a bench run produces: bench/results.json (stable field names, for tools and for comparing
// runs), one table for people (printed, and in docs/performance.md between markers, so the written
// analysis around it survives the next run), and the targets of issue 12 checked against the ratios.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadResult } from './apiLoad';
import type { HistoryBreakdown, ProcessRole } from './measure';
import type { MoveSizeResult } from './singleMoves';
import type { ThroughputResult } from './throughput';

export const RESULTS_SCHEMA = 1;

export interface BenchResults {
  schema: typeof RESULTS_SCHEMA;
  mode: 'full' | 'quick';
  command: string;
  machine: {
    cores: number;
    cpu: string;
    node: string;
    date: string;
    /** 1, 5 and 15 minute load averages (as uptime shows them) when each part began, and at the end. */
    load: { start: number[]; moves: number[]; throughput: number[]; api: number[]; end: number[] };
    /**
     * The highest 1-minute load average seen, per core: above 1, other work on the machine (other
     * people's tests) competed for the CPU and every time here is longer than the stack's own.
     */
    peakLoadPerCore: number;
  };
  settings: { batchSize: number; repeats: number; temporal: string; postgres: string };
  moves: MoveSizeResult[];
  /** Wall and CPU seconds of the moves section, by process. */
  movesCpu: { wallS: number } & Record<ProcessRole, number>;
  /** move_item row updates during the moves section, and how many were HOT (wrote no index entry). */
  moveItemUpdates: { updates: number; hot: number };
  /** Null only when an experiment left the section out (--sections). */
  throughput: Omit<ThroughputResult, 'started'> | null;
  api: LoadResult[];
  targets: Target[];
  durationS: number;
}

export interface Target {
  /** Stable key, e.g. workflow-vs-floor-10000, get-move-running-p99-100. */
  id: string;
  name: string;
  target: string;
  value: string;
  met: boolean;
}

export function checkTargets(results: Omit<BenchResults, 'targets'>): Target[] {
  const bySize = (items: number) => results.moves.find((m) => m.items === items);
  // The issue's sizes carry the ratio targets (quick mode moves smaller clients: none apply).
  const largest = bySize(10_000);
  const acme = bySize(2_100);
  const targets: Target[] = [];
  if (largest) {
    targets.push(
      ratioTarget('workflow', largest.items, largest.workflow.ratio, 5),
      ratioTarget('activities', largest.items, largest.activities.ratio, 3),
    );
  }
  if (acme) targets.push(ratioTarget('workflow', acme.items, acme.workflow.ratio, 10));
  const t = results.throughput;
  if (t)
    targets.push({
      id: 'throughput-all-completed',
      name: `${t.moves} concurrent ${t.itemsPerMove}-item moves all COMPLETED`,
      target: '≤ 15,000 ms from the first start',
      value: `${fmtInt(t.allCompletedMs)} ms, ${t.completed}/${t.moves} COMPLETED`,
      met: t.completed === t.moves && t.allCompletedMs <= 15_000,
    });
  const load = (endpoint: LoadResult['endpoint'], rate: number) =>
    results.api.find((r) => r.endpoint === endpoint && r.rate === rate);
  const [low, high] = [Math.min(...results.api.map((r) => r.rate)), Math.max(...results.api.map((r) => r.rate))];
  for (const endpoint of ['move-running', 'move-finished'] as const) {
    const atLow = load(endpoint, low);
    const atHigh = load(endpoint, high);
    if (atLow) {
      targets.push({
        id: `get-${endpoint}-p99-${low}`,
        name: `GET ${endpoint.replace('-', ' (')}) p99 at ${low} rps`,
        target: '≤ 50 ms',
        value: `${atLow.p99Ms} ms`,
        met: atLow.p99Ms <= 50,
      });
    }
    if (atHigh) {
      targets.push({
        id: `get-${endpoint}-errors-${high}`,
        name: `GET ${endpoint.replace('-', ' (')}) errors at ${high} rps`,
        target: 'none',
        value: String(atHigh.errors),
        met: atHigh.errors === 0,
      });
    }
  }
  const finished = results.api.filter((r) => r.endpoint === 'move-finished');
  if (finished.length > 0) {
    const fromTemporal = finished.reduce((n, r) => n + r.fromTemporal, 0);
    targets.push({
      id: 'finished-move-from-database',
      name: 'a finished move answered from the database, without asking Temporal',
      target: 'every answer',
      value: `${fromTemporal} answers came from a Temporal query`,
      met: fromTemporal === 0,
    });
  }
  return targets;
}

function ratioTarget(path: 'workflow' | 'activities', items: number, ratio: number, most: number): Target {
  return {
    id: `${path}-vs-floor-${items}`,
    name: `${path === 'workflow' ? 'workflow' : 'activities alone'}, ${fmtInt(items)} items, vs the floor`,
    target: `≤ ${most}×`,
    value: `${ratio}×`,
    met: ratio <= most,
  };
}

// ------------------------------------------------------------------------------------- the table

export const TABLE_HEADER = ['measure', 'time', '× floor', 'rollback', '× floor', 'detail', 'target'] as const;

export function resultTable(results: BenchResults): string[][] {
  const rows: string[][] = [[...TABLE_HEADER]];
  const targetFor = (id: string) => {
    const target = results.targets.find((t) => t.id === id);
    return target ? `${target.target}: ${target.met ? 'met' : 'missed'}` : '';
  };
  for (const m of results.moves) {
    const size = `${fmtInt(m.items)} items`;
    rows.push([
      `${size}: floor (one SQL transaction)`,
      ms(m.floor.ms),
      '1×',
      ms(m.floor.undoMs),
      '1×',
      `${m.floor.sql.calls} statements`,
      '',
    ]);
    rows.push([
      `${size}: activities alone`,
      ms(m.activities.ms),
      `${m.activities.ratio}×`,
      ms(m.activities.rollbackMs),
      `${m.activities.rollbackRatio}×`,
      `snapshot ${ms(m.activities.snapshotMs)} + steps ${ms(m.activities.forwardMs)}; ${m.activities.sql.calls} statements`,
      targetFor(`activities-vs-floor-${m.items}`),
    ]);
    rows.push([
      `${size}: workflow (Temporal, real worker)`,
      ms(m.workflow.ms),
      `${m.workflow.ratio}×`,
      ms(m.workflow.rollback.ms),
      `${m.workflow.rollback.ratio}×`,
      `${m.workflow.phase}, ${m.workflow.historyEvents} events, ${m.workflow.history.activities} activities ` +
        `+ ${m.workflow.history.localActivities} local; ` +
        `rollback ${m.workflow.rollback.phase}`,
      targetFor(`workflow-vs-floor-${m.items}`),
    ]);
  }
  const t = results.throughput;
  if (t)
    rows.push([
      `${t.moves} moves of ${t.itemsPerMove} items at once (API)`,
      ms(t.allCompletedMs),
      '',
      '',
      '',
      `${t.completed}/${t.moves} COMPLETED, ${t.startErrors} starts failed, ${retries(t.startRetries)}; start p99 ${ms(t.startRequestMs.p99)}; per move p50 ${ms(t.perMoveMs.p50)}, p99 ${ms(t.perMoveMs.p99)}; ` +
        `${t.movesPerMinute} moves/min; worker RSS ${t.workerRssMb.max} MB; DB connections worker ${t.dbConnections.worker}, API ${t.dbConnections.api}`,
      targetFor('throughput-all-completed'),
    ]);
  for (const r of results.api) {
    const label = {
      'move-running': 'GET running move',
      'move-finished': 'GET finished move',
      'dashboard-tasks': 'GET dashboard tasks',
    };
    const target = [targetFor(`get-${r.endpoint}-p99-${r.rate}`), targetFor(`get-${r.endpoint}-errors-${r.rate}`)]
      .filter(Boolean)
      .join('; ');
    rows.push([
      `${label[r.endpoint]} at ${r.rate} rps`,
      `p99 ${ms(r.p99Ms)}`,
      '',
      '',
      '',
      `p50 ${ms(r.p50Ms)}; ${r.errors} errors of ${fmtInt(r.requests)}; progress from Temporal ${r.fromTemporal}, database ${r.fromDatabase}`,
      target,
    ]);
  }
  return rows;
}

export function textTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function markdownTable(rows: string[][]): string {
  const line = (row: string[]) => `| ${row.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(rows[0]!), line(rows[0]!.map(() => '---')), ...rows.slice(1).map(line)].join('\n');
}

export function machineLine(results: BenchResults): string {
  const m = results.machine;
  return (
    `${results.mode} run, ${m.date}: ${m.cores} cores (${m.cpu}), Node ${m.node}; load average ` +
    `${m.load.start.join(' / ')} at the start, ${m.load.end.join(' / ')} at the end (1 / 5 / 15 min), ` +
    `at most ${m.peakLoadPerCore} per core`
  );
}

// ---------------------------------------------------------------------------- where time goes

function historyRow(label: string, h: HistoryBreakdown): string[] {
  const other =
    h.wallMs -
    h.workflowTaskQueueMs -
    h.workflowTaskRunMs -
    h.activityQueueMs -
    h.activityRunMs -
    h.activityToWorkflowTaskMs;
  return [
    label,
    ms(h.wallMs),
    String(h.events),
    `${h.workflowTasks}: queue ${ms(h.workflowTaskQueueMs)}, run ${ms(h.workflowTaskRunMs)}`,
    `${h.activities}: queue ${ms(h.activityQueueMs)}, run ${ms(h.activityRunMs)}`,
    String(h.localActivities),
    ms(h.activityToWorkflowTaskMs),
    ms(other),
  ];
}

export function whereTimeGoes(results: BenchResults): string {
  const parts: string[] = [];
  const history: string[][] = [
    [
      'run',
      'first to last event',
      'events',
      'workflow tasks',
      'activities',
      'local activities',
      'activity done → next task',
      'rest',
    ],
  ];
  for (const m of results.moves) {
    history.push(historyRow(`${fmtInt(m.items)} items, move`, m.workflow.history));
    history.push(historyRow(`${fmtInt(m.items)} items, rollback`, m.workflow.rollback.history));
  }
  parts.push('Temporal history timestamps (the last workflow run of each size):', '', markdownTable(history));

  const code: string[][] = [
    ['activity', ...results.moves.map((m) => `${fmtInt(m.items)} items: calls, code ms, history ms`)],
  ];
  // A local activity has no started/completed events: only the worker's histogram has it.
  const types = [
    ...new Set(
      results.moves.flatMap((m) => [
        ...Object.keys(m.workflow.history.activityRunMsByType),
        ...Object.keys(m.workflow.history.localActivityCalls),
      ]),
    ),
  ];
  for (const type of types) {
    code.push([
      type,
      ...results.moves.map((m) => {
        const inCode = m.workflow.activityCode[type];
        const inHistory = m.workflow.history.activityRunMsByType[type];
        if (inHistory) return `${inHistory.calls}, ${ms(inCode?.ms ?? Number.NaN)}, ${ms(inHistory.ms)}`;
        const local = m.workflow.history.localActivityCalls[type];
        return local ? `${local}, ${ms(inCode?.ms ?? Number.NaN)}, local` : '';
      }),
    ]);
  }
  parts.push(
    '',
    "Activity time by activity: the worker's own histogram (`csm_activity_duration_seconds`, time in the code) " +
      'beside the history (started to completed):',
    '',
    markdownTable(code),
  );

  const sql: string[][] = [['path', 'statements', 'SQL exec ms', 'wall ms', 'top statement (calls, ms)']];
  for (const m of results.moves) {
    for (const [label, stats, wall] of [
      ['floor', m.floor.sql, m.floor.ms],
      ['activities', m.activities.sql, m.activities.ms + m.activities.rollbackMs],
      ['workflow', m.workflow.sql, m.workflow.ms],
    ] as const) {
      const top = stats.top[0];
      sql.push([
        `${fmtInt(m.items)} items, ${label}`,
        fmtInt(stats.calls),
        ms(stats.execMs),
        ms(wall),
        top ? `\`${top.query.slice(0, 70)}\` (${top.calls}, ${ms(top.ms)})` : '',
      ]);
    }
  }
  parts.push(
    '',
    'PostgreSQL (`pg_stat_statements`, reset before each path; the activities row covers their rollback too; ' +
      `${results.moveItemUpdates.hot} of ${results.moveItemUpdates.updates} \`move_item\` row updates were HOT):`,
    '',
    markdownTable(sql),
  );
  const roles: ProcessRole[] = ['worker', 'temporal', 'postgres', 'api', 'bench'];
  const cpu: string[][] = [['part', 'wall s', ...roles.map((role) => `${role} CPU s`)]];
  cpu.push([
    'moves (all sizes)',
    String(results.movesCpu.wallS),
    ...roles.map((role) => String(results.movesCpu[role])),
  ]);
  const t = results.throughput;
  if (t)
    cpu.push([
      `${t.moves} moves at once`,
      String(round1(t.allCompletedMs / 1000)),
      ...roles.map((role) => String(t.cpuSeconds[role])),
    ]);
  for (const r of results.api) {
    cpu.push([
      `${r.endpoint} at ${r.rate} rps`,
      String(r.durationS),
      ...roles.map((role) => String(r.cpuSeconds[role])),
    ]);
  }
  parts.push(
    '',
    `CPU by process (${results.machine.cores} cores: at most ${results.machine.cores} CPU seconds per wall second):`,
    '',
    markdownTable(cpu),
  );
  if (t) {
    parts.push(
      '',
      'The median move of the concurrent ones, from its history:',
      '',
      markdownTable([history[0]!, historyRow(`${t.itemsPerMove} items, one of ${t.moves}`, t.medianMoveHistory)]),
    );
  }
  return parts.join('\n');
}

const round1 = (n: number) => Math.round(n * 10) / 10;

// ------------------------------------------------------------------------------------- writing

const BEGIN = '<!-- bench:begin (npm run bench writes from here to bench:end) -->';
const END = '<!-- bench:end -->';

export function generatedSection(results: BenchResults): string {
  return [
    BEGIN,
    '',
    `\`${results.command}\`, ${machineLine(results)}.`,
    '',
    markdownTable(resultTable(results)),
    '',
    whereTimeGoes(results),
    '',
    END,
  ].join('\n');
}

/** Replaces the generated section of the page, keeping what is written around it. */
export async function writePerformancePage(file: string, results: BenchResults): Promise<void> {
  const section = generatedSection(results);
  const page = existsSync(file) ? await readFile(file, 'utf8') : `# Performance\n\n${BEGIN}\n${END}\n`;
  const begin = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  const next =
    begin === -1 || end === -1
      ? `${page.trimEnd()}\n\n${section}\n`
      : page.slice(0, begin) + section + page.slice(end + END.length);
  await mkdir(path.dirname(file), { recursive: true });
  // Formatted as `npm run lint` wants the page (its tables aligned). Loaded here, not at the top:
  // jest (which imports this module for its table) cannot load prettier.
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(file)) ?? {};
  await writeFile(file, await prettier.format(next, { ...options, filepath: file }));
}

export async function writeResults(file: string, results: BenchResults): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
}

const retries = (byStatus: Record<string, number>) => {
  const entries = Object.entries(byStatus);
  return entries.length === 0
    ? 'no start repeated'
    : `starts repeated after ${entries.map(([status, n]) => `${n}× ${status}`).join(', ')}`;
};
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-GB');
const ms = (n: number) => (Number.isNaN(n) ? '-' : n < 10 ? `${n.toFixed(1)} ms` : `${fmtInt(n)} ms`);
