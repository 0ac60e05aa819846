// Records a start: the move row (SCHEDULED), its chosen spaces and who asked, the client shown as
// "Active - move scheduled", the destination's dashboard task, and the client's items as the operator
// reviewed them, all in one transaction. It first claims the Idempotency-Key (a repeated key gets its
// move back), then takes the destination, then checks the request (checkStartRequest.ts: the same
// rules as the check). The database decides races here: the key's claim between requests with one
// key, the partial unique index on active moves between two starts for one client, the destination's
// lock between starts for different clients promising one space or one name.
import { Prisma, type Db } from '../db/client';
import { openMoveTask } from '../db/moveTask';
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
    return await db.$transaction(async (tx): Promise<RecordedMove | StartedMove> => {
      if (idempotencyKey !== undefined) {
        await claimIdempotencyKey(tx, by.operatorId, idempotencyKey);
        const earlier = await findByIdempotencyKey(tx, by.operatorId, idempotencyKey);
        if (earlier) return replay(earlier, by.fingerprint);
      }
      await lockDestination(tx, request);
      const { problems, checked } = await evaluateStart(tx, request, by.now);
      if (problems[0] || !checked) throw problems[0] ?? new Error('A start was refused without a reason');
      const { client, destination } = checked;
      const row = await tx.clientSiteMove.create({
        data: {
          clientId: client.id,
          requestedById: by.operatorId,
          sourceSiteId: client.siteId,
          destinationSiteId: request.destinationSiteId,
          tariffId: request.tariffId,
          minuteBundleId: request.minuteBundleId ?? null,
          moveNow: checked.moveNow,
          scheduledFor: checked.scheduledFor,
          scheduledLocalTime: checked.scheduledLocalTime,
          scheduledTimeZone: checked.scheduledLocalTime === null ? null : destination.timeZone,
          reviewed: request.reviewed ? { ...request.reviewed } : Prisma.DbNull,
          notifyOperatorId: checked.notifyOperatorId,
          workflowId: moveWorkflowId(client.id),
          idempotencyKey: idempotencyKey ?? null,
          requestFingerprint: by.fingerprint,
          spaces: { create: request.spaceIds.map((spaceId) => ({ spaceId, role: 'TARGET' as const })) },
          // Who asked for it: the workflow's own audit entries have no operator.
          auditEntries: {
            create: {
              actorOperatorId: by.operatorId,
              action: 'MOVE_REQUESTED',
              clientId: client.id,
              details: { moveAt: request.moveAt, destinationSiteId: request.destinationSiteId },
            },
          },
        },
        select: { id: true },
      });
      // The product page: the client shows "Active - move scheduled" as soon as the move is, and the
      // destination sees it coming. Only from ACTIVE: anything else changed since the check.
      const marked = await tx.client.updateMany({
        where: { id: client.id, status: 'ACTIVE' },
        data: { status: 'ACTIVE_MOVE_SCHEDULED' },
      });
      if (marked.count === 0) {
        throw new MoveRequestError(
          Code.ClientNotActive,
          `${client.name} is no longer ACTIVE; only an ACTIVE client can move`,
        );
      }
      await recordReviewedItems(tx, row.id, client.id);
      const scheduledFor = checked.scheduledFor.toISOString();
      await openMoveTask(tx, {
        moveId: row.id,
        clientId: client.id,
        clientName: client.name,
        destinationSiteId: destination.id,
        destinationSiteName: destination.name,
        progress: scheduledProgress(row.id, scheduledFor, checked.notifyOperatorId !== null, by.now.toISOString()),
      });
      return { moveId: row.id, checked };
    }, RECORD_TX_OPTIONS);
  } catch (error) {
    const index = violatedUniqueIndex(error);
    if (index !== null && idempotencyKey !== undefined) {
      // A concurrent request with the same key may have won, whichever index PostgreSQL names.
      const earlier = await findByIdempotencyKey(db, by.operatorId, idempotencyKey);
      if (earlier) return replay(earlier, by.fingerprint);
    }
    if (index === ACTIVE_MOVE_INDEX) {
      // Another start for this client won the race between our check and our insert.
      const client = await db.client.findUnique({ where: { id: request.clientId }, select: { name: true } });
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
async function lockDestination(tx: Prisma.TransactionClient, request: StartMoveRequest): Promise<void> {
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
async function recordReviewedItems(tx: Prisma.TransactionClient, moveId: string, clientId: string): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO reviewed_item (move_id, kind, item_id, label)
    SELECT ${moveId}::uuid, 'USER'::"MoveItemKind", id, name FROM client_user WHERE client_id = ${clientId}::uuid
    UNION ALL
    SELECT ${moveId}::uuid, 'PHONE_NUMBER'::"MoveItemKind", id, number FROM phone_number WHERE client_id = ${clientId}::uuid
    UNION ALL
    SELECT ${moveId}::uuid, 'SERVICE'::"MoveItemKind", id, name FROM service
    WHERE client_id = ${clientId}::uuid AND status = 'ACTIVE'`;
}

/** The name of the unique index a Prisma write ran into, if that is why it failed. */
function violatedUniqueIndex(error: unknown): string | null {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return null;
  // Through the pg driver adapter the index name is only in the driver's message.
  const message = JSON.stringify(error.meta ?? {});
  const match = /unique constraint \\"([^\\"]+)\\"/.exec(message);
  return match?.[1] ?? null;
}
