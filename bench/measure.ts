// What the bench measures with: a clock, medians and percentiles, the machine's load, and the three
// places that say where time goes (Temporal's history timestamps, the worker's Prometheus metrics,
// PostgreSQL's pg_stat_statements).
import { readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import { tsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import type pg from 'pg';

export async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = process.hrtime.bigint();
  const result = await work();
  return [result, Number(process.hrtime.bigint() - started) / 1e6];
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export const round = (value: number, digits = 0): number => Number(value.toFixed(digits));

/** The 1, 5 and 15 minute load averages, as `uptime` shows them. */
export function loadAverage(): [number, number, number] {
  const [one, five, fifteen] = os.loadavg();
  return [round(one!, 2), round(five!, 2), round(fifteen!, 2)];
}

// ------------------------------------------------------------------------------ Temporal history

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = {
  WorkflowExecutionStarted: 1,
  WorkflowExecutionCompleted: 2,
  WorkflowTaskScheduled: 5,
  WorkflowTaskStarted: 6,
  WorkflowTaskCompleted: 7,
  ActivityTaskScheduled: 10,
  ActivityTaskStarted: 11,
  ActivityTaskCompleted: 12,
  ActivityTaskFailed: 13,
  MarkerRecorded: 25,
} as const;

/** The marker a local activity's result is recorded in. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** Where a workflow run's time went, from its history's timestamps (milliseconds). */
export interface HistoryBreakdown {
  events: number;
  /** First event to last. */
  wallMs: number;
  workflowTasks: number;
  /** Workflow task scheduled until a worker picked it up. */
  workflowTaskQueueMs: number;
  /** Workflow task picked up until the worker answered with its commands. */
  workflowTaskRunMs: number;
  activities: number;
  /** Activity scheduled until a worker picked it up. */
  activityQueueMs: number;
  /** Activity picked up until its result reached the server (the activity's code, and the round trip). */
  activityRunMs: number;
  /** Local activities: run in the worker within a workflow task, recorded as markers (no queue of their own). */
  localActivities: number;
  /** Local activity calls by activity type. */
  localActivityCalls: Record<string, number>;
  /** activityRunMs by activity type. */
  activityRunMsByType: Record<string, { calls: number; ms: number }>;
  /** Activity completed until the next workflow task was scheduled (the server's own turn). */
  activityToWorkflowTaskMs: number;
}

/** From the event at `from` on (e.g. after an update); earlier events still resolve references. */
export function breakdownOf(allEvents: HistoryEvent[], from = 0): HistoryBreakdown {
  const at = (event: HistoryEvent | undefined) => (event?.eventTime ? tsToMs(event.eventTime) : Number.NaN);
  const byId = new Map(allEvents.map((event) => [Number(event.eventId), event]));
  const events = allEvents.slice(from);
  const breakdown: HistoryBreakdown = {
    events: events.length,
    wallMs: events.length > 0 ? at(events.at(-1)) - at(events[0]) : 0,
    workflowTasks: 0,
    workflowTaskQueueMs: 0,
    workflowTaskRunMs: 0,
    activities: 0,
    activityQueueMs: 0,
    activityRunMs: 0,
    localActivities: 0,
    localActivityCalls: {},
    activityRunMsByType: {},
    activityToWorkflowTaskMs: 0,
  };
  for (const [index, event] of events.entries()) {
    // A plain number: the proto's enum type is only a type here (imported as such).
    switch (Number(event.eventType)) {
      case EventType.WorkflowTaskStarted: {
        breakdown.workflowTasks += 1;
        const scheduled = byId.get(Number(event.workflowTaskStartedEventAttributes?.scheduledEventId));
        breakdown.workflowTaskQueueMs += at(event) - at(scheduled);
        break;
      }
      case EventType.WorkflowTaskCompleted: {
        const started = byId.get(Number(event.workflowTaskCompletedEventAttributes?.startedEventId));
        breakdown.workflowTaskRunMs += at(event) - at(started);
        break;
      }
      case EventType.ActivityTaskStarted: {
        breakdown.activities += 1;
        const scheduled = byId.get(Number(event.activityTaskStartedEventAttributes?.scheduledEventId));
        breakdown.activityQueueMs += at(event) - at(scheduled);
        break;
      }
      case EventType.MarkerRecorded: {
        const marker = event.markerRecordedEventAttributes;
        if (marker?.markerName !== LOCAL_ACTIVITY_MARKER) break;
        breakdown.localActivities += 1;
        const type = localActivityType(marker.details?.data?.payloads?.[0]?.data);
        breakdown.localActivityCalls[type] = (breakdown.localActivityCalls[type] ?? 0) + 1;
        break;
      }
      case EventType.ActivityTaskCompleted:
      case EventType.ActivityTaskFailed: {
        const attributes = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes;
        const started = byId.get(Number(attributes?.startedEventId));
        const scheduled = byId.get(Number(attributes?.scheduledEventId));
        const ms = at(event) - at(started);
        breakdown.activityRunMs += ms;
        const type = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? 'unknown';
        const entry = (breakdown.activityRunMsByType[type] ??= { calls: 0, ms: 0 });
        entry.calls += 1;
        entry.ms += ms;
        const next = events[index + 1];
        if (Number(next?.eventType) === EventType.WorkflowTaskScheduled)
          breakdown.activityToWorkflowTaskMs += at(next) - at(event);
        break;
      }
    }
  }
  return breakdown;
}

/** The activity type in a local activity marker's data (JSON the SDK's core writes). */
function localActivityType(data: Uint8Array | null | undefined): string {
  try {
    const parsed = JSON.parse(Buffer.from(data ?? []).toString('utf8')) as { activity_type?: unknown };
    return typeof parsed.activity_type === 'string' ? parsed.activity_type : 'unknown';
  } catch {
    return 'unknown';
  }
}

// ------------------------------------------------------------------------------ worker metrics

/** Sum and count of each labelled series of a Prometheus histogram, from a /metrics page. */
export type HistogramTotals = Map<string, { sum: number; count: number }>;

export async function scrapeHistogram(url: string, name: string, label: string): Promise<HistogramTotals> {
  const text = await (await fetch(url)).text();
  const totals: HistogramTotals = new Map();
  const pattern = new RegExp(`^${name}_(sum|count)\\{([^}]*)\\} (\\S+)$`, 'gm');
  for (const [, part, labels, value] of text.matchAll(pattern)) {
    const key = new RegExp(`${label}="([^"]*)"`).exec(labels!)?.[1] ?? '';
    const entry = totals.get(key) ?? { sum: 0, count: 0 };
    if (part === 'sum') entry.sum += Number(value);
    else entry.count += Number(value);
    totals.set(key, entry);
  }
  return totals;
}

/** What was added between two scrapes, in milliseconds, by label value. */
export function histogramDelta(
  before: HistogramTotals,
  after: HistogramTotals,
): Record<string, { calls: number; ms: number }> {
  const delta: Record<string, { calls: number; ms: number }> = {};
  for (const [key, { sum, count }] of after) {
    const was = before.get(key) ?? { sum: 0, count: 0 };
    if (count > was.count) delta[key] = { calls: count - was.count, ms: round((sum - was.sum) * 1000, 1) };
  }
  return delta;
}

// ------------------------------------------------------------------------------ pg_stat_statements

export interface StatementStats {
  /** Time PostgreSQL spent executing statements (planning excluded), all statements. */
  execMs: number;
  calls: number;
  /** The statements that took longest in all, first 100 characters of each. */
  top: { query: string; calls: number; ms: number; rows: number }[];
}

export async function resetStatements(pool: pg.Pool): Promise<void> {
  await pool.query('SELECT pg_stat_statements_reset()');
}

/** Statements since the last reset, without the bench's own bookkeeping of them. */
export async function readStatements(pool: pg.Pool, topN = 8): Promise<StatementStats> {
  const { rows } = await pool.query<{ query: string; calls: string; ms: number; rows: string }>(
    `SELECT query, calls, total_exec_time AS ms, rows FROM pg_stat_statements
     WHERE query NOT ILIKE '%pg_stat_statements%' AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
     ORDER BY total_exec_time DESC`,
  );
  return {
    execMs: round(
      rows.reduce((total, row) => total + row.ms, 0),
      1,
    ),
    calls: rows.reduce((total, row) => total + Number(row.calls), 0),
    top: rows.slice(0, topN).map((row) => ({
      query: row.query.replace(/\s+/g, ' ').slice(0, 100),
      calls: Number(row.calls),
      ms: round(row.ms, 1),
      rows: Number(row.rows),
    })),
  };
}

// ------------------------------------------------------------------------------ processes

/** A process's resident memory now and at its peak (kB from /proc, as MB). */
export async function processMemoryMb(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: round(kb('VmRSS') / 1024), peak: round(kb('VmHWM') / 1024) };
}

/** Open connections to the bench database, by the application name each process connects under. */
export async function connectionsByApp(pool: pg.Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ app: string; n: number }>(
    `SELECT application_name AS app, count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() GROUP BY 1`,
  );
  return Object.fromEntries(rows.map((row) => [row.app, row.n]));
}

/** The processes of the bench's stack, by role. */
export type ProcessRole = 'bench' | 'worker' | 'api' | 'temporal' | 'postgres';

/** CPU seconds (user + system, all threads) of each process of the stack so far, by pid, with its role. */
export type CpuSample = Map<number, { role: ProcessRole; cpu: number }>;

/**
 * The bench process and every process below it, told apart by their command lines (a PostgreSQL
 * backend counts as postgres, a thread of the worker as the worker).
 */
export async function cpuSample(): Promise<CpuSample> {
  const entries = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const processes = new Map<number, { parent: number; cpu: number; command: string }>();
  for (const pid of entries) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command (which may hold spaces) start after its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const [parent, utime, stime] = [Number(fields[1]), Number(fields[11]), Number(fields[12])];
      const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      processes.set(Number(pid), { parent, cpu: (utime + stime) / CLOCK_TICKS, command });
    } catch {
      // It ended while we looked.
    }
  }
  const sample: CpuSample = new Map();
  const roleOf = (command: string): ProcessRole =>
    /workerProcess\.ts/.test(command)
      ? 'worker'
      : /api\/server\.ts/.test(command)
        ? 'api'
        : /temporal.*server start-dev/.test(command)
          ? 'temporal'
          : /postgres/.test(command)
            ? 'postgres'
            : 'bench';
  const visit = (pid: number, inherited: ProcessRole | null) => {
    const own = processes.get(pid);
    if (!own) return;
    const role = pid === process.pid ? 'bench' : (inherited ?? roleOf(own.command));
    sample.set(pid, { role, cpu: own.cpu });
    for (const [child, info] of processes) if (info.parent === pid) visit(child, role === 'bench' ? null : role);
  };
  visit(process.pid, null);
  return sample;
}

/** Linux's USER_HZ: /proc counts CPU time in these ticks. */
const CLOCK_TICKS = 100;

/**
 * CPU seconds each role used between two samples: per process, so one that ended in between (a
 * PostgreSQL backend) drops out of both instead of making the sum go down.
 */
export function cpuDelta(before: CpuSample, after: CpuSample): Record<ProcessRole, number> {
  const totals: Record<ProcessRole, number> = { bench: 0, worker: 0, api: 0, temporal: 0, postgres: 0 };
  for (const [pid, { role, cpu }] of after) totals[role] += cpu - (before.get(pid)?.cpu ?? 0);
  return Object.fromEntries(Object.entries(totals).map(([role, cpu]) => [role, round(cpu, 1)])) as Record<
    ProcessRole,
    number
  >;
}

/** Row updates of a table since the server started, and how many were HOT (no index entry written). */
export async function tableUpdates(pool: pg.Pool, table: string): Promise<{ updates: number; hot: number }> {
  const { rows } = await pool.query<{ updates: string; hot: string }>(
    'SELECT n_tup_upd AS updates, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname = $1',
    [table],
  );
  return { updates: Number(rows[0]?.updates ?? 0), hot: Number(rows[0]?.hot ?? 0) };
}
