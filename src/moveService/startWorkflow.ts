// Starts a recorded move's workflow. If Temporal says no, the move row (with its task) goes again and
// the client is ACTIVE again, so a refused request leaves nothing behind. If Temporal does not
// answer, the start may still have happened: the workflow is described, and the row goes only once
// Temporal confirms no run of this move exists.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { plainSql, plainTransaction } from '../db/plainSql';
import type { ClientSiteMoveInput } from '../domain/move';
import type { MoveDescription } from '../domain/moveSummary';
import { clientSiteMove } from '../workflows/clientSiteMove';
import { moveWorkflowOptions } from '../workflows/startOptions';
import { MoveRequestError, MoveRequestErrorCode as Code } from './errors';
import type { ServiceLog } from './log';
import { describeMove } from './moveDescription';
import { findStartedRun } from './startedRun';
import { isTemporalUnavailable, withTemporalDeadline, type TemporalTimeouts } from './temporal';

export interface StartWorkflowDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  timeouts: Pick<TemporalTimeouts, 'startMs'>;
  log: ServiceLog;
  /** The move's page for people, linked from Temporal Web; without it the details name the API path. */
  movePageUrl?: (moveId: string) => string;
}

/** Starts the workflow and records its run id on the move; returns the run id. */
export async function startMoveWorkflow(deps: StartWorkflowDeps, input: ClientSiteMoveInput): Promise<string> {
  const runId = await start(deps, input);
  await recordRunId(deps, input.moveId, runId);
  return runId;
}

async function start(deps: StartWorkflowDeps, input: ClientSiteMoveInput): Promise<string> {
  const { moveId, clientName } = input;
  const options = moveWorkflowOptions(input, deps.taskQueue, await descriptionFor(deps, moveId));
  try {
    const handle = await withTemporalDeadline(deps.temporal, deps.timeouts.startMs, () =>
      deps.temporal.workflow.start(clientSiteMove, options),
    );
    return handle.firstExecutionRunId;
  } catch (error) {
    if (isTemporalUnavailable(error)) {
      // Timed out or cut off: the request may have reached Temporal, and the run started regardless.
      const run = await findStartedRun(deps, options.workflowId, moveId);
      deps.log.warn(
        { err: error, moveId, found: run.found },
        run.found === 'unknown'
          ? 'Temporal answered neither the start nor the describe; the move is kept and may be orphaned'
          : 'Temporal did not answer the start; describing the workflow settled it',
      );
      if (run.found === 'this-move') return run.runId;
      if (run.found === 'unknown') throw startOutcomeUnknown(moveId, clientName);
    }
    await removeUnstartedMove(deps, moveId);
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      throw new MoveRequestError(
        Code.WorkflowAlreadyRunning,
        `Temporal already runs workflow ${options.workflowId} for ${clientName}; wait for it to finish`,
        [],
        { workflowId: options.workflowId },
      );
    }
    if (isTemporalUnavailable(error)) {
      throw new MoveRequestError(
        Code.TemporalUnavailable,
        'Temporal could not be reached to start the move; nothing was changed, try again shortly',
      );
    }
    throw error;
  }
}

/** Names for Temporal Web; a move is never held up for them. */
async function descriptionFor(deps: StartWorkflowDeps, moveId: string): Promise<MoveDescription | undefined> {
  try {
    return (await describeMove(deps.db, moveId, deps.movePageUrl)) ?? undefined;
  } catch (error) {
    deps.log.warn({ err: error, moveId }, 'Could not read the move for its Temporal Web summary; starting without one');
    return undefined;
  }
}

function startOutcomeUnknown(moveId: string, clientName: string): MoveRequestError {
  const location = `/api/client-site-moves/${moveId}`;
  return new MoveRequestError(
    Code.StartOutcomeUnknown,
    `Temporal did not answer whether the move of ${clientName} started. The move is recorded as ${moveId} and ` +
      `its workflow may be running: read it at ${location} (a run id appears once it runs) before trying again`,
    [],
    { moveId, location },
  );
}

/** The workflow runs whatever happens here: if the write fails, its first activity fills the run id in. */
async function recordRunId(deps: StartWorkflowDeps, moveId: string, runId: string): Promise<void> {
  try {
    await plainSql(deps.db).$executeRaw`
      UPDATE client_site_move SET run_id = ${runId}::text, updated_at = CURRENT_TIMESTAMP
      WHERE id = ${moveId}::uuid AND run_id IS NULL`;
  } catch (error) {
    deps.log.warn(
      { err: error, moveId, runId },
      "The workflow started but its run id was not recorded; the workflow's first activity records it",
    );
  }
}

/** Prisma's defaults for an interactive transaction, which this one had. */
const REMOVE_TX_OPTIONS = { timeout: 5_000, maxWait: 2_000 } as const;

async function removeUnstartedMove(deps: StartWorkflowDeps, moveId: string): Promise<void> {
  try {
    await plainTransaction(deps.db, REMOVE_TX_OPTIONS, async (tx) => {
      // Spaces, the task and the audit entry go with it (ON DELETE CASCADE).
      const [move] = await tx.$queryRaw<{ clientId: string }[]>`
        DELETE FROM client_site_move WHERE id = ${moveId}::uuid RETURNING client_id AS "clientId"`;
      if (!move) throw new Error(`Move ${moveId} was not there to remove`);
      // Recording the move showed the client as "Active - move scheduled"; nothing is scheduled now.
      await tx.$executeRaw`
        UPDATE client SET status = 'ACTIVE'::"ClientStatus", updated_at = CURRENT_TIMESTAMP
        WHERE id = ${move.clientId}::uuid AND status = 'ACTIVE_MOVE_SCHEDULED'::"ClientStatus"`;
    });
  } catch (error) {
    deps.log.error({ err: error, moveId }, 'Could not remove a move whose workflow did not start');
  }
}
