// What only time can fix never becomes "needs a human" at once: a step held up by an outage (the
// database unreachable) waits and retries by itself, showing what it waits for, and asks an operator
// only once the outage window is over. A dashboard mirror that falls behind never fails the move and
// catches up in the background, even while the move itself waits.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { cancelUpdate, rescheduleUpdate, retryUpdate, rollbackUpdate } from '../../src/workflows/clientSiteMove';
import { createFakeMoveActivities, type FailureSpec } from '../support/fakeMoveActivities';
import { DAY_MS, moveInput, waitForMirror, waitForProgress, waitUntilAsleep, withMove } from '../support/moveWorkflow';
import { startTimeSkippingEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkippingEnv();
});
afterAll(() => env?.teardown());

const databaseDown = (times: number): FailureSpec => ({ times, type: 'DatabaseUnavailable', nonRetryable: false });

describe('a step held up by an outage', () => {
  it('waits and retries by itself, shows what it waits for, and completes once the database is back', async () => {
    // 20 failures: more than the step's own 8 attempts, twice over.
    const fake = createFakeMoveActivities({ failures: { moveUsers: databaseDown(20) } });
    const input = await moveInput(env, { moveNow: true });
    const result = await withMove(env, fake, input, async (handle) => {
      // Past the step's own retries (about 91 s of backoff): now the workflow waits it out.
      await env.sleep('3 minutes');
      const waiting = await waitForProgress(handle, (p) => p.outage !== null, 'the outage to show');
      expect(waiting.phase).toBe('MOVING');
      expect(waiting.currentStep).toBe('MOVE_USERS');
      expect(waiting.outage).toMatchObject({ type: 'DatabaseUnavailable', step: 'MOVE_USERS' });
      expect(Date.parse(waiting.outage!.givesUpAt) - Date.parse(waiting.outage!.since)).toBe(30 * 60_000);
      expect(waiting.lastError).toBeNull();
      return handle.result();
    });
    expect(result.phase).toBe('COMPLETED');
    expect(result.progress.outage).toBeNull();
    expect(fake.progressLog.some((p) => p.phase === 'NEEDS_ATTENTION')).toBe(false);
    // The dashboard was told while it lasted.
    expect(fake.progressLog.some((p) => p.outage?.type === 'DatabaseUnavailable')).toBe(true);
    expect(fake.calls.filter((c) => c === 'moveUsers').length).toBeGreaterThanOrEqual(21);
  });

  it('asks an operator once the outage window is over, naming the outage', async () => {
    const fake = createFakeMoveActivities({ failures: { rehomePhoneNumbers: databaseDown(Infinity) } });
    const input = await moveInput(env, { moveNow: true, outageWindow: '10 minutes' });
    await withMove(env, fake, input, async (handle) => {
      await env.sleep('30 minutes');
      const stuck = await waitForProgress(handle, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
      expect(stuck.lastError).toMatchObject({
        type: 'DatabaseUnavailable',
        nonRetryable: false,
        step: 'REHOME_PHONE_NUMBERS',
      });
      expect(stuck.outage).toBeNull();
      // It waited the window out first.
      expect(Date.parse(stuck.lastError!.at) - Date.parse(stuck.startedAt!)).toBeGreaterThanOrEqual(10 * 60_000);
      const deadline = Date.parse(stuck.decisionDeadline!);
      expect(deadline - Date.parse(stuck.startedAt!)).toBeGreaterThan(24 * 60 * 60_000);
      await handle.executeUpdate(rollbackUpdate, { args: [null] });
      expect((await handle.result()).phase).toBe('ROLLED_BACK');
    });
  });

  it('does not wait out what a person must fix: a blocked number asks an operator at once', async () => {
    const fake = createFakeMoveActivities({
      failures: { rehomePhoneNumbers: { times: 1, type: 'PhoneNumberBlocked', nonRetryable: true } },
    });
    const input = await moveInput(env, { moveNow: true });
    await withMove(env, fake, input, async (handle) => {
      const stuck = await waitForProgress(handle, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
      expect(stuck.outage).toBeNull();
      expect(fake.calls.filter((c) => c === 'rehomePhoneNumbers')).toHaveLength(1);
      await handle.executeUpdate(retryUpdate, { args: [null] });
      expect((await handle.result()).phase).toBe('COMPLETED');
    });
  });
});

describe('the dashboard mirror', () => {
  it('failing on every call never fails the move; the final record is written all the same', async () => {
    const fake = createFakeMoveActivities({
      failures: { recordProgress: { times: Infinity, type: 'DatabaseUnavailable', nonRetryable: false } },
    });
    // A move that waits a few minutes for its time: mirrored as it is scheduled and after the check
    // (a move due at once has no mirror of its own left: the steps write them).
    const input = await moveInput(env, {
      scheduledFor: new Date((await env.currentTimeMs()) + 5 * 60_000).toISOString(),
    });
    const result = await withMove(env, fake, input, (handle) => handle.result());
    expect(result.phase).toBe('COMPLETED');
    expect(fake.finished.map((f) => f.phase)).toEqual(['COMPLETED']);
    // recordProgress wrote nothing; only the mirrors handed to the snapshot and the first step (which
    // write them with their own work) got through.
    expect(fake.calls).toContain('recordProgress');
    expect(fake.progressLog.map((p) => [p.phase, p.currentStep])).toEqual([
      ['MOVING', 'SNAPSHOT'],
      ['MOVING', 'PROVISION_SERVICES'],
    ]);
  });

  it('failing for the whole week a move waits, the catch-up rests: the history stays small', async () => {
    const fake = createFakeMoveActivities({
      failures: { recordProgress: { times: Infinity, type: 'DatabaseUnavailable', nonRetryable: false } },
    });
    // A week ahead: retried every 5 minutes throughout, its catch-up grew the history past 9 MB.
    const input = await moveInput(env);
    const { result, events } = await withMove(env, fake, input, async (handle) => ({
      result: await handle.result(),
      events: (await handle.fetchHistory()).events?.length ?? 0,
    }));
    expect(result.phase).toBe('COMPLETED');
    expect(fake.finished.map((f) => f.phase)).toEqual(['COMPLETED']);
    // Each try is a few local attempts; it rests after 12 in a row, and starts again (12 more) only
    // when a later mirror fails: before the move, a while before it, and as it runs.
    expect(events).toBeLessThan(2_000);
  });

  it('falling behind while the move waits for an operator catches up in the background', async () => {
    const fake = createFakeMoveActivities({
      failures: { moveUsers: { times: 1, type: 'StepBroken', nonRetryable: true } },
    });
    const reached = fake.gate('moveUsers');
    const input = await moveInput(env, { moveNow: true });
    await withMove(env, fake, input, async (handle) => {
      await reached.whenReached;
      // The database goes away just as the step fails: the NEEDS_ATTENTION mirror fails (5 attempts),
      // and so do the first two tries to catch it up.
      fake.fail('recordProgress', { times: 7, type: 'DatabaseUnavailable', nonRetryable: false });
      fake.ungate('moveUsers');
      await waitForProgress(handle, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
      expect(fake.progressLog.at(-1)?.phase).toBe('MOVING');
      // Nobody decides: time passes while the move waits, and the mirror catches up by itself.
      await env.sleep('10 minutes');
      await waitForMirror(fake, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
      await handle.executeUpdate(retryUpdate, { args: [null] });
      expect((await handle.result()).phase).toBe('COMPLETED');
    });
    expect(fake.calls.filter((c) => c === 'recordProgress').length).toBeGreaterThan(7);
  });

  it('a reschedule during a mirror outage is answered only once the database has the new time', async () => {
    const fake = createFakeMoveActivities();
    const input = await moveInput(env);
    const tomorrow = new Date((await env.currentTimeMs()) + DAY_MS).toISOString();
    await withMove(env, fake, input, async (handle) => {
      await waitUntilAsleep(handle, fake);
      // The database goes away: the reschedule's mirror fails (5 attempts), then so do two catch-ups.
      fake.fail('recordProgress', { times: 7, type: 'DatabaseUnavailable', nonRetryable: false });
      // What the database copy says at the moment the reschedule answers.
      const reschedule = handle
        .executeUpdate(rescheduleUpdate, { args: [tomorrow] })
        .then((progress) => ({ progress, recorded: fake.progressLog.at(-1)?.scheduledFor }));
      // Time passes; the mirror catches up, and only then does the reschedule answer.
      await env.sleep('10 minutes');
      const answer = await reschedule;
      expect(answer.progress.scheduledFor).toBe(tomorrow);
      expect(answer.recorded).toBe(tomorrow);
      await handle.executeUpdate(cancelUpdate, { args: ['done testing'] });
      await handle.result();
    });
  });
});

describe('bookkeeping through an outage', () => {
  it('retries as a local activity a few times, then as an activity: the history stays small', async () => {
    // 12 failures: 7 local attempts (about a minute of backoff), then 5 more as an activity.
    const fake = createFakeMoveActivities({ failures: { markMoveScheduled: databaseDown(12) } });
    const input = await moveInput(env, { moveNow: true });
    const { result, history } = await withMove(env, fake, input, async (handle) => ({
      result: await handle.result(),
      history: await handle.fetchHistory(),
    }));
    expect(result.phase).toBe('COMPLETED');
    expect(fake.calls.filter((c) => c === 'markMoveScheduled')).toHaveLength(13);
    const events = history.events ?? [];
    const asActivity = events.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'markMoveScheduled',
    );
    expect(asActivity).toHaveLength(1);
    // Each local retry is a marker and a timer; the activity's retries add nothing to the history.
    const timers = events.filter((e) => e.timerStartedEventAttributes).length;
    expect(timers).toBeLessThanOrEqual(8);
  });
});
