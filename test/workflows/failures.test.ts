// When a move goes wrong: NEEDS_ATTENTION and the operator's decision, rollback in exact reverse
// order, cancellation mid-move, a rollback that itself fails, and a mail outage.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { MOVE_STEPS, stepRow, type MoveStep } from '../../src/domain/steps';
import { moveNowUpdate, progressQuery, retryUpdate, rollbackUpdate } from '../../src/workflows/clientSiteMove';
import { MovePhaseKey } from '../../src/workflows/searchAttributes';
import {
  COMPENSATIONS,
  createFakeMoveActivities,
  type ActivityName,
  type FailureSpec,
} from '../support/fakeMoveActivities';
import {
  DAY_MS,
  moveInput,
  outcomeEmailResult,
  waitForMirror,
  waitForProgress,
  waitForQuiet,
  withMove,
} from '../support/moveWorkflow';
import { startTimeSkippingEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkippingEnv();
});
afterAll(() => env?.teardown());

const blockedNumber: FailureSpec = {
  times: 1,
  type: 'PhoneNumberBlocked',
  nonRetryable: true,
  item: { kind: 'PHONE_NUMBER', id: 'number-1', label: '+442071234567' },
};

const failOnce = (name: ActivityName, spec: Partial<FailureSpec> = {}) =>
  createFakeMoveActivities({
    failures: { [name]: { times: 1, type: 'StepBroken', nonRetryable: true, ...spec } },
  });

/** Compensations the fake saw, in call order, without repeats of a batched one. */
const compensationsCalled = (calls: ActivityName[]) =>
  calls.filter((c, i) => COMPENSATIONS.includes(c) && calls[i - 1] !== c);

describe('a step that fails for good', () => {
  it.each(MOVE_STEPS.map((step) => [step]))(
    'failing at %s, then rolled back, compensates every begun step in exact reverse order',
    async (step: MoveStep) => {
      const failing = stepRow(step).forward;
      const fake = failOnce(failing, { times: Infinity });
      const input = await moveInput(env, { moveNow: true });
      const result = await withMove(env, fake, input, async (handle) => {
        const stuck = await waitForProgress(handle, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
        expect(stuck.currentStep).toBe(step);
        expect(stuck.lastError).toMatchObject({ type: 'StepBroken', step, nonRetryable: true });
        await handle.executeUpdate(rollbackUpdate, { args: [null] });
        return handle.result();
      });
      expect(result.phase).toBe('ROLLED_BACK');
      const begun = MOVE_STEPS.slice(0, MOVE_STEPS.indexOf(step) + 1);
      const expected = [...begun].reverse().map((s) => stepRow(s).compensation);
      expect(compensationsCalled(fake.calls)).toEqual(expected);
      // Nothing after the failed step ran.
      for (const later of MOVE_STEPS.slice(MOVE_STEPS.indexOf(step) + 1)) {
        expect(fake.calls).not.toContain(stepRow(later).forward);
      }
      // Batched items are all back where they were.
      expect(Object.values(fake.state).map((s) => s.moved)).toEqual([0, 0, 0]);
      expect(fake.finished.map((f) => f.phase)).toEqual(['ROLLED_BACK']);
      expect(fake.emails.map((e) => e.phase)).toEqual(['ROLLED_BACK']);
    },
  );

  it('waits in NEEDS_ATTENTION with the failed item, and a retry after the fix completes the move', async () => {
    const fake = createFakeMoveActivities({ failures: { rehomePhoneNumbers: blockedNumber } });
    const input = await moveInput(env, { moveNow: true });
    const result = await withMove(env, fake, input, async (handle) => {
      const stuck = await waitForProgress(handle, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
      expect(stuck.lastError).toMatchObject({
        type: 'PhoneNumberBlocked',
        step: 'REHOME_PHONE_NUMBERS',
        item: { kind: 'PHONE_NUMBER', id: 'number-1', label: '+442071234567' },
        nonRetryable: true,
      });
      expect(Date.parse(stuck.decisionDeadline!) - Date.parse(stuck.updatedAt)).toBe(DAY_MS);
      // The dashboard mirror shows it too.
      await waitForMirror(fake, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
      expect((await handle.describe()).typedSearchAttributes.get(MovePhaseKey)).toBe('NEEDS_ATTENTION');
      const after = await handle.executeUpdate(retryUpdate, { args: [null] });
      expect(after.phase).not.toBe('NEEDS_ATTENTION');
      return handle.result();
    });
    expect(result.phase).toBe('COMPLETED');
    expect(compensationsCalled(fake.calls)).toEqual([]);
    expect(result.progress.items.phoneNumbers).toEqual({ total: 4, done: 4 });
  });

  it('a decision is taken once: a second retry is refused', async () => {
    const fake = createFakeMoveActivities({ failures: { rehomePhoneNumbers: { ...blockedNumber, times: Infinity } } });
    const input = await moveInput(env, { moveNow: true });
    await withMove(env, fake, input, async (handle) => {
      await waitForProgress(handle, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
      await handle.executeUpdate(retryUpdate, { args: [null] });
      // Fails again: back in NEEDS_ATTENTION, and a new decision is possible.
      await waitForProgress(handle, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION again');
      await handle.executeUpdate(rollbackUpdate, { args: [null] });
      expect((await handle.result()).phase).toBe('ROLLED_BACK');
    });
  });

  it.each([
    ['retry', 'rollback'],
    ['rollback', 'retry'],
    ['retry', 'retry'],
    ['rollback', 'rollback'],
  ] as const)('two decisions sent at once (%s and %s): exactly one is taken', async (first, second) => {
    const fake = createFakeMoveActivities({ failures: { rehomePhoneNumbers: blockedNumber } });
    const input = await moveInput(env, { moveNow: true });
    const update = { retry: retryUpdate, rollback: rollbackUpdate };
    await withMove(env, fake, input, async (handle) => {
      await waitForProgress(handle, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
      const answers = await Promise.allSettled([
        handle.executeUpdate(update[first], { args: [null] }),
        handle.executeUpdate(update[second], { args: [null] }),
      ]);
      expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
      const refused = answers.find((a) => a.status === 'rejected');
      expect(refused?.reason).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((refused!.reason as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe(
        'PhaseDoesNotAllow',
      );
      const taken = answers[0].status === 'fulfilled' ? first : second;
      expect((await handle.result()).phase).toBe(taken === 'retry' ? 'COMPLETED' : 'ROLLED_BACK');
    });
  });

  it('rolls back by itself when no one decides before the deadline', async () => {
    const fake = createFakeMoveActivities({ failures: { moveUsers: { ...blockedNumber, type: 'StepBroken' } } });
    const input = await moveInput(env, { moveNow: true, decisionTimeout: '2 hours' });
    const result = await withMove(env, fake, input, (handle) => handle.result());
    expect(result.phase).toBe('ROLLED_BACK');
    expect(compensationsCalled(fake.calls)).toEqual([
      'restoreUsers',
      'restorePhoneNumbers',
      'removeProvisionedServices',
    ]);
    const waited = fake.progressLog.find((p) => p.phase === 'NEEDS_ATTENTION')!;
    expect(Date.parse(result.progress.finishedAt!) - Date.parse(waited.updatedAt)).toBeGreaterThanOrEqual(
      2 * 60 * 60 * 1000,
    );
  });

  it('retries transient failures with backoff, without bothering an operator', async () => {
    const fake = failOnce('moveUsers', { times: 3, type: 'ConnectionReset', nonRetryable: false });
    const input = await moveInput(env, { moveNow: true });
    const result = await withMove(env, fake, input, (handle) => handle.result());
    expect(result.phase).toBe('COMPLETED');
    expect(fake.progressLog.some((p) => p.phase === 'NEEDS_ATTENTION')).toBe(false);
    expect(fake.calls.filter((c) => c === 'moveUsers').length).toBeGreaterThanOrEqual(4);
  });

  it('a transient failure that keeps failing ends in NEEDS_ATTENTION', async () => {
    const fake = failOnce('applyTariffAndBundle', { times: Infinity, type: 'ConnectionReset', nonRetryable: false });
    const input = await moveInput(env, { moveNow: true });
    await withMove(env, fake, input, async (handle) => {
      // Time only skips on its own while a test awaits a result; the retries' backoff is skipped here.
      await env.sleep('10 minutes');
      const stuck = await waitForProgress(handle, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
      expect(stuck.lastError).toMatchObject({ type: 'ConnectionReset', nonRetryable: false });
      expect(fake.calls.filter((c) => c === 'applyTariffAndBundle')).toHaveLength(8);
      await handle.executeUpdate(rollbackUpdate, { args: [null] });
      expect((await handle.result()).phase).toBe('ROLLED_BACK');
    });
  });
});

describe('cancellation during the move', () => {
  it('a Temporal cancellation mid-step stops the step, then rolls back what was done', async () => {
    const fake = createFakeMoveActivities();
    const gate = fake.gate('moveUsers');
    const input = await moveInput(env, { moveNow: true });
    const result = await withMove(env, fake, input, async (handle) => {
      await gate.whenReached;
      await handle.cancel();
      return handle.result();
    });
    expect(result.phase).toBe('ROLLED_BACK');
    expect(compensationsCalled(fake.calls)).toEqual([
      'restoreUsers',
      'restorePhoneNumbers',
      'removeProvisionedServices',
    ]);
    // The rollback started only after the cancelled step had stopped (it takes a moment to stop).
    const stepStopped = fake.timeline.findLastIndex((e) => e.name === 'moveUsers' && e.at === 'end');
    const undoStarted = fake.timeline.findIndex((e) => e.name === 'restoreUsers' && e.at === 'start');
    expect(stepStopped).toBeGreaterThanOrEqual(0);
    expect(undoStarted).toBeGreaterThan(stepStopped);
    expect(Object.values(fake.state).map((s) => s.moved)).toEqual([0, 0, 0]);
  });

  it('a Temporal cancellation while waiting for a decision rolls back', async () => {
    const fake = createFakeMoveActivities({ failures: { assignSpaces: { ...blockedNumber, type: 'SpaceOccupied' } } });
    const input = await moveInput(env, { moveNow: true });
    const result = await withMove(env, fake, input, async (handle) => {
      await waitForProgress(handle, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
      await waitForQuiet(handle);
      await handle.cancel();
      return handle.result();
    });
    expect(result.phase).toBe('ROLLED_BACK');
    expect(compensationsCalled(fake.calls)).toEqual([
      'restoreSpaces',
      'restoreTariffAndBundle',
      'restoreUsers',
      'restorePhoneNumbers',
      'removeProvisionedServices',
    ]);
  });
});

describe('a rollback that cannot finish', () => {
  it('ends FAILED, lists what needs a human, and still runs the other compensations', async () => {
    const fake = createFakeMoveActivities({
      failures: {
        decommissionSourceServices: { times: 1, type: 'StepBroken', nonRetryable: true },
        restoreSpaces: {
          times: Infinity,
          type: 'SpaceNotRestorable',
          nonRetryable: true,
          item: { kind: 'SPACE', id: 'space-9', label: 'Suite 1.02' },
        },
      },
    });
    const input = await moveInput(env, { moveNow: true });
    const result = await withMove(env, fake, input, async (handle) => {
      await waitForProgress(handle, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
      await handle.executeUpdate(rollbackUpdate, { args: [null] });
      return handle.result();
    });
    expect(result.phase).toBe('FAILED');
    expect(result.progress.needsHuman).toEqual([
      expect.objectContaining({
        type: 'SpaceNotRestorable',
        item: { kind: 'SPACE', id: 'space-9', label: 'Suite 1.02' },
      }),
    ]);
    expect(compensationsCalled(fake.calls)).toEqual([
      'recommissionSourceServices',
      'restoreSpaces',
      'restoreTariffAndBundle',
      'restoreUsers',
      'restorePhoneNumbers',
      'removeProvisionedServices',
    ]);
    expect(fake.finished.map((f) => f.phase)).toEqual(['FAILED']);
    expect(fake.emails.map((e) => e.phase)).toEqual(['FAILED']);
  });

  it('keeps the destination services when the source ones cannot be brought back (never break before make)', async () => {
    const fake = createFakeMoveActivities({
      failures: {
        decommissionSourceServices: { times: 1, type: 'StepBroken', nonRetryable: true },
        recommissionSourceServices: { times: Infinity, type: 'StepBroken', nonRetryable: true },
      },
    });
    const input = await moveInput(env, { moveNow: true });
    const result = await withMove(env, fake, input, async (handle) => {
      await waitForProgress(handle, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
      await handle.executeUpdate(rollbackUpdate, { args: [null] });
      return handle.result();
    });
    expect(result.phase).toBe('FAILED');
    expect(fake.calls).not.toContain('removeProvisionedServices');
    expect(result.progress.needsHuman.map((e) => e.type)).toEqual(['StepBroken', 'CompensationSkipped']);
  });
});

describe('the outcome email', () => {
  it('a mail outage never rolls a finished move back; delivery keeps trying apart from the move', async () => {
    const fake = createFakeMoveActivities({
      failures: { sendOutcomeEmail: { times: 12, type: 'MailServerDown', nonRetryable: false } },
    });
    const input = await moveInput(env, { moveNow: true });
    const [result, email] = await withMove(env, fake, input, async (handle) => {
      const result = await handle.result();
      return [result, await outcomeEmailResult(env, input.moveId)] as const;
    });
    // The move finished at once: its run does not wait for the mail server.
    expect(result.phase).toBe('COMPLETED');
    expect(result.progress.email.state).toBe('PENDING');
    expect(compensationsCalled(fake.calls)).toEqual([]);
    // Twelve failures span well over an hour of backoff; the thirteenth attempt delivers it.
    expect(email).toEqual({ state: 'SENT' });
    expect(fake.calls.filter((c) => c === 'sendOutcomeEmail')).toHaveLength(13);
    expect(fake.emailsGivenUp).toEqual([]);
  });

  it('gives up once the delivery window is over, and says why', async () => {
    const fake = createFakeMoveActivities({
      failures: { sendOutcomeEmail: { times: Infinity, type: 'MailServerDown', nonRetryable: false } },
    });
    const input = await moveInput(env, { moveNow: true, emailDeliveryWindow: '2 hours' });
    const email = await withMove(env, fake, input, async (handle) => {
      await handle.result();
      return outcomeEmailResult(env, input.moveId);
    });
    expect(email).toEqual({ state: 'FAILED' });
    expect(fake.emailsGivenUp).toHaveLength(1);
    expect(fake.emailsGivenUp[0]).toMatchObject({ moveId: input.moveId, phase: 'COMPLETED' });
    expect(fake.emailsGivenUp[0]!.reason).toMatch(/Not delivered within 2 hours/);
  });

  it('an uncertain send is never retried: it is given up as UNCERTAIN at once', async () => {
    const fake = createFakeMoveActivities({
      failures: { sendOutcomeEmail: { times: Infinity, type: 'EmailOutcomeUncertain', nonRetryable: true } },
    });
    const input = await moveInput(env, { moveNow: true });
    const email = await withMove(env, fake, input, async (handle) => {
      await handle.result();
      return outcomeEmailResult(env, input.moveId);
    });
    expect(email).toEqual({ state: 'UNCERTAIN' });
    expect(fake.calls.filter((c) => c === 'sendOutcomeEmail')).toHaveLength(1);
    expect(fake.emailsGivenUp).toHaveLength(1);
  });

  it('is not sent when no contact was chosen', async () => {
    const fake = createFakeMoveActivities();
    const input = await moveInput(env, { moveNow: true, notify: false });
    const result = await withMove(env, fake, input, (handle) => handle.result());
    expect(result.progress.email.state).toBe('NOT_REQUESTED');
    expect(fake.calls).not.toContain('sendOutcomeEmail');
  });
});

describe('the progress query', () => {
  it('answers in every phase: SCHEDULED, MOVING, NEEDS_ATTENTION, ROLLING_BACK, and the final one', async () => {
    const fake = createFakeMoveActivities({ failures: { moveUsers: { ...blockedNumber, type: 'StepBroken' } } });
    const moving = fake.gate('rehomePhoneNumbers');
    const input = await moveInput(env);
    const seen = await withMove(env, fake, input, async (handle) => {
      const phases: unknown[] = [];
      const scheduled = await handle.query(progressQuery);
      phases.push([scheduled.phase, scheduled.currentStep]);
      await handle.executeUpdate(moveNowUpdate, { args: [null] });
      await moving.whenReached;
      const during = await handle.query(progressQuery);
      phases.push([during.phase, during.currentStep, during.items.services]);
      const rollingBack = fake.gate('restorePhoneNumbers');
      moving.open();
      fake.ungate('rehomePhoneNumbers');
      const stuck = await waitForProgress(handle, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
      phases.push([stuck.phase, stuck.currentStep]);
      await handle.executeUpdate(rollbackUpdate, { args: [null] });
      await rollingBack.whenReached;
      const back = await handle.query(progressQuery);
      phases.push([back.phase, back.currentStep]);
      rollingBack.open();
      await handle.result();
      const final = await handle.query(progressQuery);
      phases.push([final.phase, final.currentStep, final.finishedAt !== null]);
      return phases;
    });
    expect(seen).toEqual([
      ['SCHEDULED', 'WAITING'],
      ['MOVING', 'REHOME_PHONE_NUMBERS', { total: 3, done: 3 }],
      ['NEEDS_ATTENTION', 'MOVE_USERS'],
      ['ROLLING_BACK', 'rollback:REHOME_PHONE_NUMBERS'],
      ['ROLLED_BACK', null, true],
    ]);
  });
});
