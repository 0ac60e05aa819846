// What would stop or surprise a move later, though it can start: numbers the carrier has blocked
// (the move stops at them), chosen spaces too small for the client's users, a client of nearly the
// same name at the destination, services of a type the destination does not offer. The API's check
// shows these before Finish; the workflow's preflight shows them again before the move runs. All of
// it is read in one plain SQL statement (no ORM calls: each is compiled on the event loop).
import type { Db } from '../../db/client';
import type { MoveCheck } from '../../domain/move';
import { plainSql } from '../../db/plainSql';

export interface WarningsTarget {
  clientId: string;
  destinationSiteId: string;
  spaceIds: string[];
}

interface WarningsRow {
  clientName: string;
  destinationName: string;
  users: number;
  /** By number. */
  blocked: { id: string; number: string }[];
  /** The chosen spaces that exist, in the order chosen. */
  spaces: { name: string; capacity: number }[];
  /** Other clients at the destination whose name differs from the client's only in case or spacing. */
  similar: { id: string; name: string }[];
  /** The client's active services of a type the destination does not offer: how many of each type. */
  notOffered: { type: string; count: number }[];
}

export async function moveWarnings(db: Db, target: WarningsTarget): Promise<MoveCheck[]> {
  const { clientId, destinationSiteId, spaceIds } = target;
  // Names are unique per site exactly; one that differs only in case or spacing is allowed, but
  // people will mix them up.
  const [row] = await plainSql(db).$queryRaw<WarningsRow[]>`
    SELECT c.name AS "clientName", d.name AS "destinationName",
           (SELECT count(*)::int FROM client_user u WHERE u.client_id = c.id) AS users,
           COALESCE((
             SELECT json_agg(json_build_object('id', p.id, 'number', p.number) ORDER BY p.number)
             FROM phone_number p WHERE p.client_id = c.id AND p.status = 'BLOCKED'
           ), '[]'::json) AS blocked,
           COALESCE((
             SELECT json_agg(json_build_object('name', s.name, 'capacity', s.capacity)
                             ORDER BY array_position(${spaceIds}::uuid[], s.id))
             FROM space s WHERE s.id = ANY(${spaceIds}::uuid[])
           ), '[]'::json) AS spaces,
           COALESCE((
             SELECT json_agg(json_build_object('id', o.id, 'name', o.name) ORDER BY o.name, o.id)
             FROM client o
             WHERE o.site_id = d.id AND o.id <> c.id AND o.name <> c.name
               AND lower(regexp_replace(o.name, '\\s+', ' ', 'g')) = lower(regexp_replace(c.name, '\\s+', ' ', 'g'))
           ), '[]'::json) AS similar,
           COALESCE((
             SELECT json_agg(json_build_object('type', v.type, 'count', v.count) ORDER BY v.type)
             FROM (
               SELECT v.type, count(*)::int AS count FROM service v
               WHERE v.client_id = c.id AND v.status = 'ACTIVE'
                 AND NOT EXISTS (SELECT 1 FROM site_service_type t WHERE t.site_id = d.id AND t.type = v.type)
               GROUP BY v.type
             ) v
           ), '[]'::json) AS "notOffered"
    FROM client c, site d
    WHERE c.id = ${clientId}::uuid AND d.id = ${destinationSiteId}::uuid`;
  if (!row) return [];
  const { clientName, destinationName, users, spaces } = row;
  const warnings: MoveCheck[] = row.blocked.map((number) => ({
    type: 'phone-number-blocked',
    message: `${number.number} is blocked by the carrier: the move will stop at it until it is unblocked`,
    field: null,
    item: { kind: 'PHONE_NUMBER', id: number.id, label: number.number },
  }));

  const capacity = spaces.reduce((sum, s) => sum + s.capacity, 0);
  if (spaces.length > 0 && capacity < users) {
    warnings.push({
      type: 'space-capacity-below-users',
      message: `The chosen spaces (${spaces.map((s) => s.name).join(', ')}) hold ${capacity}; ${clientName} has ${users} users`,
      field: 'spaceIds',
      item: null,
    });
  }

  for (const other of row.similar) {
    warnings.push({
      type: 'similar-client-name-at-destination',
      message: `${destinationName} already has a client named "${other.name}", nearly the same as "${clientName}"`,
      field: 'destinationSiteId',
      item: { kind: 'CLIENT', id: other.id, label: other.name },
    });
  }

  for (const group of row.notOffered) {
    const what = group.type.replace('_', ' ').toLowerCase();
    warnings.push({
      type: 'service-type-not-offered',
      message: `${destinationName} does not offer ${what}; the client's ${group.count} ${what} service(s) move all the same`,
      field: 'destinationSiteId',
      item: { kind: 'SERVICE_TYPE', id: group.type, label: what },
    });
  }
  return warnings;
}
