// Section 2: a site closing moves dozens of clients in one evening. Many small moves started at once
// through the API, as operators would: time until all are COMPLETED, each move's own time, moves per
// minute, and what it cost the worker (memory) and the database (connections).
import type { Client } from '@temporalio/client';
import { DEMO_TOKENS } from '../src/domain/tokens';
import { bundleIdOf, clientIdOf, siteIdOf, tariffIdOf } from '../test/support/moveFixtures';
import { createClient } from './clients';
import {
  breakdownOf,
  connectionsByApp,
  cpuDelta,
  cpuSample,
  percentile,
  processMemoryMb,
  round,
  type HistoryBreakdown,
  type ProcessRole,
} from './measure';
import { APP_NAMES, type BenchStack } from './stack';

/** Sites the throughput clients live at and move between; Leeds is kept for the dashboard's tasks. */
export const THROUGHPUT_SITES = ['LDN-SHO', 'MAN-SPF', 'BRS-TQY', 'AMS-ZUI'] as const;

export interface StartedMove {
  moveId: string;
  clientName: string;
  workflowId: string;
  runId: string;
  /** Site code it moves to. */
  to: string;
}

export interface ThroughputResult {
  moves: number;
  itemsPerMove: number;
  /** Moves whose workflow ended COMPLETED. */
  completed: number;
  phases: Record<string, number>;
  /** First start request sent until the last workflow closed; null (NaN) when some never closed or started. */
  allCompletedMs: number;
  /** Each move: its start request sent until its workflow closed. */
  perMoveMs: { p50: number; p99: number; max: number };
  /** From a start's first request until the API answered 201 (repeats included). */
  startRequestMs: { p50: number; p99: number };
  /** Answers that refused a start which the bench then repeated (same Idempotency-Key), by status. */
  startRetries: Record<string, number>;
  /** Starts that failed even when repeated (the move never ran), and what the first one said. */
  startErrors: number;
  firstStartError: string | null;
  movesPerMinute: number;
  /** The worker process's resident memory: before the moves, the most seen while they ran, after. */
  workerRssMb: { before: number; max: number; after: number };
  /** Most connections to the database seen open at once, by process. */
  dbConnections: { worker: number; api: number; total: number };
  historyEventsPerMove: number;
  /** Where the median move's time went, from its history. */
  medianMoveHistory: HistoryBreakdown;
  /** CPU seconds each process used from the first start to the last close (the machine has cores × wall). */
  cpuSeconds: Record<ProcessRole, number>;
  /** The moves, for the API section (a finished one is read under load). */
  started: StartedMove[];
}

export async function benchThroughput(
  stack: BenchStack,
  { moves, itemsPerMove, timeoutMs }: { moves: number; itemsPerMove: number; timeoutMs: number },
): Promise<ThroughputResult> {
  const plan: { name: string; to: string }[] = [];
  for (let i = 0; i < moves; i++) {
    const home = THROUGHPUT_SITES[i % THROUGHPUT_SITES.length]!;
    const to = THROUGHPUT_SITES[(i + 1) % THROUGHPUT_SITES.length]!;
    const name = `Throughput ${String(i + 1).padStart(3, '0')}`;
    await createClient(stack.db, name, home, itemsPerMove);
    plan.push({ name, to });
  }

  const memoryBefore = await processMemoryMb(stack.workerPid);
  let maxRss = memoryBefore.rss;
  const maxConnections = { worker: 0, api: 0, total: 0 };
  const sample = async () => {
    maxRss = Math.max(maxRss, (await processMemoryMb(stack.workerPid)).rss);
    const open = await connectionsByApp(stack.pool);
    maxConnections.worker = Math.max(maxConnections.worker, open[APP_NAMES.worker] ?? 0);
    maxConnections.api = Math.max(maxConnections.api, open[APP_NAMES.api] ?? 0);
    maxConnections.total = Math.max(
      maxConnections.total,
      Object.values(open).reduce((a, b) => a + b, 0),
    );
  };

  const cpuBefore = await cpuSample();
  const firstSent = Date.now();
  const refusedStatuses: number[] = [];
  const attempts = await Promise.all(
    plan.map(async ({ name, to }) => {
      const sent = Date.now();
      try {
        const { move, refused } = await startThroughApi(stack.apiUrl, name, to, 'now');
        refusedStatuses.push(...refused);
        return { ...move, sent, answeredMs: Date.now() - sent };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error), answeredMs: Date.now() - sent };
      }
    }),
  );
  const starts = attempts.filter((a): a is Exclude<typeof a, { error: string }> => !('error' in a));
  const startErrors = attempts.flatMap((a) => ('error' in a ? [a.error] : []));
  const refusedByStatus: Record<string, number> = {};
  for (const status of refusedStatuses) refusedByStatus[status] = (refusedByStatus[status] ?? 0) + 1;
  const ids = starts.map((s) => s.moveId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await sample();
    const { rows } = await stack.pool.query<{ open: number }>(
      `SELECT count(*)::int AS open FROM client_site_move
       WHERE id = ANY($1::uuid[]) AND status NOT IN ('COMPLETED', 'ROLLED_BACK', 'CANCELLED', 'FAILED')`,
      [ids],
    );
    if (rows[0]!.open === 0) break;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // The database says final once finishMove ran; the run itself closes a moment later.
  const closed = await Promise.all(starts.map((s) => closeOf(stack.temporal, s.workflowId, s.runId, deadline)));
  const cpuSeconds = cpuDelta(cpuBefore, await cpuSample());
  const phases: Record<string, number> = {};
  for (const c of closed) phases[c.status] = (phases[c.status] ?? 0) + 1;
  const timed = closed.flatMap((c, i) => (c.closedAt === undefined ? [] : [{ ms: c.closedAt - starts[i]!.sent, i }]));
  const perMove = timed.map((t) => t.ms);
  const allClosed = timed.length === attempts.length;
  const lastClosedMs = Math.max(...timed.map((t) => closed[t.i]!.closedAt!)) - firstSent;
  const allCompletedMs = allClosed ? lastClosedMs : Number.NaN;
  const memoryAfter = await processMemoryMb(stack.workerPid);
  const byTime = [...timed].sort((a, b) => a.ms - b.ms);
  const median = byTime.length > 0 ? starts[byTime[Math.floor((byTime.length - 1) / 2)]!.i]! : undefined;
  const medianHistory = median
    ? ((await stack.temporal.workflow.getHandle(median.workflowId, median.runId).fetchHistory()).events ?? [])
    : [];
  return {
    moves,
    itemsPerMove,
    completed: phases.COMPLETED ?? 0,
    phases,
    allCompletedMs: round(allCompletedMs),
    perMoveMs: {
      p50: round(percentile(perMove, 50)),
      p99: round(percentile(perMove, 99)),
      max: round(Math.max(...perMove)),
    },
    startRequestMs: {
      p50: round(
        percentile(
          attempts.map((s) => s.answeredMs),
          50,
        ),
      ),
      p99: round(
        percentile(
          attempts.map((s) => s.answeredMs),
          99,
        ),
      ),
    },
    startRetries: refusedByStatus,
    startErrors: startErrors.length,
    firstStartError: startErrors[0] ?? null,
    movesPerMinute: round((timed.length / lastClosedMs) * 60_000, 1),
    workerRssMb: { before: memoryBefore.rss, max: Math.max(maxRss, memoryAfter.rss), after: memoryAfter.rss },
    dbConnections: maxConnections,
    historyEventsPerMove: round(
      percentile(
        closed.map((c) => c.historyEvents),
        50,
      ),
    ),
    medianMoveHistory: breakdownOf(medianHistory),
    cpuSeconds,
    started: starts.map(({ moveId, clientName, workflowId, runId, to }) => ({
      moveId,
      clientName,
      workflowId,
      runId,
      to,
    })),
  };
}

/** What a start came to: the move, and the answers that were refused on the way (retried). */
export interface StartOutcome {
  move: StartedMove;
  /** Status codes of refused attempts before the one that started the move, e.g. [503, 500]. */
  refused: number[];
}

/**
 * POST /api/client-site-moves as the wizard's Finish does (Standard tariff, 500-minute bundle, no
 * spaces), with an Idempotency-Key, and again after a 5xx as a client should: the API says nothing was
 * changed, and the key makes a repeat safe whatever happened. Gives up after `attempts`.
 */
export async function startThroughApi(
  apiUrl: string,
  clientName: string,
  to: string,
  moveAt: string,
  attempts = 10,
): Promise<StartOutcome> {
  const refused: number[] = [];
  const key = `bench-${clientName}-${to}-${moveAt}`.replace(/[^\x21-\x7e]/g, '_');
  for (;;) {
    const response = await fetch(`${apiUrl}/api/client-site-moves`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${DEMO_TOKENS.superAdmin}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': key,
      },
      body: JSON.stringify({
        clientId: clientIdOf(clientName),
        destinationSiteId: siteIdOf(to),
        tariffId: tariffIdOf(to, 'Standard'),
        minuteBundleId: bundleIdOf(to, '500 minutes'),
        spaceIds: [],
        moveAt,
      }),
    });
    const body = (await response.json()) as { id?: string; workflowId?: string; runId?: string | null };
    if (response.status === 201 && body.id && body.workflowId && body.runId) {
      return { move: { moveId: body.id, clientName, workflowId: body.workflowId, runId: body.runId, to }, refused };
    }
    refused.push(response.status);
    if (response.status < 500 || refused.length >= attempts) {
      throw new Error(
        `Starting the move of ${clientName} answered ${refused.join(', ')}; the last said ${JSON.stringify(body)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 1_000));
  }
}

/** The run's final status and close time, waiting for it to close until the deadline. */
async function closeOf(
  temporal: Client,
  workflowId: string,
  runId: string,
  deadline: number,
): Promise<{ status: string; closedAt: number | undefined; historyEvents: number }> {
  for (;;) {
    const description = await temporal.workflow.getHandle(workflowId, runId).describe();
    if (description.closeTime || Date.now() > deadline) {
      return {
        status: description.status.name,
        closedAt: description.closeTime?.getTime(),
        historyEvents: description.historyLength,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
