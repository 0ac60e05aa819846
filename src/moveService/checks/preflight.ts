// What would stop a scheduled move before anything moves, checked again as it nears its time: the
// client made inactive or no longer at the source, a chosen space let to another client (or promised
// to another move), a client of the same name now at the destination. The workflow holds the move in
// NEEDS_ATTENTION on any of these, before its first step. One plain SQL statement: the ORM compiles
// each of its calls on the event loop, which cost more CPU than the reads (docs/performance.md).
import type { Db } from '../../db/client';
import { ACTIVE_PHASES, type MoveCheck } from '../../domain/move';
import type { WarningsTarget } from './warnings';
import { plainSql } from '../../db/plainSql';

interface PreflightRow {
  clientId: string;
  clientName: string;
  clientStatus: string;
  clientSiteId: string;
  sourceSiteId: string;
  sourceSiteName: string;
  destinationSiteId: string;
  destinationSiteName: string;
  /** The move's TARGET spaces by id, each with whether another active move promised it too. */
  spaces: { id: string; name: string; clientId: string | null; promised: boolean }[];
  /** Another client of exactly the client's name at the destination. */
  namesake: { id: string; name: string } | null;
}

export interface Preflight {
  problems: MoveCheck[];
  /** What the move's warnings are checked against (checks/warnings.ts). */
  target: WarningsTarget;
}

/** The move's problems, and its client, destination and spaces for its warnings; null: no such move. */
export async function preflightOf(db: Db, moveId: string): Promise<Preflight | null> {
  const [move] = await plainSql(db).$queryRaw<PreflightRow[]>`
    SELECT c.id AS "clientId", c.name AS "clientName", c.status::text AS "clientStatus", c.site_id AS "clientSiteId",
           src.id AS "sourceSiteId", src.name AS "sourceSiteName",
           dst.id AS "destinationSiteId", dst.name AS "destinationSiteName",
           COALESCE((
             SELECT json_agg(json_build_object('id', s.id, 'name', s.name, 'clientId', s.client_id, 'promised', EXISTS (
                      SELECT 1 FROM client_site_move_space other JOIN client_site_move om ON om.id = other.move_id
                      WHERE other.space_id = s.id AND other.role = 'TARGET' AND other.move_id <> m.id
                        AND om.status = ANY(${[...ACTIVE_PHASES]}::"MovePhase"[])
                    )) ORDER BY s.id)
             FROM client_site_move_space ms JOIN space s ON s.id = ms.space_id
             WHERE ms.move_id = m.id AND ms.role = 'TARGET'
           ), '[]'::json) AS spaces,
           (SELECT json_build_object('id', n.id, 'name', n.name) FROM client n
            WHERE n.site_id = dst.id AND n.name = c.name AND n.id <> c.id LIMIT 1) AS namesake
    FROM client_site_move m
    JOIN client c ON c.id = m.client_id
    JOIN site src ON src.id = m.source_site_id
    JOIN site dst ON dst.id = m.destination_site_id
    WHERE m.id = ${moveId}::uuid`;
  if (!move) return null;
  const problems: MoveCheck[] = [];
  const clientItem = { kind: 'CLIENT' as const, id: move.clientId, label: move.clientName };
  if (move.clientStatus === 'INACTIVE') {
    problems.push({
      type: 'client-not-active',
      message: `${move.clientName} has been made inactive; an inactive client cannot move`,
      field: 'clientId',
      item: clientItem,
    });
  }
  if (move.clientSiteId !== move.sourceSiteId && move.clientSiteId !== move.destinationSiteId) {
    problems.push({
      type: 'client-not-at-source',
      message: `${move.clientName} is no longer at ${move.sourceSiteName}, the site this move was scheduled from`,
      field: 'clientId',
      item: clientItem,
    });
  }
  move.spaces.forEach((space, i) => {
    const taken = space.clientId !== null && space.clientId !== move.clientId;
    if (!taken && !space.promised) return;
    problems.push({
      type: 'space-occupied',
      message: taken
        ? `${space.name} at ${move.destinationSiteName} has been let to another client`
        : `${space.name} at ${move.destinationSiteName} is promised to another client's move`,
      field: `spaceIds.${i}`,
      item: { kind: 'SPACE', id: space.id, label: space.name },
    });
  });
  if (move.namesake) {
    problems.push({
      type: 'client-name-taken',
      message: `${move.destinationSiteName} now has another client named ${move.clientName}; client names are unique per site`,
      field: 'destinationSiteId',
      item: { kind: 'CLIENT', id: move.namesake.id, label: move.namesake.name },
    });
  }
  return {
    problems,
    target: {
      clientId: move.clientId,
      destinationSiteId: move.destinationSiteId,
      spaceIds: move.spaces.map((s) => s.id),
    },
  };
}
