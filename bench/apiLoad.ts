// Section 3: the API while moves run, under autocannon at fixed request rates: a running move's
// progress, a finished move's, and a site's dashboard with live tasks (the dashboard polls it).
import autocannon from 'autocannon';
import { DEMO_TOKENS } from '../src/domain/tokens';
import { siteIdOf } from '../test/support/moveFixtures';
import { cpuDelta, cpuSample, percentile, round, type ProcessRole } from './measure';
import type { BenchStack } from './stack';
import { startThroughApi, type StartedMove } from './throughput';

/** Where the live tasks go: no throughput move goes there, so its dashboard holds only them. */
export const DASHBOARD_SITE = 'LDS-WEL';

/** Seconds of load at the same rate before each measured run, not counted (at most half the run). */
const WARM_UP_S = 2;

/** At most this many one-connection autocannon instances share a load (pacedLoad). */
const MAX_LANES = 100;

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
  const request = { method: 'GET' as const, path };
  // Steady state, as a dashboard that has been polling meets it: the API's first answers on fresh
  // connections (its pool's connections opening, each preparing the read's statement) are not counted.
  await pacedLoad(stack.apiUrl, rate, Math.min(WARM_UP_S, durationS / 2), request);
  const cpuBefore = await cpuSample();
  const run = await pacedLoad(stack.apiUrl, rate, durationS, {
    ...request,
    onResponse: (_status: number, body: string) => {
      fromDatabase += count(body, '"progressSource":"database"');
      fromTemporal += count(body, '"progressSource":"temporal"');
    },
  });
  const latencies = run.latenciesMs;
  return {
    endpoint,
    path,
    rate,
    durationS,
    sent: run.sent,
    requests: run.answered,
    p50Ms: latencies.length ? round(percentile(latencies, 50), 1) : 0,
    p99Ms: latencies.length ? round(percentile(latencies, 99), 1) : 0,
    maxMs: latencies.length ? round(percentile(latencies, 100), 1) : 0,
    errors: run.errors + run.non2xx,
    non2xx: run.non2xx,
    fromDatabase,
    fromTemporal,
    cpuSeconds: cpuDelta(cpuBefore, await cpuSample()),
  };
}

/**
 * `rate` requests per second for `durationS`, spread over each second. autocannon's rate limit lets
 * each connection send its share of a second back to back as that second begins
 * (node_modules/autocannon/lib/httpClient.js), and its connections' seconds begin together: one
 * autocannon at 100 rps sends 100 requests at once, then nothing for the rest of the second, a burst
 * ten times the rate. So the load runs as `lanes` autocannon instances of one connection each, every
 * lane started 1/lanes of a second after the one before (at 100 rps, one request every 10 ms), as a
 * dashboard's polls arrive. Each lane's latencies are what it measured per request. Above MAX_LANES
 * requests a second a lane sends its share one after another (at 500 rps, 5 a second): a slow answer
 * delays the lane's next ones, which then shows as `sent` short of the rate, not in the latencies.
 */
async function pacedLoad(
  url: string,
  rate: number,
  durationS: number,
  request: { method: 'GET'; path: string; onResponse?: (status: number, body: string) => void },
): Promise<{ sent: number; answered: number; latenciesMs: number[]; errors: number; non2xx: number }> {
  const lanes = Math.min(rate, MAX_LANES);
  const latenciesMs: number[] = [];
  const runs = Array.from({ length: lanes }, async (_, lane) => {
    await new Promise((resolve) => setTimeout(resolve, (lane * 1000) / lanes));
    return new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url,
          connections: 1,
          // The rate split evenly, the remainder to the first lanes.
          overallRate: Math.floor(rate / lanes) + (lane < rate % lanes ? 1 : 0),
          duration: durationS,
          timeout: 10,
          headers: { authorization: `Bearer ${DEMO_TOKENS.admin}` },
          requests: [request],
        },
        (error: Error | null, result) => (error ? reject(error) : resolve(result)),
      );
      // As autocannon's own histogram: the latencies of 2xx answers (others are counted as errors).
      instance.on('response', (_client, status, _bytes, responseTime) => {
        if (status >= 200 && status < 300) latenciesMs.push(responseTime);
      });
    });
  });
  const results = await Promise.all(runs);
  return {
    sent: results.reduce((sum, result) => sum + result.requests.sent, 0),
    answered: results.reduce((sum, result) => sum + result.requests.total, 0),
    latenciesMs,
    errors: results.reduce((sum, result) => sum + result.errors, 0),
    non2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
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
