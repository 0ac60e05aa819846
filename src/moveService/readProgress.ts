// A move's progress: live from the workflow's `progress` query when Temporal answers in time,
// otherwise the copy the workflow last mirrored onto the dashboard task (and the caller says so).
// A finished move, and every move while Temporal is known to be down, is answered from the copy
// without asking: a query on a closed workflow replays its whole history on a worker, and one to a
// server that is down waits its full deadline. With a ProgressCache, reads of one run share a query
// in flight and reuse an answer younger than its max age.
import type { Client } from '@temporalio/client';
import type { MoveProgress } from '../domain/move';
import { progressQuery } from '../workflows/clientSiteMove';
import type { ProgressCache } from './progressCache';
import { MoveProgressSchema } from './progressSchema';
import { withTemporalDeadline, type TemporalTimeouts } from './temporal';
import type { TemporalHealth } from './temporalHealth';

export type ProgressSource = 'temporal' | 'database';

export interface ProgressReading {
  /** Null only when the workflow has not yet mirrored anything and Temporal did not answer. */
  progress: MoveProgress | null;
  source: ProgressSource;
}

export interface ReadProgressDeps {
  temporal: Client;
  timeouts: Pick<TemporalTimeouts, 'queryMs'>;
  /** Told why the live answer was not available (for the logs). */
  onFallback?: (error: unknown) => void;
  /** The circuit-breaker: while it says Temporal is down, the database answers at once. */
  health?: TemporalHealth;
  /** Shares queries and fresh answers between reads of one run (the API's own). */
  progressCache?: ProgressCache;
}

export interface MoveProgressRef {
  workflowId: string;
  runId: string | null;
  /** The dashboard task's stored progress (JSON), if the move has a task yet. */
  storedProgress: unknown;
  /** True once the database says the move is final: its mirrored progress is then the answer. */
  finished?: boolean;
}

export async function readMoveProgress(deps: ReadProgressDeps, move: MoveProgressRef): Promise<ProgressReading> {
  // Parsed only when it is the answer: a live answer makes it unneeded.
  const stored = (): ProgressReading => ({ progress: storedProgress(move.storedProgress), source: 'database' });
  // Without its run id the workflow id could name a later move of the same client: do not ask.
  if (move.runId === null || move.finished || deps.health?.isDown()) return stored();
  try {
    const run = { workflowId: move.workflowId, runId: move.runId };
    const ask = () =>
      withTemporalDeadline(deps.temporal, deps.timeouts.queryMs, () =>
        deps.temporal.workflow.getHandle(run.workflowId, run.runId).query(progressQuery),
      );
    const progress = await (deps.progressCache ? deps.progressCache.read(run, ask) : ask());
    deps.health?.succeeded();
    return { progress, source: 'temporal' };
  } catch (error) {
    deps.health?.failed(error);
    deps.onFallback?.(error);
    return stored();
  }
}

/** The mirrored copy, if it has the shape the workflow writes (anything else is not served). */
export function storedProgress(json: unknown): MoveProgress | null {
  const parsed = MoveProgressSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
