// The move in names, read from its row, for the workflow's summary and details in Temporal Web
// (src/domain/moveSummary.ts formats them). Metadata only: a move starts without it if the read fails.
// One plain statement (a scalar subquery per name): Prisma sent one per relation and compiled each.
import { Prisma, type Db } from '../db/client';
import { plainRows } from '../db/plainSql';
import type { MoveDescription } from '../domain/moveSummary';

type MoveNames = Omit<MoveDescription, 'moveId' | 'scheduledFor' | 'movePageUrl'> & { scheduledFor: Date };

export async function describeMove(
  db: Db,
  moveId: string,
  movePageUrl?: (moveId: string) => string,
): Promise<MoveDescription | null> {
  const [move] = await plainRows<MoveNames>(
    db,
    Prisma.sql`
      SELECT m.scheduled_for AS "scheduledFor", m.move_now AS "moveNow",
        (SELECT name FROM client WHERE id = m.client_id) AS "clientName",
        (SELECT name FROM site WHERE id = m.source_site_id) AS "sourceSiteName",
        d.name AS "destinationSiteName", d.time_zone AS "timeZone",
        (SELECT name FROM tariff WHERE id = m.tariff_id) AS "tariffName",
        (SELECT name FROM minute_bundle WHERE id = m.minute_bundle_id) AS "minuteBundleName",
        ARRAY(
          SELECT s.name FROM client_site_move_space ms JOIN space s ON s.id = ms.space_id
          WHERE ms.move_id = m.id AND ms.role = 'TARGET' ORDER BY s.name
        ) AS "spaceNames",
        (SELECT name FROM operator WHERE id = m.notify_operator_id) AS "notifyName",
        (SELECT name FROM operator WHERE id = m.requested_by_id) AS "requestedByName"
      FROM client_site_move m JOIN site d ON d.id = m.destination_site_id
      WHERE m.id = ${moveId}::uuid`,
    'describe_move',
  );
  if (!move) return null;
  return { ...move, moveId, scheduledFor: move.scheduledFor.toISOString(), movePageUrl: movePageUrl?.(moveId) ?? null };
}
