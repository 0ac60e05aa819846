// What an activity can learn from Temporal when it runs as one; harmless when a test calls the
// function directly.
import { Context } from '@temporalio/activity';

export function heartbeat(details: unknown): void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    // Outside an activity there is no server to tell, and nothing to time out.
    return;
  }
  context.heartbeat(details);
}

/** The workflow (id, type) that called this activity, or null outside an activity. */
export function callingWorkflow(): { workflowId: string; workflowType: string } | null {
  try {
    const { workflowExecution, workflowType } = Context.current().info;
    if (!workflowExecution || !workflowType) return null;
    return { workflowId: workflowExecution.workflowId, workflowType };
  } catch {
    return null;
  }
}

/** The run of the workflow that called this activity, or null outside an activity. */
export function callingRunId(): string | null {
  try {
    return Context.current().info.workflowExecution?.runId ?? null;
  } catch {
    return null;
  }
}
