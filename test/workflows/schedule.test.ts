// The waiting part of a move under time skipping: the durable timer, and the updates that change it.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  cancelUpdate,
  moveNowUpdate,
  progressQuery,
  rescheduleUpdate,
  retryUpdate,
  rollbackUpdate,
} from '../../src/workflows/clientSiteMove';
import { MovePhaseKey } from '../../src/workflows/searchAttributes';
import { createFakeMoveActivities, type ActivityName } from '../support/fakeMoveActivities';
import {
  DAY_MS,
  moveInput,
  outcomeEmailResult,
  waitForProgress,
  waitUntilAsleep,
  withMove,
} from '../support/moveWorkflow';
import { startTimeSkippingEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkippingEnv();
});
afterAll(() => env?.teardown());

const FORWARD: ActivityName[] = [
  'snapshotMoveItems',
  'provisionServices',
  'rehomePhoneNumbers',
  'moveUsers',
  'applyTariffAndBundle',
  'assignSpaces',
  'decommissionSourceServices',
];

/** The rejection a validator gave, as the API sees it. */
async function rejection(promise: Promise<unknown>): Promise<{ type: string | null | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (error as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    return { type: (cause as ApplicationFailure).type, message: (cause as ApplicationFailure).message };
  }
  throw new Error('expected the update to be rejected');
}

describe('a move scheduled 7 days ahead', () => {
  it('waits on a durable timer and completes without waiting 7 real days', async () => {
    const fake = createFakeMoveActivities();
    // Read before the input: its schedule is 7 days after *its* reading of the server's clock, which
    // moves on with real time (a loaded machine made the later reading 0.4 s too late).
    const startedAt = await env.currentTimeMs();
    const input = await moveInput(env);
    const realStart = Date.now();
    const [result, email] = await withMove(env, fake, input, async (handle) => {
      expect((await handle.query(progressQuery)).phase).toBe('SCHEDULED');
      const result = await handle.result();
      return [result, await outcomeEmailResult(env, input.moveId)] as const;
    });
    expect(result.phase).toBe('COMPLETED');
    expect(Date.parse(result.progress.startedAt!)).toBeGreaterThanOrEqual(startedAt + 7 * DAY_MS);
    expect(Date.parse(result.progress.startedAt!)).toBeLessThan(startedAt + 7 * DAY_MS + 60_000);
    // Time skipping, not a real week: generous bound, the point is "not 7 days".
    expect(Date.now() - realStart).toBeLessThan(60_000);
    expect(fake.order([...FORWARD])).toEqual(FORWARD);
    expect(result.progress.items).toEqual({
      users: { total: 5, done: 5 },
      phoneNumbers: { total: 4, done: 4 },
      services: { total: 3, done: 3 },
    });
    expect(fake.finished.map((f) => f.phase)).toEqual(['COMPLETED']);
    // The email goes by its own workflow once the move is final; the move does not wait for it.
    expect(fake.emails.map((e) => e.phase)).toEqual(['COMPLETED']);
    expect(email).toEqual({ state: 'SENT' });
    expect(result.progress.email).toEqual({ state: 'PENDING', error: null });
  });

  it('marks the client scheduled before anything else, and moves nothing while waiting', async () => {
    const fake = createFakeMoveActivities();
    const input = await moveInput(env);
    await withMove(env, fake, input, async (handle) => {
      await waitForProgress(handle, () => fake.calls.includes('recordProgress'), 'the first mirror');
      expect(fake.calls[0]).toBe('markMoveScheduled');
      expect(fake.calls.some((c) => FORWARD.includes(c))).toBe(false);
      await handle.executeUpdate(cancelUpdate, { args: ['not needed'] });
      return handle.result();
    });
  });

  it('runs at once for a move-now, without a timer', async () => {
    const fake = createFakeMoveActivities();
    const now = await env.currentTimeMs();
    const input = await moveInput(env, { moveNow: true, scheduledFor: new Date(now).toISOString() });
    const result = await withMove(env, fake, input, (handle) => handle.result());
    expect(result.phase).toBe('COMPLETED');
    expect(Date.parse(result.progress.startedAt!) - now).toBeLessThan(60_000);
  });

  it('reschedule moves the timer: a move rescheduled to tomorrow starts tomorrow', async () => {
    const fake = createFakeMoveActivities();
    const input = await moveInput(env);
    const now = await env.currentTimeMs();
    const tomorrow = new Date(now + DAY_MS).toISOString();
    const result = await withMove(env, fake, input, async (handle) => {
      const progress = await handle.executeUpdate(rescheduleUpdate, { args: [tomorrow] });
      expect(progress.scheduledFor).toBe(tomorrow);
      expect(progress.phase).toBe('SCHEDULED');
      // The update answers once the database mirror has the new time.
      expect(fake.progressLog.at(-1)?.scheduledFor).toBe(tomorrow);
      return handle.result();
    });
    expect(result.phase).toBe('COMPLETED');
    const started = Date.parse(result.progress.startedAt!);
    expect(started).toBeGreaterThanOrEqual(now + DAY_MS);
    expect(started).toBeLessThan(now + 2 * DAY_MS);
  });

  it('reschedule can also push the move later', async () => {
    const fake = createFakeMoveActivities();
    const input = await moveInput(env);
    const now = await env.currentTimeMs();
    const later = new Date(now + 10 * DAY_MS).toISOString();
    const result = await withMove(env, fake, input, async (handle) => {
      await handle.executeUpdate(rescheduleUpdate, { args: [later] });
      return handle.result();
    });
    expect(Date.parse(result.progress.startedAt!)).toBeGreaterThanOrEqual(now + 10 * DAY_MS);
  });

  it('move-now while waiting starts the move at once', async () => {
    const fake = createFakeMoveActivities();
    const input = await moveInput(env);
    const now = await env.currentTimeMs();
    const result = await withMove(env, fake, input, async (handle) => {
      const progress = await handle.executeUpdate(moveNowUpdate, { args: [null] });
      expect(progress.phase).not.toBe('SCHEDULED');
      return handle.result();
    });
    expect(result.phase).toBe('COMPLETED');
    expect(Date.parse(result.progress.startedAt!) - now).toBeLessThan(60_000);
  });

  it('cancel while waiting restores the client, closes the task as cancelled and moves nothing', async () => {
    const fake = createFakeMoveActivities();
    const input = await moveInput(env);
    const result = await withMove(env, fake, input, async (handle) => {
      const progress = await handle.executeUpdate(cancelUpdate, { args: ['  Client changed its mind  '] });
      expect(progress.phase).toBe('CANCELLED');
      // The update answers once the cancel is recorded, not just decided.
      expect(fake.finished.map((f) => f.phase)).toEqual(['CANCELLED']);
      return handle.result();
    });
    expect(result.phase).toBe('CANCELLED');
    expect(result.progress.cancelReason).toBe('Client changed its mind');
    expect(fake.calls.some((c) => FORWARD.includes(c))).toBe(false);
    expect(fake.finished).toHaveLength(1);
    expect(fake.finished[0]!.phase).toBe('CANCELLED');
  });

  it('a Temporal cancellation while waiting behaves like the cancel update', async () => {
    const fake = createFakeMoveActivities();
    const input = await moveInput(env);
    const result = await withMove(env, fake, input, async (handle) => {
      await waitUntilAsleep(handle, fake);
      await handle.cancel();
      return handle.result();
    });
    expect(result.phase).toBe('CANCELLED');
    expect(result.progress.cancelReason).toBe('Cancelled in Temporal');
    expect(fake.calls.some((c) => FORWARD.includes(c))).toBe(false);
    expect(fake.finished.map((f) => f.phase)).toEqual(['CANCELLED']);
  });

  it('a Temporal cancellation the instant the move starts still opens, then closes, its task', async () => {
    const fake = createFakeMoveActivities();
    const input = await moveInput(env);
    const result = await withMove(env, fake, input, async (handle) => {
      await handle.cancel();
      return handle.result();
    });
    expect(result.phase).toBe('CANCELLED');
    expect(fake.order(['markMoveScheduled', 'finishMove'])).toEqual(['markMoveScheduled', 'finishMove']);
    expect(fake.calls.some((c) => FORWARD.includes(c))).toBe(false);
  });

  it('a Temporal cancellation of a move-now before anything moved is a cancel, with the client given back', async () => {
    const fake = createFakeMoveActivities();
    const snapshot = fake.gate('snapshotMoveItems');
    const input = await moveInput(env, { moveNow: true });
    const result = await withMove(env, fake, input, async (handle) => {
      await snapshot.whenReached;
      // The snapshot learns of the cancellation from its heartbeat, and stops.
      await handle.cancel();
      return handle.result();
    });
    expect(result.phase).toBe('CANCELLED');
    expect(result.progress.cancelReason).toBe('Cancelled in Temporal');
    expect(fake.calls.some((c) => FORWARD.slice(1).includes(c))).toBe(false);
    expect(fake.finished.map((f) => f.phase)).toEqual(['CANCELLED']);
  });

  it('a Temporal cancellation the instant a move-now starts is a cancel too', async () => {
    const fake = createFakeMoveActivities();
    const input = await moveInput(env, { moveNow: true });
    // Requested before the worker runs, so the move's first workflow task already carries it.
    const result = await withMove(env, fake, input, (handle) => handle.result(), {
      beforeWorker: async (handle) => void (await handle.cancel()),
    });
    expect(result.phase).toBe('CANCELLED');
    expect(fake.finished.map((f) => f.phase)).toEqual(['CANCELLED']);
    expect(fake.calls).toContain('markMoveScheduled');
    expect(fake.calls).not.toContain('snapshotMoveItems');
  });

  it('upserts the MovePhase search attribute as the phase changes', async () => {
    const fake = createFakeMoveActivities();
    const input = await moveInput(env);
    await withMove(env, fake, input, async (handle) => {
      expect((await handle.describe()).typedSearchAttributes.get(MovePhaseKey)).toBe('SCHEDULED');
      await handle.executeUpdate(cancelUpdate, { args: ['testing search attributes'] });
      await handle.result();
      expect((await handle.describe()).typedSearchAttributes.get(MovePhaseKey)).toBe('CANCELLED');
    });
  });
});

describe('invalid updates are rejected with a reason, and change nothing', () => {
  it('reschedule to the past, too far ahead, or to something that is not a time', async () => {
    const fake = createFakeMoveActivities();
    const input = await moveInput(env, { moveMaxAhead: '90 days' });
    const now = await env.currentTimeMs();
    await withMove(env, fake, input, async (handle) => {
      const past = await rejection(
        handle.executeUpdate(rescheduleUpdate, { args: [new Date(now - DAY_MS).toISOString()] }),
      );
      expect(past.type).toBe('InvalidMoveTime');
      expect(past.message).toMatch(/not in the future/);
      const garbage = await rejection(handle.executeUpdate(rescheduleUpdate, { args: ['next tuesday'] }));
      expect(garbage.type).toBe('InvalidMoveTime');
      expect(garbage.message).toMatch(/not an ISO-8601 time/);
      // Past the horizon (a year by default; 90 days here): a client other than the API is refused too.
      const far = await rejection(
        handle.executeUpdate(rescheduleUpdate, { args: [new Date(now + 91 * DAY_MS).toISOString()] }),
      );
      expect(far.type).toBe('InvalidMoveTime');
      expect(far.message).toMatch(/more than 90 days ahead/);
      expect((await handle.query(progressQuery)).scheduledFor).toBe(input.scheduledFor);
      // Finished before the worker stops, so nothing lingers on the shared test server.
      await handle.executeUpdate(cancelUpdate, { args: ['done testing'] });
      await handle.result();
    });
  });

  it('cancel without a reason', async () => {
    const fake = createFakeMoveActivities();
    const input = await moveInput(env);
    await withMove(env, fake, input, async (handle) => {
      const empty = await rejection(handle.executeUpdate(cancelUpdate, { args: ['   '] }));
      expect(empty.type).toBe('InvalidReason');
      expect((await handle.query(progressQuery)).phase).toBe('SCHEDULED');
      // Finished before the worker stops, so nothing lingers on the shared test server.
      await handle.executeUpdate(cancelUpdate, { args: ['done testing'] });
      await handle.result();
    });
  });

  it('retry and rollback while nothing needs attention', async () => {
    const fake = createFakeMoveActivities();
    const input = await moveInput(env);
    await withMove(env, fake, input, async (handle) => {
      for (const update of [retryUpdate, rollbackUpdate]) {
        const refused = await rejection(handle.executeUpdate(update, { args: [null] }));
        expect(refused.type).toBe('PhaseDoesNotAllow');
        expect(refused.message).toMatch(/SCHEDULED/);
      }
      // Finished before the worker stops, so nothing lingers on the shared test server.
      await handle.executeUpdate(cancelUpdate, { args: ['done testing'] });
      await handle.result();
    });
  });

  it('cancel, reschedule and move-now once the move is running', async () => {
    const fake = createFakeMoveActivities();
    const gate = fake.gate('provisionServices');
    const input = await moveInput(env, { moveNow: true });
    await withMove(env, fake, input, async (handle) => {
      await gate.whenReached;
      for (const attempt of [
        handle.executeUpdate(cancelUpdate, { args: ['too late'] }),
        handle.executeUpdate(moveNowUpdate, { args: [null] }),
        handle.executeUpdate(rescheduleUpdate, { args: [new Date(Date.now() + 30 * DAY_MS).toISOString()] }),
      ]) {
        const refused = await rejection(attempt);
        expect(refused.type).toBe('PhaseDoesNotAllow');
        expect(refused.message).toMatch(/MOVING/);
      }
      gate.open();
      expect((await handle.result()).phase).toBe('COMPLETED');
    });
  });
});
