// Records a start: the move row (SCHEDULED), its chosen spaces and who asked, the client shown as
// "Active - move scheduled" and the destination's dashboard task, all in one transaction. It first
// claims the Idempotency-Key (a repeated key gets its move back), then checks the request, then takes
// the destination. The database decides races here: the key's claim between requests with one key,
// the partial unique index on active moves between two starts for one client, the destination's
// lock between starts for different clients promising one space or one name.
import { Prisma, type Db } from '../db/client';
import { openMoveTask } from '../db/moveTask';
import { ACTIVE_PHASES, moveWorkflowId, scheduledProgress } from '../domain/move';
import { activeMoveExists, checkStartRequest, type CheckedRequest, type StartMoveRequest } from './checkStartRequest';
import { findActiveMove } from './activeMove';
import { MoveRequestError, MoveRequestErrorCode as Code, type FieldError } from './errors';
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
      const checked = await checkStartRequest(tx, request, by.now);
      const { client, destination } = checked;
      await claimDestination(tx, request, checked);
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
 * Inside the move's insert: takes the destination, then checks that what the move promises there is
 * still free. Starts to one site queue on its row, so two of them cannot both promise one space or
 * one client name; the chosen spaces are locked as well, so nothing assigns or releases them meanwhile.
 */
async function claimDestination(
  tx: Prisma.TransactionClient,
  request: StartMoveRequest,
  { client, destination }: CheckedRequest,
): Promise<void> {
  // NO KEY UPDATE: rows that merely reference the site (foreign keys) are not held up.
  await tx.$queryRaw`SELECT id FROM site WHERE id = ${destination.id}::uuid FOR NO KEY UPDATE`;
  if (request.spaceIds.length > 0) {
    await tx.$queryRaw`SELECT id FROM space WHERE id = ANY(${request.spaceIds}::uuid[]) ORDER BY id FOR UPDATE`;
  }

  // Client names are unique per site: one already there, or on its way, would stop this move half-way.
  const namesake = await tx.client.findFirst({
    where: {
      name: client.name,
      id: { not: client.id },
      OR: [
        { siteId: destination.id },
        { moves: { some: { destinationSiteId: destination.id, status: { in: [...ACTIVE_PHASES] } } } },
      ],
    },
    select: { siteId: true },
  });
  if (namesake) {
    const clash =
      namesake.siteId === destination.id
        ? `already has a client named ${client.name}`
        : `is the destination of another move of a client named ${client.name}`;
    throw new MoveRequestError(
      Code.ClientNameTaken,
      `${destination.name} ${clash}; client names are unique per site, rename one of them first`,
      [{ field: 'destinationSiteId', message: clash }],
    );
  }

  const spaces = await tx.space.findMany({
    where: { id: { in: request.spaceIds } },
    select: {
      id: true,
      name: true,
      clientId: true,
      // A space already promised to another unfinished move is as good as taken.
      moveSpaces: { where: { role: 'TARGET', move: { status: { in: [...ACTIVE_PHASES] } } }, select: { moveId: true } },
    },
  });
  const byId = new Map(spaces.map((s) => [s.id, s]));
  const taken: FieldError[] = [];
  request.spaceIds.forEach((id, i) => {
    const space = byId.get(id);
    if (!space) return;
    if (space.clientId === client.id) {
      // Already the client's own: rolling the move back would release a space it held before.
      taken.push({ field: `spaceIds.${i}`, message: `${space.name} is occupied by ${client.name} already` });
    } else if (space.clientId !== null) {
      taken.push({ field: `spaceIds.${i}`, message: `${space.name} is occupied` });
    } else if (space.moveSpaces.length > 0) {
      taken.push({ field: `spaceIds.${i}`, message: `${space.name} is promised to another scheduled move` });
    }
  });
  if (taken.length > 0) {
    throw new MoveRequestError(Code.SpaceOccupied, 'A chosen space is not vacant', taken);
  }
}

/** The name of the unique index a Prisma write ran into, if that is why it failed. */
function violatedUniqueIndex(error: unknown): string | null {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return null;
  // Through the pg driver adapter the index name is only in the driver's message.
  const message = JSON.stringify(error.meta ?? {});
  const match = /unique constraint \\"([^\\"]+)\\"/.exec(message);
  return match?.[1] ?? null;
}
