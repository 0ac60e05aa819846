// The pre-move check under time skipping (issue 11.2, 11.3): warnings show on the move and its task
// as soon as they are found (at scheduling, an hour before, when due), each new set is emailed once;
// a problem holds the move in NEEDS_ATTENTION before anything moved, until a retry after a fix, a
// cancel, or the deadline; what changed since the review is on the finished move and its email.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MoveCheck } from '../../src/domain/move';
import { cancelUpdate, progressQuery, rescheduleUpdate, retryUpdate } from '../../src/workflows/clientSiteMove';
import { createFakeMoveActivities, type ActivityName } from '../support/fakeMoveActivities';
import {
  DAY_MS,
  moveInput,
  waitForMirror,
  waitForProgress,
  waitUntilAsleep,
  waitForWarningsEmails,
  warningsEmailResult,
  withMove,
} from '../support/moveWorkflow';
import { startTimeSkippingEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkippingEnv();
});
afterAll(() => env?.teardown());

const HOUR_MS = 3_600_000;
const FORWARD: ActivityName[] = [
  'snapshotMoveItems',
  'provisionServices',
  'rehomePhoneNumbers',
  'moveUsers',
  'applyTariffAndBundle',
  'assignSpaces',
  'decommissionSourceServices',
];

const blocked = (n: number): MoveCheck => ({
  type: 'phone-number-blocked',
  message: `+4420700000${n} is blocked by the carrier`,
  field: null,
  item: { kind: 'PHONE_NUMBER', id: `number-${n}`, label: `+4420700000${n}` },
});
const spaceLet: MoveCheck = {
  type: 'space-occupied',
  message: 'Space 5 was let to Cobalt Legal LLP',
  field: 'spaceIds.0',
  item: { kind: 'SPACE', id: 'space-5', label: 'Space 5' },
};

const checks = (fake: ReturnType<typeof createFakeMoveActivities>) =>
  fake.calls.filter((c) => c === 'preflightCheck').length;

it('warnings: found at scheduling, a new one an hour before, each new set emailed once, shown at once', async () => {
  const fake = createFakeMoveActivities();
  fake.preflightFinds({ warnings: [blocked(1)] });
  const input = await moveInput(env);
  const result = await withMove(env, fake, input, async (handle) => {
    await waitUntilAsleep(handle, fake);
    // At scheduling: on the move and (through the mirror) its dashboard task, and emailed.
    expect((await handle.query(progressQuery)).warnings).toEqual([blocked(1)]);
    expect(fake.progressLog.at(-1)?.warnings).toEqual([blocked(1)]);
    await waitForWarningsEmails(fake, 1);
    expect(fake.warningEmails.map((e) => e.warnings)).toEqual([[blocked(1)]]);

    // A second number is blocked during the week: the check an hour before finds it.
    fake.preflightFinds({ warnings: [blocked(1), blocked(2)] });
    await env.sleep(7 * DAY_MS - HOUR_MS + 60_000);
    await waitForMirror(fake, (p) => p.warnings.length === 2, 'the new warning');
    expect(checks(fake)).toBe(2);
    expect(fake.calls.some((c) => FORWARD.includes(c))).toBe(false);
    await waitForWarningsEmails(fake, 2);
    expect(fake.warningEmails.map((e) => e.warnings.length)).toEqual([1, 2]);
    return handle.result();
  });
  // The check when due found the same set: no third email. Warnings do not stop the move.
  expect(checks(fake)).toBe(3);
  expect(fake.warningEmails).toHaveLength(2);
  expect(new Set(fake.warningEmails.map((e) => e.digest)).size).toBe(2);
  expect(result.phase).toBe('COMPLETED');
  expect(result.progress.warnings).toEqual([blocked(1), blocked(2)]);
});

it('a warnings email held up by a mail outage of an hour is delivered by its own workflow, once', async () => {
  const fake = createFakeMoveActivities();
  fake.preflightFinds({ warnings: [blocked(1)] });
  // 12 refusals: 10 s doubling to 10 minutes between attempts, about an hour and a quarter in all
  // (within the move, 6 attempts in about a minute were all it got).
  fake.fail('sendWarningsEmail', { times: 12, type: 'SendFailed', nonRetryable: false });
  const input = await moveInput(env);
  await withMove(env, fake, input, async (handle) => {
    await waitUntilAsleep(handle, fake);
    // The move is cancelled; its warnings email goes on in its own workflow.
    await handle.executeUpdate(cancelUpdate, { args: ['the warnings email goes on'] });
    await handle.result();
    expect(await warningsEmailResult(env, input.moveId, [blocked(1)])).toEqual({ state: 'SENT' });
  });
  expect(fake.calls.filter((c) => c === 'sendWarningsEmail')).toHaveLength(13);
  expect(fake.warningEmails).toHaveLength(1);
  expect(fake.warningsGivenUp).toEqual([]);
});

it('a warnings email the mail never takes is given up once the move is due, and the move goes on', async () => {
  const fake = createFakeMoveActivities();
  fake.preflightFinds({ warnings: [blocked(1)] });
  fake.fail('sendWarningsEmail', { times: Infinity, type: 'SendFailed', nonRetryable: false });
  const input = await moveInput(env, {
    scheduledFor: new Date((await env.currentTimeMs()) + 2 * HOUR_MS).toISOString(),
  });
  const result = await withMove(env, fake, input, async (handle) => {
    const done = await handle.result();
    expect(await warningsEmailResult(env, input.moveId, [blocked(1)])).toEqual({ state: 'FAILED' });
    return done;
  });
  expect(result.phase).toBe('COMPLETED');
  expect(fake.warningsGivenUp).toEqual([
    expect.objectContaining({
      moveId: input.moveId,
      reason: expect.stringMatching(/^Not delivered within 120 minutes: /) as unknown,
    }),
  ]);
});

it("a warnings email the mail holds up past the move's time is tried until its new time when the move is rescheduled", async () => {
  const fake = createFakeMoveActivities();
  fake.preflightFinds({ warnings: [blocked(1)] });
  // Refused for the two hours until the move's first time (17 attempts), and a little after.
  fake.fail('sendWarningsEmail', { times: 20, type: 'SendFailed', nonRetryable: false });
  const start = await env.currentTimeMs();
  const input = await moveInput(env, { scheduledFor: new Date(start + 2 * HOUR_MS).toISOString() });
  const result = await withMove(env, fake, input, async (handle) => {
    await waitUntilAsleep(handle, fake);
    await handle.executeUpdate(rescheduleUpdate, { args: [new Date(start + 6 * HOUR_MS).toISOString(), null] });
    expect(await warningsEmailResult(env, input.moveId, [blocked(1)])).toEqual({ state: 'SENT' });
    return handle.result();
  });
  expect(result.phase).toBe('COMPLETED');
  expect(fake.calls).toContain('warningsNewsUntil');
  expect(fake.warningEmails).toHaveLength(1);
  expect(fake.warningsGivenUp).toEqual([]);
});

it('no T2 contact, no warnings email; the warnings still show', async () => {
  const fake = createFakeMoveActivities();
  fake.preflightFinds({ warnings: [blocked(1)] });
  const result = await withMove(env, fake, await moveInput(env, { notify: false }), (handle) => handle.result());
  expect(result.progress.warnings).toEqual([blocked(1)]);
  expect(fake.warningEmails).toEqual([]);
});

describe('a space let to another client after scheduling', () => {
  /** Schedules a move, lets its space go an hour before, and waits until the check holds it. */
  async function heldAtLead(
    fake: ReturnType<typeof createFakeMoveActivities>,
    handle: Parameters<Parameters<typeof withMove>[3]>[0],
  ) {
    await waitUntilAsleep(handle, fake);
    fake.preflightFinds({ problems: [spaceLet] });
    await env.sleep(7 * DAY_MS - HOUR_MS + 60_000);
    const held = await waitForMirror(fake, (p) => p.phase === 'NEEDS_ATTENTION', 'the check to hold the move');
    expect(held).toMatchObject({
      currentStep: 'PREFLIGHT',
      lastError: { type: 'space-occupied', step: 'PREFLIGHT', item: spaceLet.item, nonRetryable: true },
    });
    expect(held.decisionDeadline).not.toBeNull();
    // Nothing moved: not even the snapshot.
    expect(fake.calls.some((c) => FORWARD.includes(c))).toBe(false);
    return held;
  }

  it('holds the move before anything moved; a retry after the fix checks again and moves', async () => {
    const fake = createFakeMoveActivities();
    const result = await withMove(env, fake, await moveInput(env), async (handle) => {
      await heldAtLead(fake, handle);
      // Retried before the fix: the check runs again and holds it again.
      await handle.executeUpdate(retryUpdate, { args: [null] });
      await waitForProgress(handle, (p) => p.phase === 'NEEDS_ATTENTION' && p.decisionDeadline !== null, 'held again');
      expect(checks(fake)).toBe(3);
      fake.preflightFinds({});
      await handle.executeUpdate(retryUpdate, { args: [null] });
      return handle.result();
    });
    expect(result.phase).toBe('COMPLETED');
    expect(fake.order(FORWARD)).toEqual(FORWARD);
    // The retries are kept with who asked (null: in Temporal).
    expect(result.progress.actions.map((a) => [a.action, a.byOperatorId])).toEqual([
      ['retry', null],
      ['retry', null],
    ]);
  });

  it('a cancel while held gives the client back; nothing was moved, nothing is undone', async () => {
    const fake = createFakeMoveActivities();
    const result = await withMove(env, fake, await moveInput(env), async (handle) => {
      await heldAtLead(fake, handle);
      const progress = await handle.executeUpdate(cancelUpdate, {
        args: ['Space gone; choosing another', { operatorId: 'op-1' }],
      });
      expect(progress.phase).toBe('CANCELLED');
      return handle.result();
    });
    expect(result.phase).toBe('CANCELLED');
    expect(result.progress.cancelReason).toBe('Space gone; choosing another');
    expect(result.progress.actions).toEqual([
      expect.objectContaining({ action: 'cancel', byOperatorId: 'op-1', detail: 'Space gone; choosing another' }),
    ]);
    expect(fake.finished.map((f) => f.phase)).toEqual(['CANCELLED']);
    expect(fake.calls.some((c) => FORWARD.includes(c) || c.startsWith('undo') || c.startsWith('remove'))).toBe(false);
  });

  it('nobody decides by the deadline: cancelled, nothing moved', async () => {
    const fake = createFakeMoveActivities();
    const result = await withMove(env, fake, await moveInput(env), async (handle) => {
      await heldAtLead(fake, handle);
      return handle.result();
    });
    expect(result.phase).toBe('CANCELLED');
    expect(result.progress.cancelReason).toMatch(/^Held by the pre-move check and not decided in time: Space 5/);
    expect(fake.calls.some((c) => FORWARD.includes(c))).toBe(false);
  });
});

it('what changed since the review is on the move, its mirror and the outcome email', async () => {
  const fake = createFakeMoveActivities();
  const changes = {
    added: { users: 2, phoneNumbers: 0, services: 0 },
    removed: { users: 0, phoneNumbers: 1, services: 0 },
    items: [
      { change: 'added' as const, kind: 'USER' as const, id: 'u-1', label: 'Ada Lovelace' },
      { change: 'added' as const, kind: 'USER' as const, id: 'u-2', label: 'Alan Turing' },
      { change: 'removed' as const, kind: 'PHONE_NUMBER' as const, id: 'n-1', label: '+442070000001' },
    ],
  };
  fake.changedSinceReview(changes);
  const result = await withMove(env, fake, await moveInput(env, { moveNow: true }), (handle) => handle.result());
  expect(result.progress.sinceReview).toEqual(changes);
  expect(fake.progressLog.at(-1)?.sinceReview).toEqual(changes);
  expect(fake.emails.map((e) => e.progress.sinceReview)).toEqual([changes]);
});
