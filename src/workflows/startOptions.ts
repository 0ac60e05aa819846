// How a move's workflow is started: its id, id policies, search attributes, memo, and its summary
// and details for Temporal Web, in one place.
// The API, the tests and the bench all start moves with these options (not bundled: the workflow
// itself never imports this module).
import type { WorkflowStartOptions } from '@temporalio/client';
import type { OutcomeEmailInput, WarningsEmailDelivery } from '../activities/contract';
import { moveWorkflowId, type ClientSiteMoveInput, type EmailState } from '../domain/move';
import { moveStaticDetails, moveStaticSummary, type MoveDescription } from '../domain/moveSummary';
import type { clientSiteMove } from './clientSiteMove';
import { outcomeEmailWorkflowId, type moveOutcomeEmail } from './moveOutcomeEmail';
import { warningsEmailWorkflowId, type moveWarningsEmail } from './moveWarningsEmail';
import { ClientIdKey, DestinationSiteIdKey, MoveIdKey, MovePhaseKey, SourceSiteIdKey } from './searchAttributes';

/** `description` names the move for Temporal Web (summary and details); without it the run has none. */
export function moveWorkflowOptions(
  input: ClientSiteMoveInput,
  taskQueue: string,
  description?: MoveDescription,
): WorkflowStartOptions<typeof clientSiteMove> {
  return {
    taskQueue,
    workflowId: moveWorkflowId(input.clientId),
    args: [input],
    // One running move per client: Temporal refuses a second start while one runs; the client's next
    // move reuses the id once this one has finished.
    workflowIdConflictPolicy: 'FAIL',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [
      { key: ClientIdKey, value: input.clientId },
      { key: MoveIdKey, value: input.moveId },
      { key: SourceSiteIdKey, value: input.sourceSiteId },
      { key: DestinationSiteIdKey, value: input.destinationSiteId },
      { key: MovePhaseKey, value: 'SCHEDULED' },
    ],
    memo: { clientName: input.clientName, moveId: input.moveId },
    ...(description
      ? { staticSummary: moveStaticSummary(description), staticDetails: moveStaticDetails(description) }
      : {}),
  };
}

/** The outcome email's own workflow: one per move; starting it again finds the one already there. */
export function outcomeEmailWorkflowOptions(
  input: OutcomeEmailInput,
  taskQueue: string,
): WorkflowStartOptions<typeof moveOutcomeEmail> {
  return emailWorkflowOptions(outcomeEmailWorkflowId(input.moveId), input, taskQueue, { phase: input.phase });
}

/** One warnings email workflow per move and set of warnings; a second start finds the first. */
export function warningsEmailWorkflowOptions(
  input: WarningsEmailDelivery,
  taskQueue: string,
): WorkflowStartOptions<typeof moveWarningsEmail> {
  return emailWorkflowOptions(warningsEmailWorkflowId(input.moveId, input.digest), input, taskQueue, {
    digest: input.digest,
  });
}

/** An email workflow is started once: a second start finds the first, running or finished. */
function emailWorkflowOptions<I extends { moveId: string }>(
  workflowId: string,
  input: I,
  taskQueue: string,
  memo: Record<string, string>,
): WorkflowStartOptions<(input: I) => Promise<{ state: EmailState }>> {
  return {
    taskQueue,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    memo: { moveId: input.moveId, ...memo },
  };
}
