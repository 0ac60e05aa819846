// Temporal Web in words: the run's current details say its phase, step, counts and last error; each
// step's activity carries a summary ("Move users: batch 2 of 3"); the wait says until when.
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { formatMoveTime, waitTimerSummary } from '../../src/domain/moveSummary';
import { createFakeMoveActivities } from '../support/fakeMoveActivities';
import { DAY_MS, moveInput, waitForProgress, withMove, type MoveHandle } from '../support/moveWorkflow';
import { startTimeSkippingEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkippingEnv();
});
afterAll(() => env?.teardown());

const { EventType } = temporal.api.enums.v1;

async function currentDetails(handle: MoveHandle): Promise<string> {
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

async function summaries(handle: MoveHandle, type: temporal.api.enums.v1.EventType): Promise<(string | null)[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.eventType === type)
    .map((e) => (e.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary) : null));
}

it('shows the phase, step, counts and the last error as the move goes', async () => {
  const fake = createFakeMoveActivities({
    failures: { moveUsers: { times: 1, type: 'StepBroken', nonRetryable: true } },
  });
  const input = await moveInput(env, { scheduledFor: new Date((await env.currentTimeMs()) + DAY_MS).toISOString() });
  await withMove(env, fake, input, async (handle) => {
    await waitForProgress(handle, (p) => p.currentStep === 'WAITING', 'the wait');
    expect(await currentDetails(handle)).toContain(`Runs ${formatMoveTime(input.scheduledFor)}`);
    await env.sleep('25 hours');
    await waitForProgress(handle, (p) => p.phase === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
    const details = await currentDetails(handle);
    expect(details).toContain('**NEEDS_ATTENTION** · Move users');
    expect(details).toContain('Users 0/5 · Phone numbers 4/4 · Services 3/3');
    expect(details).toContain('**Last error** StepBroken');
    expect(details).toContain('Waiting for retry or rollback; rolls back by itself at');
    await handle.cancel();
    await handle.result().catch(() => undefined);
    const timers = await summaries(handle, EventType.EVENT_TYPE_TIMER_STARTED);
    expect(timers).toContain(waitTimerSummary(input.scheduledFor));
    expect(timers.some((t) => t?.startsWith('Roll back by itself at '))).toBe(true);
    const activities = await summaries(handle, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    expect(activities).toEqual(
      expect.arrayContaining([
        'Provision services at the destination: batch 1 of 2',
        'Re-home phone numbers: batch 2 of 2',
        'Move users: batch 1 of 3',
        'Undo: give phone numbers back to the source site: batch 1 of 2',
      ]),
    );
  });
});
