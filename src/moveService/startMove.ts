// Starting a client site move (the wizard's Finish): settle an earlier start that never ran, then in
// one transaction claim the Idempotency-Key (a repeated key gets its move back), check the request
// against the data and record the move; then start its workflow. The row comes before the workflow,
// so the database decides races between starts.
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Db } from '../db/client';
import type { ClientSiteMoveInput } from '../domain/move';
import type { CheckedRequest, StartMoveRequest } from './checkStartRequest';
import { requestFingerprint, type StartedMove } from './idempotency';
import type { ServiceLog } from './log';
import { recordMove } from './recordMove';
import { settleUnstartedMovesOfClient } from './settleUnstartedMove';
import { startMoveWorkflow } from './startWorkflow';
import type { TemporalTimeouts } from './temporal';

export type { StartMoveRequest } from './checkStartRequest';
export type { StartedMove } from './idempotency';

export interface StartMoveDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  move: Config['move'];
  timeouts: Pick<TemporalTimeouts, 'startMs'>;
  log: ServiceLog;
  /** The move's page for people, linked from the workflow's details in Temporal Web. */
  movePageUrl?: (moveId: string) => string;
}

export interface StartMoveOptions {
  operatorId: string;
  /** Same operator, key and request: the same move comes back instead of a new one. */
  idempotencyKey?: string;
  now?: Date;
}

export async function startMove(
  deps: StartMoveDeps,
  request: StartMoveRequest,
  options: StartMoveOptions,
): Promise<StartedMove> {
  const { operatorId, idempotencyKey } = options;
  const fingerprint = idempotencyKey === undefined ? null : requestFingerprint(request);
  const now = options.now ?? new Date();
  // First, so a retry with the key of a start that never happened is not told "in progress" for ever.
  await settleUnstartedMovesOfClient(deps, request.clientId, now);
  const recorded = await recordMove(deps.db, request, { operatorId, idempotencyKey, fingerprint, now });
  if ('replayed' in recorded) return recorded;
  await startMoveWorkflow(deps, workflowInput(deps, request, recorded.checked, recorded.moveId));
  return { moveId: recorded.moveId, replayed: false };
}

function workflowInput(
  deps: StartMoveDeps,
  request: StartMoveRequest,
  { client, destination, moveNow, scheduledFor, notifyOperatorId }: CheckedRequest,
  moveId: string,
): ClientSiteMoveInput {
  return {
    moveId,
    clientId: client.id,
    clientName: client.name,
    sourceSiteId: client.siteId,
    destinationSiteId: request.destinationSiteId,
    siteTimeZone: destination.timeZone,
    scheduledFor: scheduledFor.toISOString(),
    moveNow,
    notify: notifyOperatorId !== null,
    batchSize: deps.move.batchSize,
    decisionTimeout: deps.move.decisionTimeout,
    outageWindow: deps.move.outageWindow,
    emailDeliveryWindow: deps.move.emailDeliveryWindow,
    moveMaxAhead: deps.move.maxAhead,
    preflightLead: deps.move.preflightLead,
  };
}
