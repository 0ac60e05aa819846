// Hands a finished move's outcome email to its own workflow (moveOutcomeEmail), which delivers it
// apart from the move, retrying through mail outages for hours. Safe to run twice: the email's
// workflow id is the move's, and a second start finds the first (running or finished).
import { outcomeEmailWorkflowOptions } from '../workflows/startOptions';
import type { OutcomeEmailInput } from './contract';
import { startEmailWorkflow, type EmailWorkflowDeps } from './shared/emailWorkflow';

export function deliverOutcomeEmail(deps: EmailWorkflowDeps, input: OutcomeEmailInput): Promise<void> {
  return startEmailWorkflow(deps, 'moveOutcomeEmail', (taskQueue) => outcomeEmailWorkflowOptions(input, taskQueue));
}
