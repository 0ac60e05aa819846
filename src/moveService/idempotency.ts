// Idempotency-Key: the same operator, key and request give the same move back instead of a new one;
// the same key with another request is refused. The key is unique per operator in the database.
import { createHash } from 'node:crypto';
import type { Db } from '../db/client';
import { MoveRequestError, MoveRequestErrorCode as Code } from './errors';
import type { StartMoveRequest } from './checkStartRequest';

/** The outcome of a start: the move, and whether an earlier request with the same key made it. */
export interface StartedMove {
  moveId: string;
  /** True when an earlier request with the same Idempotency-Key made the move. */
  replayed: boolean;
}

/** What a repeated key is answered from. */
export interface IdempotentMove {
  id: string;
  runId: string | null;
  requestFingerprint: string | null;
}

export async function findByIdempotencyKey(
  db: Db,
  operatorId: string,
  idempotencyKey: string,
): Promise<IdempotentMove | null> {
  return db.clientSiteMove.findUnique({
    where: { requestedById_idempotencyKey: { requestedById: operatorId, idempotencyKey } },
    select: { id: true, runId: true, requestFingerprint: true },
  });
}

export function replay(earlier: IdempotentMove, fingerprint: string | null): StartedMove {
  if (earlier.requestFingerprint !== fingerprint) {
    throw new MoveRequestError(
      Code.IdempotencyKeyReused,
      'This Idempotency-Key was already used with a different request; use a new key for a new request',
      [{ field: 'Idempotency-Key', message: 'was used before with a different body' }],
      { moveId: earlier.id },
    );
  }
  if (earlier.runId === null) {
    throw new MoveRequestError(
      Code.IdempotentRequestInProgress,
      'A request with this Idempotency-Key is still being processed; retry shortly',
      [],
      { moveId: earlier.id },
    );
  }
  return { moveId: earlier.id, replayed: true };
}

/** The request as a stable string: same fields, same values, same fingerprint, whatever the key order. */
export function requestFingerprint(request: StartMoveRequest): string {
  const canonical = {
    clientId: request.clientId,
    destinationSiteId: request.destinationSiteId,
    tariffId: request.tariffId,
    minuteBundleId: request.minuteBundleId ?? null,
    spaceIds: request.spaceIds,
    moveAt: request.moveAt,
    notifyOperatorId: request.notifyOperatorId ?? null,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
