// Records the histories of the workflow's main paths into test/histories/*.json (`npm run
// histories:record`). The replay test runs them against the current code, so a change that is not
// replay-safe fails the suite. Histories are never re-recorded: each workflow generation (a set of
// patched() changes) records its own files, named `<generation>-<scenario>.json`, beside the older
// ones, and a file that exists is left as it is. Generations up to gen4 were recorded by
// test/histories/record.ts, kept exactly as it was then (it knows neither the later scenarios nor the
// later workflow: do not run it).
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../src/telemetry/tracing';
import { readTemporalTool } from '../../src/dev/tools';
import {
  cancelUpdate,
  moveNowUpdate,
  rescheduleUpdate,
  retryUpdate,
  rollbackUpdate,
} from '../../src/workflows/clientSiteMove';
import {
  createFakeMoveActivities,
  type ActivityName,
  type FakeMoveActivities,
  type FakeOptions,
  type Gate,
} from './fakeMoveActivities';
import { DAY_MS, moveInput, waitForProgress, waitUntilAsleep, withMove, type MoveHandle } from './moveWorkflow';
import { checksDigest, type MoveCheck } from '../../src/domain/move';
import { startTimeSkippingEnv } from './temporal';
import { outcomeEmailWorkflowId } from '../../src/workflows/moveOutcomeEmail';
import { warningsEmailWorkflowId } from '../../src/workflows/moveWarningsEmail';

/** Where the histories live (the replay test reads them there). */
const HISTORIES = path.join(__dirname, '..', 'histories');

/** The generation of the workflow the current code records (bump it with the next patched change). */
const GENERATION = 'gen10';

interface Scenario {
  name: string;
  /** Also record the outcome email's own workflow (moveOutcomeEmail), under this scenario name. */
  emailScenario?: string;
  /** Also record the warnings email's own workflow (moveWarningsEmail) for this set, under this name. */
  warningsEmail?: { scenario: string; warnings: MoveCheck[] };
  fake?: FakeOptions;
  moveNow?: boolean;
  /** Hours from now to the move's time; a week without it. */
  scheduledInHours?: number;
  /** An activity that waits until the scenario opens it (to act while a step is in flight). */
  gate?: ActivityName;
  /** What the fake activities find before the move starts (e.g. the pre-move check's warnings). */
  prepare?(fake: FakeMoveActivities): void;
  drive(
    handle: MoveHandle,
    env: TestWorkflowEnvironment,
    gate: Gate | undefined,
    fake: FakeMoveActivities,
  ): Promise<void>;
}

const needsAttention = (handle: MoveHandle) =>
  waitForProgress(handle, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
const blocked = { rehomePhoneNumbers: { times: 1, type: 'PhoneNumberBlocked', nonRetryable: true } };

const blockedNumber: MoveCheck = {
  type: 'phone-number-blocked',
  message: '+442070000001 is blocked by the carrier',
  field: null,
  item: { kind: 'PHONE_NUMBER', id: 'number-1', label: '+442070000001' },
};
const spaceLet: MoveCheck = {
  type: 'space-occupied',
  message: 'Space 5 was let to another client',
  field: 'spaceIds.0',
  item: { kind: 'SPACE', id: 'space-5', label: 'Space 5' },
};

/** Lets the chosen space go during the week: the check an hour before the move holds it. */
async function heldByTheCheck(h: MoveHandle, env: TestWorkflowEnvironment, fake: FakeMoveActivities): Promise<void> {
  await waitUntilAsleep(h, fake);
  fake.preflightFinds({ problems: [spaceLet] });
  await env.sleep(7 * DAY_MS - 3_600_000 + 60_000);
  await needsAttention(h);
}

const SCENARIOS: Scenario[] = [
  { name: 'scheduled-completed', drive: async (h) => void (await h.result()) },
  { name: 'moved-now', moveNow: true, emailScenario: 'email-sent', drive: async (h) => void (await h.result()) },
  {
    name: 'rescheduled-then-moved-now',
    drive: async (h, env) => {
      await h.executeUpdate(rescheduleUpdate, { args: [new Date((await env.currentTimeMs()) + DAY_MS).toISOString()] });
      await h.executeUpdate(moveNowUpdate, { args: [null] });
      await h.result();
    },
  },
  {
    name: 'cancelled-by-update',
    drive: async (h) => {
      await h.executeUpdate(cancelUpdate, { args: ['Client changed its mind'] });
      await h.result();
    },
  },
  {
    name: 'needs-attention-retried',
    moveNow: true,
    fake: { failures: blocked },
    drive: async (h) => {
      await needsAttention(h);
      await h.executeUpdate(retryUpdate, { args: [null] });
      await h.result();
    },
  },
  {
    name: 'needs-attention-rolled-back',
    moveNow: true,
    fake: { failures: { ...blocked, rehomePhoneNumbers: { ...blocked.rehomePhoneNumbers, times: Infinity } } },
    drive: async (h) => {
      await needsAttention(h);
      await h.executeUpdate(rollbackUpdate, { args: [null] });
      await h.result();
    },
  },
  {
    name: 'deadline-rolled-back',
    moveNow: true,
    fake: { failures: { assignSpaces: { times: Infinity, type: 'SpaceOccupied', nonRetryable: true } } },
    drive: async (h) => void (await h.result()),
  },
  {
    name: 'rollback-failed',
    moveNow: true,
    fake: {
      failures: {
        decommissionSourceServices: { times: 1, type: 'StepBroken', nonRetryable: true },
        restoreSpaces: { times: Infinity, type: 'SpaceNotRestorable', nonRetryable: true },
      },
    },
    drive: async (h) => {
      await needsAttention(h);
      await h.executeUpdate(rollbackUpdate, { args: [null] });
      await h.result();
    },
  },
  {
    name: 'cancelled-in-temporal-while-waiting',
    drive: async (h) => {
      await h.cancel();
      await h.result();
    },
  },
  {
    name: 'cancelled-in-temporal-mid-move',
    moveNow: true,
    gate: 'moveUsers',
    drive: async (h, _env, gate) => {
      await gate?.whenReached;
      await h.cancel();
      await h.result();
    },
  },
  {
    name: 'outage-waited-out',
    moveNow: true,
    fake: { failures: { moveUsers: { times: 10, type: 'DatabaseUnavailable', nonRetryable: false } } },
    drive: async (h) => void (await h.result()),
  },
  {
    name: 'outage-past-window-rolled-back',
    moveNow: true,
    fake: { failures: { moveUsers: { times: Infinity, type: 'DatabaseUnavailable', nonRetryable: false } } },
    drive: async (h, env) => {
      await env.sleep('2 hours');
      await needsAttention(h);
      await h.executeUpdate(rollbackUpdate, { args: [null] });
      await h.result();
    },
  },
  {
    name: 'mirror-caught-up',
    moveNow: true,
    fake: {
      failures: {
        rehomePhoneNumbers: { times: 1, type: 'PhoneNumberBlocked', nonRetryable: true },
        recordProgress: { times: 12, type: 'DatabaseUnavailable', nonRetryable: false },
      },
    },
    drive: async (h, env) => {
      await env.sleep('30 minutes');
      await needsAttention(h);
      await h.executeUpdate(retryUpdate, { args: [null] });
      await h.result();
    },
  },
  {
    // The mirror never works while the move waits three hours: the catch-up rests after 12 tries,
    // and starts again when the check a while before the move fails to mirror too.
    name: 'mirror-catch-up-rested',
    scheduledInHours: 3,
    fake: { failures: { recordProgress: { times: Infinity, type: 'DatabaseUnavailable', nonRetryable: false } } },
    drive: async (h) => void (await h.result()),
  },
  {
    name: 'preflight-warnings-emailed',
    warningsEmail: { scenario: 'warnings-email-sent', warnings: [blockedNumber] },
    prepare: (fake) => fake.preflightFinds({ warnings: [blockedNumber] }),
    drive: async (h) => void (await h.result()),
  },
  {
    name: 'preflight-warnings-not-delivered',
    warningsEmail: { scenario: 'warnings-email-given-up', warnings: [blockedNumber] },
    fake: { failures: { sendWarningsEmail: { times: Infinity, type: 'SendFailed', nonRetryable: false } } },
    prepare: (fake) => fake.preflightFinds({ warnings: [blockedNumber] }),
    drive: async (h) => void (await h.result()),
  },
  {
    name: 'preflight-warnings-rescheduled',
    // The mail refuses for the two hours until the move's time and a little longer; meanwhile the
    // move is put off by four hours, so its warnings email goes on trying until then.
    warningsEmail: { scenario: 'warnings-email-followed-reschedule', warnings: [blockedNumber] },
    scheduledInHours: 2,
    fake: { failures: { sendWarningsEmail: { times: 20, type: 'SendFailed', nonRetryable: false } } },
    prepare: (fake) => fake.preflightFinds({ warnings: [blockedNumber] }),
    drive: async (h, env, _gate, fake) => {
      await waitUntilAsleep(h, fake);
      const later = new Date((await env.currentTimeMs()) + 6 * 3_600_000).toISOString();
      await h.executeUpdate(rescheduleUpdate, { args: [later, null] });
      await h.result();
    },
  },
  {
    name: 'preflight-held-retried',
    drive: async (h, env, _gate, fake) => {
      await heldByTheCheck(h, env, fake);
      fake.preflightFinds({});
      await h.executeUpdate(retryUpdate, { args: [{ operatorId: 'operator-1' }] });
      await h.result();
    },
  },
  {
    name: 'preflight-held-cancelled',
    drive: async (h, env, _gate, fake) => {
      await heldByTheCheck(h, env, fake);
      await h.executeUpdate(cancelUpdate, { args: ['Space gone; choosing another', { operatorId: 'operator-1' }] });
      await h.result();
    },
  },
  {
    name: 'bookkeeping-as-activity-after-outage',
    moveNow: true,
    fake: { failures: { markMoveScheduled: { times: 12, type: 'DatabaseUnavailable', nonRetryable: false } } },
    drive: async (h) => void (await h.result()),
  },
  {
    name: 'email-given-up',
    moveNow: true,
    emailScenario: 'email-given-up-email',
    fake: { failures: { sendOutcomeEmail: { times: Infinity, type: 'MailServerDown', nonRetryable: false } } },
    drive: async (h) => void (await h.result()),
  },
];

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'csm-record-'));
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  });
  const bundlePath = path.join(dir, 'bundle.js');
  await writeFile(bundlePath, bundle.code);
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.TEST_TEMPORAL_TEST_SERVER = readTemporalTool('testServer');
  const env = await startTimeSkippingEnv();
  try {
    for (const scenario of SCENARIOS) {
      const file = path.join(HISTORIES, `${GENERATION}-${scenario.name}.json`);
      if (existsSync(file)) {
        console.log(`kept ${path.basename(file)}: recorded histories are never replaced`);
        continue;
      }
      const fake = createFakeMoveActivities(scenario.fake);
      const gate = scenario.gate ? fake.gate(scenario.gate) : undefined;
      scenario.prepare?.(fake);
      const input = await moveInput(env, {
        moveNow: scenario.moveNow ?? false,
        ...(scenario.scheduledInHours === undefined
          ? {}
          : {
              scheduledFor: new Date((await env.currentTimeMs()) + scenario.scheduledInHours * 3_600_000).toISOString(),
            }),
        batchSize: 2,
        emailDeliveryWindow: '2 hours',
      });
      const histories = await withMove(env, fake, input, async (handle) => {
        await scenario.drive(handle, env, gate, fake);
        const emailHandle = env.client.workflow.getHandle(outcomeEmailWorkflowId(input.moveId));
        // The email's workflow runs on after the move: its whole history, once it has finished.
        const email = scenario.emailScenario ? await emailHandle.result().then(() => emailHandle.fetchHistory()) : null;
        const warningsHandle = scenario.warningsEmail
          ? env.client.workflow.getHandle(
              warningsEmailWorkflowId(input.moveId, checksDigest(scenario.warningsEmail.warnings)),
            )
          : null;
        const warnings = warningsHandle
          ? await warningsHandle.result().then(() => warningsHandle.fetchHistory())
          : null;
        return { move: await handle.fetchHistory(), email, warnings };
      });
      await writeHistory(file, histories.move);
      if (scenario.emailScenario && histories.email) {
        await writeHistory(path.join(HISTORIES, `${GENERATION}-${scenario.emailScenario}.json`), histories.email);
      }
      if (scenario.warningsEmail && histories.warnings) {
        const name = `${GENERATION}-${scenario.warningsEmail.scenario}.json`;
        await writeHistory(path.join(HISTORIES, name), histories.warnings);
      }
    }
  } finally {
    await env.teardown();
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeHistory(file: string, history: temporal.api.history.v1.IHistory): Promise<void> {
  // wx: fails rather than replace a history that exists.
  await writeFile(file, `${historyToJSON(history)}\n`, { flag: 'wx' });
  console.log(`recorded ${path.basename(file)}: ${history.events?.length ?? 0} events`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
