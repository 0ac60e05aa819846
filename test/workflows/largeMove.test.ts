// A client with 10,000 items: batches keep the workflow history small (one activity per batch), and
// the dashboard mirror is written on phase changes, not before every step (nor twice before a move
// that is due at once).
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MoveCheck } from '../../src/domain/move';
import { MOVE_STEPS, stepRow } from '../../src/domain/steps';
import { createFakeMoveActivities } from '../support/fakeMoveActivities';
import { moveInput, withMove } from '../support/moveWorkflow';
import { startTimeSkippingEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkippingEnv();
});
afterAll(() => env?.teardown());

it('moves 10,000 items in batches of 500 with a history far inside Temporal limits', async () => {
  const fake = createFakeMoveActivities({ totals: { USER: 5_000, PHONE_NUMBER: 3_000, SERVICE: 2_000 } });
  const input = await moveInput(env, { moveNow: true, batchSize: 500 });
  const { result, events, bytes } = await withMove(env, fake, input, async (handle) => {
    const done = await handle.result();
    const history = await handle.fetchHistory();
    return {
      result: done,
      events: history.events?.length ?? 0,
      bytes: temporal.api.history.v1.History.encode(history).finish().length,
    };
  });
  expect(result.phase).toBe('COMPLETED');
  expect(result.progress.items).toEqual({
    users: { total: 5_000, done: 5_000 },
    phoneNumbers: { total: 3_000, done: 3_000 },
    services: { total: 2_000, done: 2_000 },
  });
  // 10 user + 6 number + 4 service batches + 4 decommission batches: one activity each, no more.
  expect(fake.calls.filter((c) => c === 'moveUsers')).toHaveLength(10);
  expect(fake.calls.filter((c) => c === 'decommissionSourceServices')).toHaveLength(4);
  // Temporal warns at 10,240 events / 10 MB and terminates at 51,200 events / 50 MB.
  console.log(`10,000-item move: ${events} history events, ${bytes} bytes`);
  expect(events).toBeLessThan(500);
  expect(bytes).toBeLessThan(1_000_000);
});

it("mirrors progress to the database on phase changes, not before each of a quick move's steps", async () => {
  const fake = createFakeMoveActivities({ totals: { USER: 4, PHONE_NUMBER: 2, SERVICE: 2 } });
  const input = await moveInput(env, { moveNow: true, batchSize: 500 });
  const result = await withMove(env, fake, input, (handle) => handle.result());
  expect(result.phase).toBe('COMPLETED');
  // The check's report, the move's start (MOVING) and the first step (with the snapshot's totals)
  // are mirrored; the later steps, seconds apart at most, are not; finishMove records the final
  // progress itself. Before: one mirror per step.
  // (Written by recordProgress, or by the step it was handed to: the fake logs both.)
  const mirrors = fake.progressLog.length;
  expect(mirrors).toBeGreaterThan(0);
  expect(mirrors).toBeLessThan(MOVE_STEPS.length);
});

describe('mirrors before the move', () => {
  const warning: MoveCheck = {
    type: 'phone-number-blocked',
    message: '+442070000001 is blocked by the carrier',
    field: null,
    item: { kind: 'PHONE_NUMBER', id: 'number-1', label: '+442070000001' },
  };
  const BOOKKEEPING_BEFORE_MOVING = ['markMoveScheduled', 'recordProgress', 'preflightCheck'];
  const beforeSnapshot = (calls: readonly string[]) =>
    calls.slice(0, calls.indexOf('snapshotMoveItems')).filter((c) => BOOKKEEPING_BEFORE_MOVING.includes(c));

  it('a move due as it starts mirrors once before it moves: as MOVING, with what the check found', async () => {
    const fake = createFakeMoveActivities({ totals: { USER: 4, PHONE_NUMBER: 2, SERVICE: 2 } });
    fake.preflightFinds({ warnings: [warning] });
    const input = await moveInput(env, { moveNow: true });
    const result = await withMove(env, fake, input, (handle) => handle.result());
    expect(result.phase).toBe('COMPLETED');
    // Not also as SCHEDULED and after the check: the MOVING mirror replaced both at once, and the
    // snapshot writes it (no local activity of its own).
    expect(beforeSnapshot(fake.calls)).toEqual(['markMoveScheduled', 'preflightCheck']);
    expect(fake.progressLog[0]).toMatchObject({ phase: 'MOVING', currentStep: 'SNAPSHOT', warnings: [warning] });
  });

  it("hands the mirrors as moving begins and as the first step begins to the snapshot's and the step's activity", async () => {
    const fake = createFakeMoveActivities({ totals: { USER: 4, PHONE_NUMBER: 2, SERVICE: 2 } });
    const input = await moveInput(env, { moveNow: true, batchSize: 500 });
    const result = await withMove(env, fake, input, (handle) => handle.result());
    expect(result.phase).toBe('COMPLETED');
    const firstStep = stepRow(MOVE_STEPS[0]!).forward;
    const between = fake.calls.slice(fake.calls.indexOf('snapshotMoveItems') + 1, fake.calls.indexOf(firstStep));
    expect(between).toEqual(['compareWithReview']);
    expect(fake.calls).not.toContain('recordProgress');
    // What the dashboard got: MOVING from the snapshot, then the first step's, with the snapshot's totals.
    expect(fake.progressLog.slice(0, 2)).toEqual([
      expect.objectContaining({ phase: 'MOVING', currentStep: 'SNAPSHOT' }),
      expect.objectContaining({
        phase: 'MOVING',
        currentStep: MOVE_STEPS[0],
        items: expect.objectContaining({ users: { total: 4, done: 0 } }) as unknown,
      }),
    ]);
  });

  it('a move that waits for its time mirrors as it is scheduled and again with what the check found', async () => {
    const fake = createFakeMoveActivities({ totals: { USER: 4, PHONE_NUMBER: 2, SERVICE: 2 } });
    fake.preflightFinds({ warnings: [warning] });
    const input = await moveInput(env, { notify: false });
    const result = await withMove(env, fake, input, (handle) => handle.result());
    expect(result.phase).toBe('COMPLETED');
    // The dashboard shows the scheduled move and the check's warnings for the days it waits.
    expect(beforeSnapshot(fake.calls).slice(0, 4)).toEqual([
      'markMoveScheduled',
      'recordProgress',
      'preflightCheck',
      'recordProgress',
    ]);
    expect(fake.progressLog[0]).toMatchObject({ phase: 'SCHEDULED', warnings: [] });
    expect(fake.progressLog[1]).toMatchObject({ phase: 'SCHEDULED', warnings: [warning] });
  });
});

it('runs the bookkeeping as local activities: only the snapshot and the steps go through the task queue', async () => {
  const fake = createFakeMoveActivities({ totals: { USER: 4, PHONE_NUMBER: 2, SERVICE: 2 } });
  const input = await moveInput(env, { moveNow: true, batchSize: 500 });
  const { result, history } = await withMove(env, fake, input, async (handle) => ({
    result: await handle.result(),
    history: await handle.fetchHistory(),
  }));
  expect(result.phase).toBe('COMPLETED');
  const { EventType } = temporal.api.enums.v1;
  const events = history.events ?? [];
  const scheduled = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
  expect(scheduled).toEqual(['snapshotMoveItems', ...MOVE_STEPS.map((step) => stepRow(step).forward)]);
  const localMarkers = events.filter(
    (e) =>
      e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED &&
      e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
  );
  const bookkeeping = [
    'markMoveScheduled',
    'recordProgress',
    'preflightCheck',
    'compareWithReview',
    'finishMove',
    'deliverOutcomeEmail',
  ];
  // Every bookkeeping call the worker ran is in the history as a local activity's marker.
  expect(localMarkers).toHaveLength(fake.calls.filter((c) => bookkeeping.includes(c)).length);
  // Far fewer workflow tasks than one per activity: a step's result and the bookkeeping after it share one.
  const workflowTasks = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length;
  expect(workflowTasks).toBeLessThanOrEqual(scheduled.length + 2);
});
