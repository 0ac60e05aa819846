// Hands a set of pre-move warnings to its own workflow (moveWarningsEmail), which delivers the email
// apart from the move, retrying through mail outages until the move is due. Safe to run twice: the
// workflow id is the move's and the warnings' digest, and a second start finds the first.
import { warningsEmailWorkflowOptions } from '../workflows/startOptions';
import type { WarningsEmailDelivery } from './contract';
import { startEmailWorkflow, type EmailWorkflowDeps } from './shared/emailWorkflow';

export function deliverWarningsEmail(deps: EmailWorkflowDeps, input: WarningsEmailDelivery): Promise<void> {
  return startEmailWorkflow(deps, 'moveWarningsEmail', (taskQueue) => warningsEmailWorkflowOptions(input, taskQueue));
}
