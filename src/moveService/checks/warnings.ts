// What would stop or surprise a move later, though it can start: numbers the carrier has blocked
// (the move stops at them), chosen spaces too small for the client's users, a client of nearly the
// same name at the destination, services of a type the destination does not offer. The API's check
// shows these before Finish; the workflow's preflight shows them again before the move runs.
import type { Db } from '../../db/client';
import type { MoveCheck } from '../../domain/move';

export interface WarningsTarget {
  clientId: string;
  destinationSiteId: string;
  spaceIds: string[];
}

export async function moveWarnings(db: Db, target: WarningsTarget): Promise<MoveCheck[]> {
  const { clientId, destinationSiteId, spaceIds } = target;
  const [client, destination, blocked, users, spaces, offered, services] = await Promise.all([
    db.client.findUnique({ where: { id: clientId }, select: { name: true } }),
    db.site.findUnique({ where: { id: destinationSiteId }, select: { name: true } }),
    db.phoneNumber.findMany({
      where: { clientId, status: 'BLOCKED' },
      select: { id: true, number: true },
      orderBy: { number: 'asc' },
    }),
    db.clientUser.count({ where: { clientId } }),
    db.space.findMany({ where: { id: { in: spaceIds } }, select: { id: true, name: true, capacity: true } }),
    db.siteServiceType.findMany({ where: { siteId: destinationSiteId }, select: { type: true } }),
    db.service.groupBy({ by: ['type'], where: { clientId, status: 'ACTIVE' }, _count: { _all: true } }),
  ]);
  if (!client || !destination) return [];
  const warnings: MoveCheck[] = blocked.map((number) => ({
    type: 'phone-number-blocked',
    message: `${number.number} is blocked by the carrier: the move will stop at it until it is unblocked`,
    field: null,
    item: { kind: 'PHONE_NUMBER', id: number.id, label: number.number },
  }));

  const capacity = spaces.reduce((sum, s) => sum + s.capacity, 0);
  if (spaces.length > 0 && capacity < users) {
    warnings.push({
      type: 'space-capacity-below-users',
      message: `The chosen spaces (${spaces.map((s) => s.name).join(', ')}) hold ${capacity}; ${client.name} has ${users} users`,
      field: 'spaceIds',
      item: null,
    });
  }

  // Names are unique per site exactly; one that differs only in case or spacing is allowed, but
  // people will mix them up.
  const similar = await db.$queryRaw<{ id: string; name: string }[]>`
    SELECT id, name FROM client
    WHERE site_id = ${destinationSiteId}::uuid AND id <> ${clientId}::uuid AND name <> ${client.name}
      AND lower(regexp_replace(name, '\\s+', ' ', 'g')) = lower(regexp_replace(${client.name}, '\\s+', ' ', 'g'))`;
  for (const other of similar) {
    warnings.push({
      type: 'similar-client-name-at-destination',
      message: `${destination.name} already has a client named "${other.name}", nearly the same as "${client.name}"`,
      field: 'destinationSiteId',
      item: { kind: 'CLIENT', id: other.id, label: other.name },
    });
  }

  const offeredTypes = new Set(offered.map((o) => o.type));
  for (const group of services.filter((g) => !offeredTypes.has(g.type))) {
    const what = group.type.replace('_', ' ').toLowerCase();
    warnings.push({
      type: 'service-type-not-offered',
      message: `${destination.name} does not offer ${what}; the client's ${group._count._all} ${what} service(s) move all the same`,
      field: 'destinationSiteId',
      item: { kind: 'SERVICE_TYPE', id: group.type, label: what },
    });
  }
  return warnings;
}
