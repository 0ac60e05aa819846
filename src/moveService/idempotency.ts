// Idempotency-Key: the same operator, key and request give the same move back instead of a new one;
// the same key with another request is refused. The key is unique per operator in the database, and
// claimed before anything else a start does, so requests sent together with one key never race each
// other through the checks: one goes ahead, the others get its move or "in progress".
import { createHash } from 'node:crypto';
import { Prisma } from '../db/client';
import type { SqlTx } from '../db/plainSql';
import { MoveRequestError, MoveRequestErrorCode as Code } from './errors';
import type { StartMoveRequest } from './checkStartRequest';
import { readRows, type Reader } from './sqlReader';

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

/**
 * Claims the operator's key for the rest of the transaction (a transaction-scoped advisory lock).
 * Does not wait: a key already claimed belongs to a request in progress, and the caller says so.
 */
export async function claimIdempotencyKey(tx: SqlTx, operatorId: string, idempotencyKey: string): Promise<void> {
  const [row] = await tx.$queryRaw<{ claimed: boolean }[]>`
    SELECT pg_try_advisory_xact_lock(hashtextextended(${`idempotency-key:${operatorId}:${idempotencyKey}`}, 0)) AS claimed`;
  if (!row?.claimed) {
    throw new MoveRequestError(
      Code.IdempotentRequestInProgress,
      'A request with this Idempotency-Key is still being processed; retry shortly',
    );
  }
}

export async function findByIdempotencyKey(
  db: Reader,
  operatorId: string,
  idempotencyKey: string,
): Promise<IdempotentMove | null> {
  const [move] = await readRows<IdempotentMove>(
    db,
    Prisma.sql`
      SELECT id, run_id AS "runId", request_fingerprint AS "requestFingerprint" FROM client_site_move
      WHERE requested_by_id = ${operatorId}::uuid AND idempotency_key = ${idempotencyKey}::text`,
  );
  return move ?? null;
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
    // Only when given: requests made before these existed keep their fingerprints.
    ...(request.timeZone ? { timeZone: request.timeZone } : {}),
    ...(request.reviewed ? { reviewed: request.reviewed } : {}),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
