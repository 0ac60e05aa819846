// Finding the move a request is about, and what every route about one move does with it: put its
// ids on the request's log lines, and read its progress (live, or the database copy).
import type { Request, Response } from 'express';
import { isFinalPhase } from '../domain/move';
import { MoveRequestError, MoveRequestErrorCode } from '../moveService/errors';
import type { MoveProgressRef, ReadProgressDeps } from '../moveService/readProgress';
import type { RouteDeps } from './context';
import { selectMoveRow } from './rowQueries';
import type { MoveRow } from './views';

export async function loadMove(deps: RouteDeps, id: string): Promise<MoveRow> {
  const row = await selectMoveRow(deps.db, id);
  if (!row) throw new MoveRequestError(MoveRequestErrorCode.MoveNotFound, `Move ${id} does not exist`);
  return row;
}

/** Puts the move's ids on the request's log lines: those logged from here on, and the final one. */
export function noteMove(req: Request, res: Response, row: { id: string; workflowId: string }): void {
  res.locals.moveId = row.id;
  res.locals.workflowId = row.workflowId;
  req.log = req.log.child({ moveId: row.id, workflowId: row.workflowId });
}

export function moveProgressRef(row: MoveRow): MoveProgressRef {
  return {
    workflowId: row.workflowId,
    runId: row.runId,
    storedProgress: row.task?.progress ?? null,
    finished: isFinalPhase(row.status),
  };
}

export function progressDeps(deps: RouteDeps, log: { warn(obj: object, msg: string): void }): ReadProgressDeps {
  return {
    temporal: deps.temporal,
    timeouts: deps.timeouts,
    health: deps.temporalHealth,
    progressCache: deps.progressCache,
    onFallback: (error: unknown) =>
      log.warn({ err: error }, 'Temporal did not answer the progress query; serving the database copy'),
  };
}
