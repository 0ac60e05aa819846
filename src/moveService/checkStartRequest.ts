// The rules a start must pass that the data can answer before anything is written: the client,
// its active move, the destination and the choices there, the time and the contact. They run inside
// the transaction that records the move (recordMove.ts), after its Idempotency-Key is claimed; what
// the move promises at the destination (spaces, the client's name) is checked there under a lock.
import type { Db, Prisma } from '../db/client';
import { findActiveMove } from './activeMove';
import { MoveRequestError, MoveRequestErrorCode as Code, type FieldError } from './errors';

export interface StartMoveRequest {
  clientId: string;
  destinationSiteId: string;
  tariffId: string;
  /** Null or left out: the client has no minute bundle at the destination. */
  minuteBundleId?: string | null;
  spaceIds: string[];
  /** `now`, or an ISO-8601 time with offset. */
  moveAt: string;
  notifyOperatorId?: string | null;
}

export interface CheckedRequest {
  client: { id: string; name: string; siteId: string };
  destination: { id: string; name: string; timeZone: string };
  moveNow: boolean;
  scheduledFor: Date;
  notifyOperatorId: string | null;
}

/**
 * Every rule the data can answer before anything is written. What the move promises at the
 * destination (its spaces, the client's name) is checked again under a lock as the move is recorded.
 */
export async function checkStartRequest(
  db: Db | Prisma.TransactionClient,
  request: StartMoveRequest,
  now: Date,
): Promise<CheckedRequest> {
  const client = await db.client.findUnique({ where: { id: request.clientId } });
  if (!client) throw new MoveRequestError(Code.ClientNotFound, `Client ${request.clientId} does not exist`);

  const active = await findActiveMove(db, client.id);
  if (active) throw activeMoveExists(client.name, active);
  if (client.status !== 'ACTIVE') {
    throw new MoveRequestError(
      Code.ClientNotActive,
      `${client.name} is ${client.status}; only an ACTIVE client can move`,
    );
  }

  const destination = await checkChoices(db, request, client);

  const moveNow = request.moveAt === 'now';
  const scheduledFor = moveNow ? now : new Date(request.moveAt);
  if (!moveNow && scheduledFor.getTime() <= now.getTime()) {
    throw new MoveRequestError(Code.MoveTimeInPast, `${request.moveAt} is in the past`, [
      { field: 'moveAt', message: 'must be "now" or a time in the future' },
    ]);
  }
  const notifyOperatorId = request.notifyOperatorId ?? null;
  if (notifyOperatorId !== null && !(await db.operator.findUnique({ where: { id: notifyOperatorId } }))) {
    throw new MoveRequestError(Code.NotifyOperatorUnknown, `Operator ${notifyOperatorId} does not exist`, [
      { field: 'notifyOperatorId', message: 'is not a known T2 contact' },
    ]);
  }
  return { client, destination, moveNow, scheduledFor, notifyOperatorId };
}

/** Checks that the destination exists and that everything chosen belongs to it (vacancy comes later). */
async function checkChoices(
  db: Db | Prisma.TransactionClient,
  request: StartMoveRequest,
  client: { id: string; name: string; siteId: string },
): Promise<{ id: string; name: string; timeZone: string }> {
  if (request.destinationSiteId === client.siteId) {
    throw new MoveRequestError(Code.DestinationIsCurrentSite, `${client.name} is already at that site`, [
      { field: 'destinationSiteId', message: "must differ from the client's current site" },
    ]);
  }
  const destination = await db.site.findUnique({ where: { id: request.destinationSiteId } });
  if (!destination) {
    throw new MoveRequestError(Code.DestinationUnknown, `Site ${request.destinationSiteId} does not exist`, [
      { field: 'destinationSiteId', message: 'is not a known site' },
    ]);
  }
  // One after the other: inside a transaction they share one connection anyway.
  const tariff = await db.tariff.findUnique({ where: { id: request.tariffId } });
  const bundle = request.minuteBundleId
    ? await db.minuteBundle.findUnique({ where: { id: request.minuteBundleId } })
    : null;
  const spaces = await db.space.findMany({
    where: { id: { in: request.spaceIds } },
    select: { id: true, siteId: true },
  });
  const elsewhere: FieldError[] = [];
  const atDestination = `is not available at ${destination.name}`;
  if (tariff?.siteId !== destination.id) elsewhere.push({ field: 'tariffId', message: atDestination });
  if (request.minuteBundleId && bundle?.siteId !== destination.id) {
    elsewhere.push({ field: 'minuteBundleId', message: atDestination });
  }
  const byId = new Map(spaces.map((s) => [s.id, s]));
  request.spaceIds.forEach((id, i) => {
    if (byId.get(id)?.siteId !== destination.id) elsewhere.push({ field: `spaceIds.${i}`, message: atDestination });
  });
  if (elsewhere.length > 0) {
    throw new MoveRequestError(
      Code.ChoiceNotAtDestination,
      `Every tariff, minute bundle and space must belong to ${destination.name}`,
      elsewhere,
    );
  }
  return { id: destination.id, name: destination.name, timeZone: destination.timeZone };
}

export function activeMoveExists(clientName: string, active: { id: string; status: string } | null): MoveRequestError {
  return new MoveRequestError(
    Code.ActiveMoveExists,
    active
      ? `${clientName} already has a move in progress (${active.status}); finish or cancel it first`
      : `${clientName} already has a move in progress`,
    [],
    { activeMoveId: active?.id ?? null },
  );
}
