// Records a start: the move row (SCHEDULED), its chosen spaces and who asked, the client shown as
// "Active - move scheduled", the destination's dashboard task, and the client's items as the operator
// reviewed them, all in one transaction. It first claims the Idempotency-Key (a repeated key gets its
// move back), then takes the destination, then checks the request (checkStartRequest.ts: the same
// rules as the check). The database decides races here: the key's claim between requests with one
// key, the partial unique index on active moves between two starts for one client, the destination's
// lock between starts for different clients promising one space or one name.
import { randomUUID } from 'node:crypto';
import { Prisma, type Db } from '../db/client';
import { insertMoveTask } from '../db/moveTask';
import { plainRows, plainTransaction, type SqlTx } from '../db/plainSql';
import { moveWorkflowId, scheduledProgress } from '../domain/move';
import { activeMoveExists, evaluateStart, type CheckedRequest, type StartMoveRequest } from './checkStartRequest';
import { findActiveMove } from './activeMove';
import { MoveRequestError, MoveRequestErrorCode as Code } from './errors';
import { claimIdempotencyKey, findByIdempotencyKey, replay, type StartedMove } from './idempotency';

const ACTIVE_MOVE_INDEX = 'client_site_move_one_active_per_client';
const IDEMPOTENCY_INDEX = 'client_site_move_requested_by_id_idempotency_key_key';

/** Long enough for the checks and the insert on a loaded machine; the key stays claimed meanwhile. */
const RECORD_TX_OPTIONS = { timeout: 15_000, maxWait: 5_000 } as const;

export interface RecordedMove {
  moveId: string;
  checked: CheckedRequest;
}

export async function recordMove(
  db: Db,
  request: StartMoveRequest,
  by: { operatorId: string; idempotencyKey?: string; fingerprint: string | null; now: Date },
): Promise<RecordedMove | StartedMove> {
  const { idempotencyKey } = by;
  try {
    return await plainTransaction(db, RECORD_TX_OPTIONS, async (tx): Promise<RecordedMove | StartedMove> => {
      if (idempotencyKey !== undefined) {
        await claimIdempotencyKey(tx, by.operatorId, idempotencyKey);
        const earlier = await findByIdempotencyKey(tx, by.operatorId, idempotencyKey);
        if (earlier) return replay(earlier, by.fingerprint);
      }
      await lockDestination(tx, request);
      const { problems, checked } = await evaluateStart(tx, request, by.now);
      if (problems[0] || !checked) throw problems[0] ?? new Error('A start was refused without a reason');
      const { client, destination } = checked;
      const row = { id: randomUUID() };
      await tx.$executeRaw(insertMove(row.id, request, checked, by));
      // The product page: the client shows "Active - move scheduled" as soon as the move is, and the
      // destination sees it coming. Only from ACTIVE: anything else changed since the check.
      const marked = await tx.$executeRaw`
        UPDATE client SET status = 'ACTIVE_MOVE_SCHEDULED'::"ClientStatus", updated_at = CURRENT_TIMESTAMP
        WHERE id = ${client.id}::uuid AND status = 'ACTIVE'::"ClientStatus"`;
      if (marked === 0) {
        throw new MoveRequestError(
          Code.ClientNotActive,
          `${client.name} is no longer ACTIVE; only an ACTIVE client can move`,
        );
      }
      await recordReviewedItems(tx, row.id, client.id);
      const scheduledFor = checked.scheduledFor.toISOString();
      await tx.$executeRaw(
        insertMoveTask({
          moveId: row.id,
          clientId: client.id,
          clientName: client.name,
          destinationSiteId: destination.id,
          destinationSiteName: destination.name,
          progress: scheduledProgress(row.id, scheduledFor, checked.notifyOperatorId !== null, by.now.toISOString()),
        }),
      );
      return { moveId: row.id, checked };
    });
  } catch (error) {
    const index = violatedUniqueIndex(error);
    if (index !== null && idempotencyKey !== undefined) {
      // A concurrent request with the same key may have won, whichever index PostgreSQL names.
      const earlier = await findByIdempotencyKey(db, by.operatorId, idempotencyKey);
      if (earlier) return replay(earlier, by.fingerprint);
    }
    if (index === ACTIVE_MOVE_INDEX) {
      // Another start for this client won the race between our check and our insert.
      const [client] = await plainRows<{ name: string }>(
        db,
        Prisma.sql`SELECT name FROM client WHERE id = ${request.clientId}::uuid`,
      );
      throw activeMoveExists(client?.name ?? 'The client', await findActiveMove(db, request.clientId));
    }
    if (index === IDEMPOTENCY_INDEX) {
      // The request that held the key failed and let it go just now: this one may simply try again.
      throw new MoveRequestError(
        Code.IdempotentRequestInProgress,
        'A request with this Idempotency-Key was being processed; retry shortly',
      );
    }
    throw error;
  }
}

/**
 * Takes the destination before the checks: starts to one site queue on its row, so two of them cannot
 * both promise one space or one client name; the chosen spaces are locked as well (in id order, as
 * everywhere), so nothing assigns or releases them meanwhile.
 */
async function lockDestination(tx: SqlTx, request: StartMoveRequest): Promise<void> {
  // NO KEY UPDATE: rows that merely reference the site (foreign keys) are not held up.
  await tx.$queryRaw`SELECT id FROM site WHERE id = ${request.destinationSiteId}::uuid FOR NO KEY UPDATE`;
  if (request.spaceIds.length > 0) {
    await tx.$queryRaw`SELECT id FROM space WHERE id = ANY(${request.spaceIds}::uuid[]) ORDER BY id FOR UPDATE`;
  }
}

/**
 * The client's users, numbers and live services as they are at Finish: what the operator reviewed,
 * which the move compares with its own snapshot when it runs (compareWithReview).
 */
async function recordReviewedItems(tx: SqlTx, moveId: string, clientId: string): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO reviewed_item (move_id, kind, item_id, label)
    SELECT ${moveId}::uuid, 'USER'::"MoveItemKind", id, name FROM client_user WHERE client_id = ${clientId}::uuid
    UNION ALL
    SELECT ${moveId}::uuid, 'PHONE_NUMBER'::"MoveItemKind", id, number FROM phone_number WHERE client_id = ${clientId}::uuid
    UNION ALL
    SELECT ${moveId}::uuid, 'SERVICE'::"MoveItemKind", id, name FROM service
    WHERE client_id = ${clientId}::uuid AND status = 'ACTIVE'`;
}

/**
 * The move row with its chosen spaces and who asked for it, in one statement (the spaces and the audit
 * entry reference the row; PostgreSQL checks that at the end of the statement). The id is made here,
 * as Prisma made it (its `@default(uuid())` is client-side), so the task can name the move.
 */
function insertMove(
  moveId: string,
  request: StartMoveRequest,
  checked: CheckedRequest,
  by: { operatorId: string; idempotencyKey?: string; fingerprint: string | null },
): Prisma.Sql {
  const { client, destination } = checked;
  const reviewed = request.reviewed ? JSON.stringify(request.reviewed) : null;
  // Who asked for it: the workflow's own audit entries have no operator.
  const requested = JSON.stringify({ moveAt: request.moveAt, destinationSiteId: request.destinationSiteId });
  return Prisma.sql`
    WITH move AS (
      INSERT INTO client_site_move (
        id, client_id, requested_by_id, source_site_id, destination_site_id, tariff_id, minute_bundle_id,
        move_now, scheduled_for, scheduled_local_time, scheduled_time_zone, reviewed, notify_operator_id,
        workflow_id, idempotency_key, request_fingerprint, updated_at)
      VALUES (
        ${moveId}::uuid, ${client.id}::uuid, ${by.operatorId}::uuid, ${client.siteId}::uuid,
        ${request.destinationSiteId}::uuid, ${request.tariffId}::uuid, ${request.minuteBundleId ?? null}::uuid,
        ${checked.moveNow}::boolean, ${checked.scheduledFor}::timestamptz, ${checked.scheduledLocalTime}::text,
        ${checked.scheduledLocalTime === null ? null : destination.timeZone}::text, ${reviewed}::jsonb,
        ${checked.notifyOperatorId}::uuid, ${moveWorkflowId(client.id)}, ${by.idempotencyKey ?? null}::text,
        ${by.fingerprint}::text, CURRENT_TIMESTAMP)
      RETURNING id
    ), spaces AS (
      INSERT INTO client_site_move_space (move_id, space_id, role)
      SELECT move.id, space_id, 'TARGET'::"MoveSpaceRole" FROM move, unnest(${request.spaceIds}::uuid[]) AS space_id
    )
    INSERT INTO audit_entry (actor_operator_id, action, client_id, move_id, details)
    SELECT ${by.operatorId}::uuid, 'MOVE_REQUESTED', ${client.id}::uuid, move.id, ${requested}::jsonb FROM move`;
}

/**
 * The name of the unique index a write ran into, if that is why it failed: from the pg driver
 * (SQLSTATE 23505, on the pool) or from Prisma (P2002, a transaction of Prisma's own).
 */
function violatedUniqueIndex(error: unknown): string | null {
  if (isPgUniqueViolation(error)) return error.constraint ?? null;
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return null;
  // Through the pg driver adapter the index name is only in the driver's message.
  const message = JSON.stringify(error.meta ?? {});
  const match = /unique constraint \\"([^\\"]+)\\"/.exec(message);
  return match?.[1] ?? null;
}

function isPgUniqueViolation(error: unknown): error is { code: '23505'; constraint?: string } {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
