// An operator's decision about a running move (cancel, reschedule, move now, retry, roll back),
// delivered as a Temporal update so the workflow's validator decides whether its phase allows it.
// The workflow's refusals come back as MoveRequestErrors with the workflow's own reason.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ActionBy, MoveProgress } from '../domain/move';
import { UpdateRejectionType } from '../domain/updates';
import {
  cancelUpdate,
  moveNowUpdate,
  rescheduleUpdate,
  retryUpdate,
  rollbackUpdate,
} from '../workflows/clientSiteMove';
import { MoveRequestError, MoveRequestErrorCode as Code } from './errors';
import type { ProgressCache } from './progressCache';
import { settleUnstartedMove, type SettleDeps } from './settleUnstartedMove';
import { isTemporalUnavailable, withTemporalDeadline, type TemporalTimeouts } from './temporal';

export type MoveAction =
  | { kind: 'cancel'; reason: string }
  | {
      kind: 'reschedule';
      moveAt: string;
      /** Asked for as this local time at the destination. */ localTime?: string | null;
    }
  | { kind: 'move-now' }
  | { kind: 'retry' }
  | { kind: 'rollback' };

export interface MoveActionDeps {
  temporal: Client;
  timeouts: Pick<TemporalTimeouts, 'updateMs'>;
  /** The reads' cache of progress answers: the run's is dropped once the update returns. */
  progressCache?: ProgressCache;
}

export interface MoveWorkflowRef {
  workflowId: string;
  /** The run this move started; the same workflow id is reused by the client's later moves. */
  runId: string | null;
}

/** Runs the action and returns the move's progress once the workflow has applied it. */
export async function runMoveAction(
  deps: MoveActionDeps,
  move: MoveWorkflowRef,
  action: MoveAction,
  /** Who asks: the workflow keeps it with the action, so the audit trail can tell operators from Temporal Web. */
  by: ActionBy,
): Promise<MoveProgress> {
  if (move.runId === null) {
    // Its start has not finished (or failed half-way): the workflow id alone could name another move.
    throw new MoveRequestError(Code.PhaseDoesNotAllow, 'The move’s workflow has not started yet; try again shortly');
  }
  const handle = deps.temporal.workflow.getHandle(move.workflowId, move.runId);
  const call = (): Promise<MoveProgress> => {
    switch (action.kind) {
      case 'cancel':
        return handle.executeUpdate(cancelUpdate, { args: [action.reason, by] });
      case 'reschedule':
        return handle.executeUpdate(rescheduleUpdate, { args: [action.moveAt, by] });
      case 'move-now':
        return handle.executeUpdate(moveNowUpdate, { args: [by] });
      case 'retry':
        return handle.executeUpdate(retryUpdate, { args: [by] });
      case 'rollback':
        return handle.executeUpdate(rollbackUpdate, { args: [by] });
    }
  };
  try {
    return await withTemporalDeadline(deps.temporal, deps.timeouts.updateMs, call);
  } catch (error) {
    throw asMoveRequestError(error, action);
  } finally {
    // Applied, refused or unknown (a timeout may still have reached the workflow): the next read asks.
    deps.progressCache?.forget({ workflowId: move.workflowId, runId: move.runId });
  }
}

/**
 * A cancel of a move whose start had an unknown outcome (no run id yet): the move is settled first.
 * No run means nothing ever ran: the move is closed as cancelled with the operator's reason. A run
 * means the move is live: the caller sends the cancel to it.
 */
export async function settleBeforeCancel(
  deps: SettleDeps,
  moveId: string,
  reason: string,
  now: Date,
): Promise<'cancelled' | 'running'> {
  switch (await settleUnstartedMove(deps, moveId, now, reason)) {
    case 'closed':
      return 'cancelled';
    case 'adopted':
      return 'running';
    case 'unknown':
      throw new MoveRequestError(
        Code.TemporalUnavailable,
        'Temporal did not say whether the move’s workflow runs; nothing was changed, try again shortly',
      );
    case 'skipped':
      // Its start may still be under way (or another request is settling it this instant).
      throw new MoveRequestError(Code.PhaseDoesNotAllow, 'The move’s workflow has not started yet; try again shortly');
  }
}

function asMoveRequestError(error: unknown, action: MoveAction): unknown {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const reason = error.cause.message;
    switch (error.cause.type) {
      case UpdateRejectionType.PhaseDoesNotAllow:
        return new MoveRequestError(Code.PhaseDoesNotAllow, reason);
      case UpdateRejectionType.InvalidMoveTime:
        return new MoveRequestError(Code.InvalidMoveTime, reason, [{ field: 'moveAt', message: reason }]);
      case UpdateRejectionType.InvalidReason:
        return new MoveRequestError(Code.InvalidReason, reason, [{ field: 'reason', message: reason }]);
    }
  }
  // Temporal answers NOT_FOUND for an update to a run that has already closed.
  if (error instanceof WorkflowNotFoundError) {
    return new MoveRequestError(Code.MoveFinished, `The move has finished; it cannot ${action.kind} any more`);
  }
  if (isTemporalUnavailable(error)) {
    return new MoveRequestError(
      Code.TemporalUnavailable,
      `Temporal did not confirm the ${action.kind} in time. If it reached the workflow it still applies: read the move before trying again`,
    );
  }
  return error;
}
