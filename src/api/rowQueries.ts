// The rows the most polled reads need, each in one SQL statement: a move (MoveRow, the move with
// `moveInclude`'s relations) and a page of a site's dashboard tasks (TaskRow). Prisma sends one
// statement per relation and compiles each: `findUnique` with `moveInclude` was eleven statements and
// about 5 ms of CPU per request (docs/performance.md); these are one statement each, sent by the pg
// driver itself (src/db/plainSql.ts).
// test/api/rowQueries.test.ts checks they return exactly what Prisma's includes return.
import { Prisma, type Db } from '../db/client';
import { plainRows } from '../db/plainSql';
import type { MoveRow, TaskRow, siteRefSelect } from './views';

/**
 * The row of `table` whose `on` column equals `outer.foreignKey`, as a JSON object of these keys
 * (key: an expression over the row, `r`), or null when there is none. A scalar subquery per relation,
 * not a join: PostgreSQL plans it without weighing join orders (as nine joined tables, the move read
 * cost PostgreSQL three times the CPU per request).
 */
const related = (table: string, outer: string, keys: Record<string, string>, on = 'id') =>
  `(SELECT json_build_object(${Object.entries(keys)
    .map(([key, expression]) => `'${key}', ${expression}`)
    .join(', ')}) FROM ${table} r WHERE r.${on} = ${outer})`;

/** A site as the API shows it (siteRefSelect), by the column that holds its id. */
const siteRef = (outer: string) =>
  `(SELECT json_build_object('id', s.id, 'code', s.code, 'name', s.name, 'timeZone', s.time_zone) FROM site s WHERE s.id = ${outer})`;

const ID_NAME = { id: 'r.id', name: 'r.name' };

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
  ${related('client', 'm.client_id', ID_NAME)} AS client,
  ${siteRef('m.source_site_id')} AS "sourceSite",
  ${siteRef('m.destination_site_id')} AS "destinationSite",
  ${related('tariff', 'm.tariff_id', ID_NAME)} AS tariff,
  ${related('minute_bundle', 'm.minute_bundle_id', ID_NAME)} AS "minuteBundle",
  COALESCE((
    SELECT json_agg(json_build_object('space', json_build_object('id', s.id, 'name', s.name)) ORDER BY s.id)
    FROM client_site_move_space ms JOIN space s ON s.id = ms.space_id
    WHERE ms.move_id = m.id AND ms.role = 'TARGET'
  ), '[]'::json) AS spaces,
  ${related('operator', 'm.notify_operator_id', { ...ID_NAME, email: 'r.email' })} AS "notifyOperator",
  ${related('operator', 'm.requested_by_id', ID_NAME)} AS "requestedBy",
  ${related('dashboard_task', 'm.id', { progress: 'r.progress' }, 'move_id')} AS task
FROM client_site_move m`);

/** The move as `findUnique({ where: { id }, include: moveInclude })` returns it, or null. */
export async function selectMoveRow(db: Db, id: string): Promise<MoveRow | null> {
  const [row] = await plainRows<MoveRow>(
    db,
    Prisma.sql`${SELECT_MOVE_ROW} WHERE m.id = ${id}::uuid`,
    'select_move_row',
  );
  return row ?? null;
}

const SELECT_TASK_ROWS = Prisma.raw(`
SELECT t.id, t.site_id AS "siteId", t.client_id AS "clientId", t.move_id AS "moveId", t.title,
  t.phase::text AS phase, t.open, t.progress, t.created_at AS "createdAt", t.updated_at AS "updatedAt",
  t.closed_at AS "closedAt",
  ${related('client', 't.client_id', ID_NAME)} AS client,
  ${related('client_site_move', 't.move_id', {
    workflowId: 'r.workflow_id',
    runId: 'r.run_id',
    sourceSite: siteRef('r.source_site_id'),
    destinationSite: siteRef('r.destination_site_id'),
  })} AS move
FROM dashboard_task t`);

type SiteRow = Prisma.SiteGetPayload<{ select: typeof siteRefSelect }>;

export interface TaskPage {
  site: SiteRow;
  /** Tasks that match, on every page. */
  total: number;
  rows: TaskRow[];
}

/**
 * The site and a page of its tasks, open ones first, then the most recently updated (as
 * `findMany` with `taskInclude` returns them); null when the site does not exist.
 */
export async function selectTaskPage(
  db: Db,
  siteId: string,
  page: { open?: boolean; offset: number; limit: number },
): Promise<TaskPage | null> {
  const open = page.open ?? null;
  const [[site], rows] = await Promise.all([
    plainRows<SiteRow & { total: number }>(
      db,
      Prisma.sql`
      SELECT s.id, s.code, s.name, s.time_zone AS "timeZone",
        (SELECT count(*)::int FROM dashboard_task t
         WHERE t.site_id = s.id AND (${open}::boolean IS NULL OR t.open = ${open}::boolean)) AS total
      FROM site s WHERE s.id = ${siteId}::uuid`,
      'select_task_page_site',
    ),
    plainRows<TaskRow>(
      db,
      Prisma.sql`${SELECT_TASK_ROWS}
      WHERE t.site_id = ${siteId}::uuid AND (${open}::boolean IS NULL OR t.open = ${open}::boolean)
      ORDER BY t.open DESC, t.updated_at DESC, t.id ASC
      OFFSET ${page.offset} LIMIT ${page.limit}`,
      'select_task_page_rows',
    ),
  ]);
  if (!site) return null;
  const { total, ...ref } = site;
  return { site: ref, total, rows };
}
