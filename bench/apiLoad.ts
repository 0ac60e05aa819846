// Section 3: the API while moves run, under autocannon at fixed request rates: a running move's
// progress, a finished move's, and a site's dashboard with live tasks (the dashboard polls it).
import autocannon from 'autocannon';
import { DEMO_TOKENS } from '../src/domain/tokens';
import { siteIdOf } from '../test/support/moveFixtures';
import { cpuDelta, cpuSample, round, type ProcessRole } from './measure';
import type { BenchStack } from './stack';
import { startThroughApi, type StartedMove } from './throughput';

/** Where the live tasks go: no throughput move goes there, so its dashboard holds only them. */
export const DASHBOARD_SITE = 'LDS-WEL';

/** Seconds of load at the same rate before each measured run, not counted (at most half the run). */
const WARM_UP_S = 2;

export type Endpoint = 'move-running' | 'move-finished' | 'dashboard-tasks';

export interface LoadResult {
  endpoint: Endpoint;
  path: string;
  /** Requests per second asked for. */
  rate: number;
  durationS: number;
  /** Requests sent, and answered (in time or not) within the run. */
  sent: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Connection errors and timeouts, plus answers other than 2xx. */
  errors: number;
  non2xx: number;
  /** Answers (of those read) whose progress came from the database copy, not from Temporal. */
  fromDatabase: number;
  /** Answers (of those read) whose progress came from Temporal. */
  fromTemporal: number;
  /** CPU seconds each process used during the run. */
  cpuSeconds: Record<ProcessRole, number>;
}

/**
 * Schedules `liveTasks` moves to the dashboard site a day ahead (open workflows, each a live task
 * there); one of them is the running move read under load.
 */
export async function prepareLiveTasks(
  stack: BenchStack,
  finished: StartedMove[],
  liveTasks: number,
): Promise<StartedMove[]> {
  const tomorrow = new Date(Date.now() + 24 * 3_600_000).toISOString();
  const scheduled: StartedMove[] = [];
  for (const move of finished.slice(0, liveTasks)) {
    scheduled.push((await startThroughApi(stack.apiUrl, move.clientName, DASHBOARD_SITE, tomorrow)).move);
  }
  return scheduled;
}

export async function loadApi(
  stack: BenchStack,
  { endpoint, path, rate, durationS }: { endpoint: Endpoint; path: string; rate: number; durationS: number },
): Promise<LoadResult> {
  let fromDatabase = 0;
  let fromTemporal = 0;
  const options = {
    url: stack.apiUrl,
    // Enough connections that a slow answer does not hold the rate down (autocannon waits per connection).
    connections: Math.max(10, Math.round(rate / 5)),
    overallRate: rate,
    timeout: 10,
    headers: { authorization: `Bearer ${DEMO_TOKENS.admin}` },
  };
  // Steady state, as a dashboard that has been polling meets it: the API's first answers on fresh
  // connections (its pool's connections opening, each preparing the read's statement) are not counted.
  await autocannon({ ...options, duration: Math.min(WARM_UP_S, durationS / 2), requests: [{ method: 'GET', path }] });
  const cpuBefore = await cpuSample();
  const result = await autocannon({
    ...options,
    duration: durationS,
    requests: [
      {
        method: 'GET',
        path,
        onResponse: (_status, body) => {
          fromDatabase += count(body, '"progressSource":"database"');
          fromTemporal += count(body, '"progressSource":"temporal"');
        },
      },
    ],
  });
  return {
    endpoint,
    path,
    rate,
    durationS,
    sent: result.requests.sent,
    requests: result.requests.total,
    p50Ms: round(result.latency.p50, 1),
    p99Ms: round(result.latency.p99, 1),
    maxMs: round(result.latency.max, 1),
    errors: result.errors + result.non2xx,
    non2xx: result.non2xx,
    fromDatabase,
    fromTemporal,
    cpuSeconds: cpuDelta(cpuBefore, await cpuSample()),
  };
}

export function endpointsFor(running: StartedMove, finished: StartedMove): { endpoint: Endpoint; path: string }[] {
  return [
    { endpoint: 'move-running', path: `/api/client-site-moves/${running.moveId}` },
    { endpoint: 'move-finished', path: `/api/client-site-moves/${finished.moveId}` },
    { endpoint: 'dashboard-tasks', path: `/api/sites/${siteIdOf(DASHBOARD_SITE)}/dashboard/tasks?limit=20&offset=0` },
  ];
}

function count(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) n++;
  return n;
}
