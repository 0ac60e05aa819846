// Hands a finished move's outcome email to its own workflow (moveOutcomeEmail), which delivers it
// apart from the move, retrying through mail outages for hours. Safe to run twice: the email's
// workflow id is the move's, and a second start finds the first (running or finished).
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { outcomeEmailWorkflowOptions } from '../workflows/startOptions';
import type { OutcomeEmailInput } from './contract';
import type { ActivityDeps } from './shared/deps';

export async function deliverOutcomeEmail(
  deps: Pick<ActivityDeps, 'temporal'>,
  input: OutcomeEmailInput,
): Promise<void> {
  if (!deps.temporal) {
    throw ApplicationFailure.nonRetryable(
      'This worker was created without a Temporal client, so it cannot start email workflows',
      'WorkerMisconfigured',
    );
  }
  try {
    await deps.temporal.client.workflow.start(
      'moveOutcomeEmail',
      outcomeEmailWorkflowOptions(input, deps.temporal.taskQueue),
    );
  } catch (error) {
    // Started before, and already finished: its email was dealt with.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw error;
  }
}
