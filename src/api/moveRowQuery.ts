// The row every route about one move reads (MoveRow: the move with `moveInclude`'s relations), in one
// SQL statement. Prisma's `findUnique` with that include sends eleven statements and compiles each
// one, about 5 ms of CPU per request (docs/performance.md); this is one statement, no compiling.
// test/api/moveRowQuery.test.ts checks it returns exactly what the include returns.
import { Prisma, type Db } from '../db/client';
import type { MoveRow } from './views';

/**
 * A related row as JSON with these keys (key: column), or null when there is none. A scalar subquery
 * per relation, not a join: PostgreSQL plans it without weighing join orders, which for nine tables
 * cost more than the statement's execution.
 */
const related = (table: string, foreignKey: string, keys: Record<string, string>, on = 'id') =>
  `(SELECT json_build_object(${Object.entries(keys)
    .map(([key, column]) => `'${key}', r.${column}`)
    .join(', ')}) FROM ${table} r WHERE r.${on} = m.${foreignKey})`;

const SITE = { id: 'id', code: 'code', name: 'name', timeZone: 'time_zone' };

const SELECT_MOVE_ROW = Prisma.raw(`
SELECT m.id, m.client_id AS "clientId", m.requested_by_id AS "requestedById",
  m.source_site_id AS "sourceSiteId", m.destination_site_id AS "destinationSiteId",
  m.tariff_id AS "tariffId", m.minute_bundle_id AS "minuteBundleId",
  m.original_tariff_id AS "originalTariffId", m.original_minute_bundle_id AS "originalMinuteBundleId",
  m.move_now AS "moveNow", m.scheduled_for AS "scheduledFor", m.scheduled_local_time AS "scheduledLocalTime",
  m.scheduled_time_zone AS "scheduledTimeZone", m.reviewed, m.notify_operator_id AS "notifyOperatorId",
  m.status::text AS status, m.workflow_id AS "workflowId", m.run_id AS "runId", m.started_at AS "startedAt",
  m.finished_at AS "finishedAt", m.last_error AS "lastError", m.cancel_reason AS "cancelReason",
  m.needs_human AS "needsHuman", m.idempotency_key AS "idempotencyKey",
  m.request_fingerprint AS "requestFingerprint", m.created_at AS "createdAt", m.updated_at AS "updatedAt",
  ${related('client', 'client_id', { id: 'id', name: 'name' })} AS client,
  ${related('site', 'source_site_id', SITE)} AS "sourceSite",
  ${related('site', 'destination_site_id', SITE)} AS "destinationSite",
  ${related('tariff', 'tariff_id', { id: 'id', name: 'name' })} AS tariff,
  ${related('minute_bundle', 'minute_bundle_id', { id: 'id', name: 'name' })} AS "minuteBundle",
  COALESCE((
    SELECT json_agg(json_build_object('space', json_build_object('id', s.id, 'name', s.name)) ORDER BY s.id)
    FROM client_site_move_space ms JOIN space s ON s.id = ms.space_id
    WHERE ms.move_id = m.id AND ms.role = 'TARGET'
  ), '[]'::json) AS spaces,
  ${related('operator', 'notify_operator_id', { id: 'id', name: 'name', email: 'email' })} AS "notifyOperator",
  ${related('operator', 'requested_by_id', { id: 'id', name: 'name' })} AS "requestedBy",
  ${related('dashboard_task', 'id', { progress: 'progress' }, 'move_id')} AS task
FROM client_site_move m`);

/** The move as `findUnique({ where: { id }, include: moveInclude })` returns it, or null. */
export async function selectMoveRow(db: Db, id: string): Promise<MoveRow | null> {
  const [row] = await db.$queryRaw<MoveRow[]>`${SELECT_MOVE_ROW} WHERE m.id = ${id}::uuid`;
  return row ?? null;
}
