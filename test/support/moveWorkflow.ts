// Runs the ClientSiteMove workflow under a test environment with local activities.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import {
  checksDigest,
  type ClientSiteMoveInput,
  type EmailState,
  type MoveCheck,
  type MoveProgress,
} from '../../src/domain/move';
import { type moveOutcomeEmail, outcomeEmailWorkflowId } from '../../src/workflows/moveOutcomeEmail';
import { type moveWarningsEmail, warningsEmailWorkflowId } from '../../src/workflows/moveWarningsEmail';
import { clientSiteMove, progressQuery } from '../../src/workflows/clientSiteMove';
import { workflowTracingSinks } from '../../src/telemetry/tracing';
import { moveWorkflowOptions } from '../../src/workflows/startOptions';
import type { FakeMoveActivities } from './fakeMoveActivities';
import { workflowBundle } from './temporal';

export const DAY_MS = 24 * 60 * 60 * 1000;

export type MoveHandle = WorkflowHandle<typeof clientSiteMove>;

export async function moveInput(
  env: TestWorkflowEnvironment,
  overrides: Partial<ClientSiteMoveInput> = {},
): Promise<ClientSiteMoveInput> {
  const now = await env.currentTimeMs();
  return {
    moveId: randomUUID(),
    clientId: randomUUID(),
    clientName: 'Test Client Ltd',
    sourceSiteId: randomUUID(),
    destinationSiteId: randomUUID(),
    scheduledFor: new Date(now + 7 * DAY_MS).toISOString(),
    moveNow: false,
    notify: true,
    batchSize: 2,
    decisionTimeout: '24 hours',
    ...overrides,
  };
}

/**
 * Starts a worker with the fake's activities, starts the move, and runs `body` while the worker
 * runs. Heartbeats are not throttled, so a cancelled activity learns of it at once.
 */
export async function withMove<T>(
  env: TestWorkflowEnvironment,
  fake: FakeMoveActivities,
  input: ClientSiteMoveInput,
  body: (handle: MoveHandle) => Promise<T>,
  options: {
    /** Runs once the move is started, before its worker: what it sends, the first workflow task sees. */
    beforeWorker?: (handle: MoveHandle) => Promise<void>;
  } = {},
): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  fake.startsEmailWorkflowsOn(env.client, taskQueue);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: fake.activities,
    // The bundle carries the tracing interceptors; their spans go nowhere here.
    sinks: workflowTracingSinks(undefined),
    maxHeartbeatThrottleInterval: '50 milliseconds',
    defaultHeartbeatThrottleInterval: '50 milliseconds',
  });
  const started = options.beforeWorker
    ? await env.client.workflow.start(clientSiteMove, moveWorkflowOptions(input, taskQueue))
    : null;
  if (started) await options.beforeWorker?.(started);
  return worker.runUntil(async () => {
    const handle = started ?? (await env.client.workflow.start(clientSiteMove, moveWorkflowOptions(input, taskQueue)));
    const value = await withDiagnosis(body(handle), handle, fake);
    // The outcome email runs on as its own workflow; let it finish while the worker still runs, so
    // nothing is left running on the shared test server.
    await outcomeEmailResult(env, input.moveId).catch((error: unknown) => {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    });
    return value;
  });
}

/** The move's outcome email workflow's result: the email state it ended with. */
export function outcomeEmailResult(env: TestWorkflowEnvironment, moveId: string): Promise<{ state: EmailState }> {
  return env.client.workflow.getHandle<typeof moveOutcomeEmail>(outcomeEmailWorkflowId(moveId)).result();
}

/**
 * The warnings email workflow's result for this set of warnings: the email state it ended with.
 * Awaiting it lets the test server skip time, so await it once the move's own timers cannot matter.
 */
export function warningsEmailResult(
  env: TestWorkflowEnvironment,
  moveId: string,
  warnings: MoveCheck[],
): Promise<{ state: EmailState }> {
  const workflowId = warningsEmailWorkflowId(moveId, checksDigest(warnings));
  return env.client.workflow.getHandle<typeof moveWarningsEmail>(workflowId).result();
}

/**
 * A test stuck on a workflow fails after a minute with what the workflow and the fake had done,
 * rather than with jest's bare timeout.
 */
async function withDiagnosis<T>(work: Promise<T>, handle: MoveHandle, fake: FakeMoveActivities): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void handle
        .fetchHistory()
        .then((history) => (history.events ?? []).map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0]))
        .catch((error: unknown) => [`history unavailable: ${String(error)}`])
        .then((events) =>
          reject(new Error(`Workflow stuck.\nActivity calls: ${fake.calls.join(', ')}\nHistory: ${events.join(', ')}`)),
        );
    }, 60_000);
  });
  try {
    return await Promise.race([work, stuck]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits until no activity is in flight. The Java test server cannot take a cancellation that races
 * an activity's completion (it answers ACTIVITY_UNKNOWN and the workflow task hangs); the real
 * server can. Tests that cancel a waiting move wait for quiet first.
 */
export async function waitForQuiet(handle: MoveHandle): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await handle.describe()).raw.pendingActivities?.length) {
    if (Date.now() > deadline) throw new Error('An activity stayed in flight for 20 s');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Waits until a scheduled move sleeps on its timer: marked, checked (the pre-move check and its
 * mirror) and with no activity in flight, so a cancel cannot race an activity (see waitForQuiet).
 */
export async function waitUntilAsleep(handle: MoveHandle, fake: FakeMoveActivities): Promise<void> {
  await waitForProgress(
    handle,
    () => fake.calls.includes('preflightCheck') && fake.calls.filter((c) => c === 'recordProgress').length >= 2,
    'the move to be scheduled and checked',
  );
  await waitForQuiet(handle);
}

/** Polls the progress query until `predicate` holds (the workflow is driven by the worker meanwhile). */
export async function waitForProgress(
  handle: MoveHandle,
  predicate: (progress: MoveProgress) => boolean,
  what: string,
): Promise<MoveProgress> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const progress = await handle.query(progressQuery);
    if (predicate(progress)) return progress;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; progress: ${JSON.stringify(progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Waits until the dashboard mirror (the fake's recordProgress) has recorded a progress for which
 * `predicate` holds. The query can be ahead of the mirror: the phase changes before it is mirrored.
 */
export async function waitForMirror(
  fake: FakeMoveActivities,
  predicate: (progress: MoveProgress) => boolean,
  what: string,
): Promise<MoveProgress> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const last = fake.progressLog.at(-1);
    if (last && predicate(last)) return last;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for the mirror to show ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits, in real time (no time skipped), until the fake has sent `count` warnings emails. */
export async function waitForWarningsEmails(fake: FakeMoveActivities, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (fake.warningEmails.length < count) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for warnings email ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
