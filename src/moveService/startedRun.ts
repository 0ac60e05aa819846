// Whether a move's workflow run exists, when Temporal did not say at start: its workflow id is
// described and the run's MoveId search attribute tells whose run it is.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { MoveIdKey } from '../workflows/searchAttributes';
import { withTemporalDeadline, type TemporalTimeouts } from './temporal';

export interface TemporalDeps {
  temporal: Client;
  timeouts: Pick<TemporalTimeouts, 'startMs'>;
}

/** What describing the move's workflow id showed after a start Temporal did not answer. */
export type StartedRun =
  | { found: 'this-move'; runId: string }
  /** No run, or the latest run is another move's: this start did not happen. */
  | { found: 'none' }
  /** Temporal did not answer this either. */
  | { found: 'unknown' };

export async function findStartedRun(deps: TemporalDeps, workflowId: string, moveId: string): Promise<StartedRun> {
  try {
    const described = await withTemporalDeadline(deps.temporal, deps.timeouts.startMs, () =>
      deps.temporal.workflow.getHandle(workflowId).describe(),
    );
    // Whatever its status: a run of this move that already closed (a tiny move-now, a terminate) did
    // start, and its workflow has written to the row, so the row must stay.
    if (described.typedSearchAttributes.get(MoveIdKey) === moveId) {
      return { found: 'this-move', runId: described.runId };
    }
    return { found: 'none' };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { found: 'none' };
    return { found: 'unknown' };
  }
}
