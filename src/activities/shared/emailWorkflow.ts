// Starts an email's own workflow (moveOutcomeEmail, moveWarningsEmail), which delivers it apart from
// the move. Safe to run twice: the email's workflow id names the email, and a second start finds the
// first (running or finished).
import { WorkflowExecutionAlreadyStartedError, type WorkflowStartOptions } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from './deps';

export type EmailWorkflowDeps = Pick<ActivityDeps, 'temporal'>;

export async function startEmailWorkflow(
  deps: EmailWorkflowDeps,
  workflowType: 'moveOutcomeEmail' | 'moveWarningsEmail',
  options: (taskQueue: string) => WorkflowStartOptions,
): Promise<void> {
  if (!deps.temporal) {
    throw ApplicationFailure.nonRetryable(
      'This worker was created without a Temporal client, so it cannot start email workflows',
      'WorkerMisconfigured',
    );
  }
  try {
    await deps.temporal.client.workflow.start(workflowType, options(deps.temporal.taskQueue));
  } catch (error) {
    // Started before, and already finished: its email was dealt with.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw error;
  }
}
