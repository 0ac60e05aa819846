// Operators' decisions about a move, each a Temporal update: the workflow's validator decides
// whether the move's phase allows it, and the answer is the move's progress after it applied.
import type { z } from 'zod';
import { readMoveTime } from '../../moveService/checkStartRequest';
import { refusalsOn, type MoveOperation } from '../../moveService/errors';
import { runMoveAction, settleBeforeCancel, type MoveAction } from '../../moveService/moveActions';
import { storedProgress, type ProgressReading } from '../../moveService/readProgress';
import { currentOperator } from '../auth';
import type { RouteDeps } from '../context';
import type { ApiRouter } from '../routing';
import { CancelBody, MoveDetailSchema, MoveParams, NoBody, moveHorizon, rescheduleBody } from '../schemas';
import { moveDetailView, type MoveRow } from '../views';
import { loadMove, noteMove } from '../moveLookup';

interface ActionRoute<B extends z.ZodType> {
  segment: string;
  operationId: string;
  summary: string;
  description: string;
  body: B;
  bodyOptional: boolean;
  /** Refusals of this action besides those every action can meet. */
  refusals?: MoveOperation;
  /** The audit entry's action, beside the workflow's own (MOVE_SCHEDULED, MOVE_CANCELLED, ...). */
  auditAction: string;
  /** The action the body asks for, on this move (a local time is read in its destination's zone). */
  action(body: z.output<B>, move: MoveRow): MoveAction;
}

export function registerMoveActionRoutes(api: ApiRouter, deps: RouteDeps): void {
  const add = <B extends z.ZodType>(spec: ActionRoute<B>) =>
    api.add({
      method: 'post',
      path: `/api/client-site-moves/{id}/${spec.segment}`,
      operationId: spec.operationId,
      tag: 'Move actions',
      summary: spec.summary,
      description: spec.description,
      access: 'superAdmin',
      params: MoveParams,
      body: spec.body,
      bodyOptional: spec.bodyOptional,
      responses: { 200: { description: 'Done; the move as it is now', schema: MoveDetailSchema } },
      problems: [...refusalsOn('action'), ...(spec.refusals ? refusalsOn(spec.refusals) : [])],
      handle: async ({ params, body, req, res }) => {
        const operator = currentOperator(res);
        // The audit entry is dated when asked, so the trail lists it before the phase changes it caused.
        const askedAt = new Date();
        let move = await loadMove(deps, params.id);
        noteMove(req, res, move);
        const action = spec.action(body, move);
        let reading: ProgressReading | null = null;
        if (action.kind === 'cancel' && move.runId === null) {
          // Its start had an unknown outcome: settled now, so the cancel either closes it or reaches its run.
          const settleDeps = {
            ...deps,
            taskQueue: deps.config.temporal.taskQueue,
            move: deps.config.move,
            log: deps.logger,
          };
          const settled = await settleBeforeCancel(settleDeps, move.id, action.reason, new Date());
          move = await loadMove(deps, params.id);
          if (settled === 'cancelled') reading = { progress: storedProgress(move.task?.progress), source: 'database' };
        }
        reading ??= {
          progress: await runMoveAction(
            { temporal: deps.temporal, timeouts: deps.timeouts, progressCache: deps.progressCache },
            move,
            action,
            { operatorId: operator.id },
          ),
          source: 'temporal',
        };
        if (action.kind === 'reschedule') {
          // The local time the operator chose stays with the move (shown, and kept across a clock change).
          await deps.db.clientSiteMove.update({
            where: { id: move.id },
            data: {
              scheduledLocalTime: action.localTime ?? null,
              scheduledTimeZone: action.localTime ? move.destinationSite.timeZone : null,
            },
          });
        }
        const phaseAfter = reading.progress?.phase ?? move.status;
        try {
          // The workflow's own audit entries have no operator; this one says who decided.
          await deps.db.auditEntry.create({
            data: {
              at: askedAt,
              actorOperatorId: operator.id,
              action: spec.auditAction,
              clientId: move.clientId,
              moveId: move.id,
              details: {
                ...action,
                ...(action.kind === 'reschedule' && action.localTime
                  ? { timeZone: move.destinationSite.timeZone }
                  : {}),
                phaseAfter,
              },
            },
          });
        } catch (error) {
          req.log.error({ err: error }, 'The action applied but its audit entry could not be written');
        }
        const row = await loadMove(deps, params.id);
        res.json(moveDetailView(row, deps.links, reading));
      },
    });

  add({
    segment: 'cancel',
    operationId: 'cancelClientSiteMove',
    summary: 'Cancel a scheduled move',
    description:
      'Only while SCHEDULED: the client is ACTIVE again at its current site, the task closes as cancelled, ' +
      'nothing moves. A move whose start had an unknown outcome (no run id, recorded over a minute ago) is ' +
      'settled first: with no run in Temporal it is closed as cancelled here; with one, the cancel goes to it.',
    body: CancelBody,
    bodyOptional: false,
    refusals: 'cancel',
    auditAction: 'OPERATOR_CANCEL',
    action: (body) => ({ kind: 'cancel', reason: body.reason }),
  });
  add({
    segment: 'reschedule',
    operationId: 'rescheduleClientSiteMove',
    summary: 'Move a scheduled move to another (future) time',
    description: 'Only while SCHEDULED.',
    body: rescheduleBody(moveHorizon(deps.config.move)),
    bodyOptional: false,
    refusals: 'reschedule',
    auditAction: 'OPERATOR_RESCHEDULE',
    action: (body, move) => {
      const time = readMoveTime(body.moveAt, body.timeZone, move.destinationSite);
      if ('refused' in time) throw time.refused;
      return { kind: 'reschedule', moveAt: time.at.toISOString(), localTime: time.localTime };
    },
  });
  add({
    segment: 'move-now',
    operationId: 'moveClientNow',
    summary: 'Run a scheduled move now instead of waiting',
    description: 'Only while SCHEDULED. Answers once the move has begun.',
    body: NoBody,
    bodyOptional: true,
    auditAction: 'OPERATOR_MOVE_NOW',
    action: () => ({ kind: 'move-now' }),
  });
  add({
    segment: 'retry',
    operationId: 'retryClientSiteMove',
    summary: 'Run the failed step again',
    description: 'Only in NEEDS_ATTENTION, after the cause (e.g. a blocked number) has been put right.',
    body: NoBody,
    bodyOptional: true,
    auditAction: 'OPERATOR_RETRY',
    action: () => ({ kind: 'retry' }),
  });
  add({
    segment: 'rollback',
    operationId: 'rollBackClientSiteMove',
    summary: 'Undo the move and give the client back at its source site',
    description: 'Only in NEEDS_ATTENTION. Answers once the rollback has begun; follow it with GET.',
    body: NoBody,
    bodyOptional: true,
    auditAction: 'OPERATOR_ROLLBACK',
    action: () => ({ kind: 'rollback' }),
  });
}
