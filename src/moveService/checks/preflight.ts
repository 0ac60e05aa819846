// What would stop a scheduled move before anything moves, checked again as it nears its time: the
// client made inactive or no longer at the source, a chosen space let to another client (or promised
// to another move), a client of the same name now at the destination. The workflow holds the move in
// NEEDS_ATTENTION on any of these, before its first step.
import type { Db } from '../../db/client';
import { ACTIVE_PHASES, type MoveCheck } from '../../domain/move';

export async function preflightProblems(db: Db, moveId: string): Promise<MoveCheck[]> {
  const move = await db.clientSiteMove.findUnique({
    where: { id: moveId },
    select: {
      client: { select: { id: true, name: true, status: true, siteId: true } },
      sourceSite: { select: { id: true, name: true } },
      destinationSite: { select: { id: true, name: true } },
      spaces: {
        where: { role: 'TARGET' },
        select: { space: { select: { id: true, name: true, clientId: true } } },
        orderBy: { spaceId: 'asc' },
      },
    },
  });
  if (!move) return [];
  const { client, sourceSite, destinationSite } = move;
  const problems: MoveCheck[] = [];
  const clientItem = { kind: 'CLIENT' as const, id: client.id, label: client.name };
  if (client.status === 'INACTIVE') {
    problems.push({
      type: 'client-not-active',
      message: `${client.name} has been made inactive; an inactive client cannot move`,
      field: 'clientId',
      item: clientItem,
    });
  }
  if (client.siteId !== sourceSite.id && client.siteId !== destinationSite.id) {
    problems.push({
      type: 'client-not-at-source',
      message: `${client.name} is no longer at ${sourceSite.name}, the site this move was scheduled from`,
      field: 'clientId',
      item: clientItem,
    });
  }
  const promised = await db.clientSiteMoveSpace.findMany({
    where: {
      role: 'TARGET',
      spaceId: { in: move.spaces.map((s) => s.space.id) },
      moveId: { not: moveId },
      move: { status: { in: [...ACTIVE_PHASES] } },
    },
    select: { spaceId: true },
  });
  const promisedIds = new Set(promised.map((p) => p.spaceId));
  move.spaces.forEach(({ space }, i) => {
    const taken = space.clientId !== null && space.clientId !== client.id;
    if (!taken && !promisedIds.has(space.id)) return;
    problems.push({
      type: 'space-occupied',
      message: taken
        ? `${space.name} at ${destinationSite.name} has been let to another client`
        : `${space.name} at ${destinationSite.name} is promised to another client's move`,
      field: `spaceIds.${i}`,
      item: { kind: 'SPACE', id: space.id, label: space.name },
    });
  });
  const namesake = await db.client.findFirst({
    where: { siteId: destinationSite.id, name: client.name, id: { not: client.id } },
    select: { id: true, name: true },
  });
  if (namesake) {
    problems.push({
      type: 'client-name-taken',
      message: `${destinationSite.name} now has another client named ${client.name}; client names are unique per site`,
      field: 'destinationSiteId',
      item: { kind: 'CLIENT', id: namesake.id, label: namesake.name },
    });
  }
  return problems;
}
