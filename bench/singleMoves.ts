// Section 1: one client moved three ways, side by side. The floor is the same change done as plainly
// as the database allows (one SQL transaction, rolled back after); the activities alone are the
// move's own activities called in the workflow's order without Temporal; the workflow is the whole
// move through Temporal with the real worker, start to COMPLETED. Each has a rollback too.
import { rollbackUpdate, progressQuery, clientSiteMove } from '../src/workflows/clientSiteMove';
import { moveWorkflowOptions } from '../src/workflows/startOptions';
import { createActivities } from '../src/activities';
import {
  clientIdOf,
  insertMove,
  moveInputFor,
  noMail,
  runCompensations,
  runForwardSteps,
  siteIdOf,
  spaceIdOf,
  bundleIdOf,
  tariffIdOf,
} from '../test/support/moveFixtures';
import {
  breakdownOf,
  histogramDelta,
  median,
  readStatements,
  resetStatements,
  round,
  scrapeHistogram,
  timed,
  type HistoryBreakdown,
  type StatementStats,
} from './measure';
import { TASK_QUEUE, type BenchStack } from './stack';

/** A client the bench moves back and forth between two sites, into a space kept free for it at each. */
export interface Subject {
  client: string;
  items: number;
  home: string;
  away: string;
  /** A space number (1 to 12) vacant at both sites. */
  space: number;
}

export interface FloorResult {
  ms: number;
  undoMs: number;
  samples: number[];
  sql: StatementStats;
}

export interface ActivitiesResult {
  /** Snapshot plus every forward step. */
  ms: number;
  snapshotMs: number;
  forwardMs: number;
  rollbackMs: number;
  ratio: number;
  rollbackRatio: number;
  samples: number[];
  sql: StatementStats;
}

export interface WorkflowResult {
  /** Start to COMPLETED. */
  ms: number;
  ratio: number;
  phase: string;
  historyEvents: number;
  samples: number[];
  /** Where the time went in the last run. */
  history: HistoryBreakdown;
  /** Time inside each activity's code, as the worker's own histogram recorded it. */
  activityCode: Record<string, { calls: number; ms: number }>;
  sql: StatementStats;
  rollback: {
    /** From the operator's rollback (in NEEDS_ATTENTION at REHOME_PHONE_NUMBERS, a blocked number) to ROLLED_BACK. */
    ms: number;
    ratio: number;
    phase: string;
    historyEvents: number;
    history: HistoryBreakdown;
  };
}

export interface MoveSizeResult {
  items: number;
  client: string;
  batchSize: number;
  repeats: number;
  floor: FloorResult;
  activities: ActivitiesResult;
  workflow: WorkflowResult;
}

export interface Where {
  from: string;
  to: string;
}

export async function benchMoveSize(
  stack: BenchStack,
  subject: Subject,
  { repeats, batchSize, log }: { repeats: number; batchSize: number; log: (line: string) => void },
): Promise<MoveSizeResult> {
  const floors: number[] = [];
  const undos: number[] = [];
  const activities: { snapshot: number; forward: number; rollback: number }[] = [];
  const workflows: number[] = [];
  let floorSql: StatementStats | undefined;
  let activitiesSql: StatementStats | undefined;
  let lastWorkflow: Omit<WorkflowResult, 'ratio' | 'samples' | 'rollback'> | undefined;
  let at = subject.home;
  // Interleaved, so each repeat's three paths meet the same machine load.
  for (let repeat = 0; repeat < repeats; repeat++) {
    const where = { from: at, to: at === subject.home ? subject.away : subject.home };
    await resetStatements(stack.pool);
    const floor = await floorMove(stack, subject, where);
    floorSql = await readStatements(stack.pool);
    floors.push(floor.ms);
    undos.push(floor.undoMs);

    await resetStatements(stack.pool);
    activities.push(await activitiesAlone(stack, subject, where, batchSize));
    activitiesSql = await readStatements(stack.pool);

    lastWorkflow = await workflowMove(stack, subject, where, batchSize);
    workflows.push(lastWorkflow.ms);
    at = where.to;
    log(
      `  ${subject.items} items, run ${repeat + 1}/${repeats}: floor ${fmt(floor.ms)} ms, activities ` +
        `${fmt(activities.at(-1)!.snapshot + activities.at(-1)!.forward)} ms, workflow ${fmt(lastWorkflow.ms)} ms`,
    );
  }
  const rollback = await workflowRollback(stack, subject, at, batchSize);
  log(`  ${subject.items} items, rollback through the workflow: ${fmt(rollback.ms)} ms`);

  const floorMs = median(floors);
  const undoMs = median(undos);
  const ratio = (ms: number, floor = floorMs) => round(ms / floor, 1);
  // Each run's own ratio (its floor ran moments before it, under the same load), then the median.
  const runRatio = (times: number[], floorTimes = floors) =>
    round(median(times.map((ms, i) => ms / floorTimes[i]!)), 1);
  const activityTotals = activities.map((a) => a.snapshot + a.forward);
  const activitiesMs = median(activityTotals);
  const workflowMs = median(workflows);
  const rollbackMs = median(activities.map((a) => a.rollback));
  return {
    items: subject.items,
    client: subject.client,
    batchSize,
    repeats,
    floor: {
      ms: round(floorMs, 1),
      undoMs: round(undoMs, 1),
      samples: floors.map((ms) => round(ms, 1)),
      sql: floorSql!,
    },
    activities: {
      ms: round(activitiesMs, 1),
      snapshotMs: round(median(activities.map((a) => a.snapshot)), 1),
      forwardMs: round(median(activities.map((a) => a.forward)), 1),
      rollbackMs: round(rollbackMs, 1),
      ratio: runRatio(activityTotals),
      rollbackRatio: runRatio(
        activities.map((a) => a.rollback),
        undos,
      ),
      samples: activityTotals.map((ms) => round(ms, 1)),
      sql: activitiesSql!,
    },
    workflow: {
      ...lastWorkflow!,
      ms: round(workflowMs, 1),
      ratio: runRatio(workflows),
      samples: workflows.map((ms) => round(ms, 1)),
      rollback: { ...rollback, ms: round(rollback.ms, 1), ratio: ratio(rollback.ms, undoMs) },
    },
  };
}

// ------------------------------------------------------------------------------------- the floor

/**
 * The move as one plain transaction: provision the services at the destination, re-home numbers and
 * users, apply tariff, bundle and spaces, decommission the source services; then the undo of all of
 * it; then ROLLBACK, so nothing changed. Timed without the ROLLBACK.
 */
export async function floorMove(
  stack: Pick<BenchStack, 'pool'>,
  subject: Subject,
  { from, to }: Where,
): Promise<{ ms: number; undoMs: number }> {
  const clientId = clientIdOf(subject.client);
  const [source, destination] = [siteIdOf(from), siteIdOf(to)];
  const target = [spaceIdOf(to, subject.space)];
  const connection = await stack.pool.connect();
  try {
    const { rows } = await connection.query<{ tariff_id: string; minute_bundle_id: string | null }>(
      'SELECT tariff_id, minute_bundle_id FROM client WHERE id = $1',
      [clientId],
    );
    const original = rows[0]!;
    const originalSpaces = (
      await connection.query<{ id: string }>('SELECT id FROM space WHERE client_id = $1 AND site_id = $2', [
        clientId,
        source,
      ])
    ).rows.map((row) => row.id);
    const q = (sql: string, values: unknown[]) => connection.query(sql, values);
    const [, ms] = await timed(async () => {
      await q('BEGIN', []);
      await q(
        `INSERT INTO service (id, client_id, site_id, type, name, status, replaces_service_id, created_at)
         SELECT gen_random_uuid(), client_id, $2, type, name, 'ACTIVE', id, now() FROM service
         WHERE client_id = $1 AND site_id <> $2 AND status = 'ACTIVE'`,
        [clientId, destination],
      );
      await q('UPDATE phone_number SET site_id = $2 WHERE client_id = $1 AND site_id <> $2', [clientId, destination]);
      await q('UPDATE client_user SET site_id = $2 WHERE client_id = $1 AND site_id <> $2', [clientId, destination]);
      await q('UPDATE client SET site_id = $2, tariff_id = $3, minute_bundle_id = $4 WHERE id = $1', [
        clientId,
        destination,
        tariffIdOf(to, 'Standard'),
        bundleIdOf(to, '500 minutes'),
      ]);
      await q('UPDATE space SET client_id = $1 WHERE id = ANY($2::uuid[])', [clientId, target]);
      await q('UPDATE space SET client_id = NULL WHERE client_id = $1 AND site_id = $2', [clientId, source]);
      await q(
        `UPDATE service SET status = 'DECOMMISSIONED', decommissioned_at = now()
         WHERE client_id = $1 AND site_id <> $2 AND status = 'ACTIVE'`,
        [clientId, destination],
      );
    });
    const [, undoMs] = await timed(async () => {
      await q(
        `UPDATE service SET status = 'ACTIVE', decommissioned_at = NULL WHERE client_id = $1 AND decommissioned_at = now()`,
        [clientId],
      );
      await q('UPDATE space SET client_id = NULL WHERE id = ANY($1::uuid[])', [target]);
      await q('UPDATE space SET client_id = $1 WHERE id = ANY($2::uuid[])', [clientId, originalSpaces]);
      await q('UPDATE client SET site_id = $2, tariff_id = $3, minute_bundle_id = $4 WHERE id = $1', [
        clientId,
        source,
        original.tariff_id,
        original.minute_bundle_id,
      ]);
      await q('UPDATE client_user SET site_id = $2 WHERE client_id = $1 AND site_id = $3', [
        clientId,
        source,
        destination,
      ]);
      await q('UPDATE phone_number SET site_id = $2 WHERE client_id = $1 AND site_id = $3', [
        clientId,
        source,
        destination,
      ]);
      // Only the services this transaction made (now() is the transaction's start).
      await q('DELETE FROM service WHERE client_id = $1 AND site_id = $2 AND created_at = now()', [
        clientId,
        destination,
      ]);
    });
    return { ms, undoMs };
  } finally {
    await connection.query('ROLLBACK');
    connection.release();
  }
}

// ---------------------------------------------------------------------------- activities alone

/** The move's activities called directly, in the workflow's order, then its compensations in reverse. */
async function activitiesAlone(
  stack: BenchStack,
  subject: Subject,
  { to }: Where,
  batchSize: number,
): Promise<{ snapshot: number; forward: number; rollback: number }> {
  const activities = createActivities({ db: stack.db, mailer: noMail });
  const move = await insertMove(stack.db, { client: subject.client, to, targetSpaces: [subject.space] });
  const [, snapshot] = await timed(() => activities.snapshotMoveItems({ moveId: move.moveId }));
  const [, forward] = await timed(() => runForwardSteps(activities, move.moveId, batchSize));
  const [, rollback] = await timed(() => runCompensations(activities, move.moveId, batchSize));
  // The move is over; the client (back where it was) can be moved again.
  await stack.db.clientSiteMove.update({
    where: { id: move.moveId },
    data: { status: 'ROLLED_BACK', finishedAt: new Date() },
  });
  return { snapshot, forward, rollback };
}

// --------------------------------------------------------------------------------- the workflow

async function workflowMove(
  stack: BenchStack,
  subject: Subject,
  { to }: Where,
  batchSize: number,
): Promise<Omit<WorkflowResult, 'ratio' | 'samples' | 'rollback'>> {
  const move = await insertMove(stack.db, { client: subject.client, to, targetSpaces: [subject.space] });
  const options = moveWorkflowOptions(moveInputFor(move, { batchSize }), TASK_QUEUE);
  const metricsBefore = await activityHistogram(stack);
  await resetStatements(stack.pool);
  const [result, ms] = await timed(() => stack.temporal.workflow.execute(clientSiteMove, options));
  const sql = await readStatements(stack.pool);
  const activityCode = histogramDelta(metricsBefore, await activityHistogram(stack));
  const history = await stack.temporal.workflow.getHandle(options.workflowId).fetchHistory();
  const events = history.events ?? [];
  return { ms, phase: result.phase, historyEvents: events.length, history: breakdownOf(events), activityCode, sql };
}

/**
 * A move that meets a number the carrier has blocked (its last one, so every other number has moved
 * by then): NEEDS_ATTENTION at REHOME_PHONE_NUMBERS, then the operator rolls back and the services
 * provisioned and numbers re-homed are undone. The number is unblocked after. (An occupied space no
 * longer serves: the pre-move check holds such a move before anything moves, and it ends CANCELLED.)
 */
async function workflowRollback(
  stack: BenchStack,
  subject: Subject,
  from: string,
  batchSize: number,
): Promise<WorkflowResult['rollback']> {
  const clientId = clientIdOf(subject.client);
  const { rows } = await stack.pool.query<{ id: string }>(
    `UPDATE phone_number SET status = 'BLOCKED' WHERE id =
       (SELECT id FROM phone_number WHERE client_id = $1 ORDER BY number DESC, id DESC LIMIT 1) RETURNING id`,
    [clientId],
  );
  try {
    return await rollbackMove(stack, subject, from, batchSize);
  } finally {
    await stack.pool.query(`UPDATE phone_number SET status = 'ACTIVE' WHERE id = ANY($1::uuid[])`, [
      rows.map((row) => row.id),
    ]);
  }
}

async function rollbackMove(
  stack: BenchStack,
  subject: Subject,
  from: string,
  batchSize: number,
): Promise<WorkflowResult['rollback']> {
  const move = await insertMove(stack.db, {
    client: subject.client,
    to: from === subject.home ? subject.away : subject.home,
    targetSpaces: [subject.space],
  });
  const options = moveWorkflowOptions(moveInputFor(move, { batchSize }), TASK_QUEUE);
  const handle = await stack.temporal.workflow.start(clientSiteMove, options);
  for (;;) {
    const progress = await handle.query(progressQuery);
    if (progress.phase === 'NEEDS_ATTENTION') break;
    if (progress.phase !== 'MOVING' && progress.phase !== 'SCHEDULED') {
      throw new Error(`The rollback move of ${subject.client} from ${from} ended ${progress.phase} instead of waiting`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const before = (await handle.fetchHistory()).events?.length ?? 0;
  const [result, ms] = await timed(async () => {
    await handle.executeUpdate(rollbackUpdate, { args: [null] });
    return handle.result();
  });
  const events = (await handle.fetchHistory()).events ?? [];
  return {
    ms,
    ratio: 0,
    phase: result.phase,
    historyEvents: events.length,
    history: breakdownOf(events, before),
  };
}

const activityHistogram = (stack: BenchStack) =>
  scrapeHistogram(stack.workerMetricsUrl, 'csm_activity_duration_seconds', 'activity');

const fmt = (ms: number) => ms.toFixed(0);
