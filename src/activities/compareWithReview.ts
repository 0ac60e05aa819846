// What changed between the operator's review (Finish recorded the client's items then) and the
// move's own snapshot: the move still takes everything, as the product page says, and the progress,
// the task and the outcome email show the difference. Reads only; null when nothing was recorded.
import type { ItemKind, ReviewChanges } from '../domain/move';
import type { MoveRef } from './contract';
import type { ActivityDeps } from './shared/deps';
import { plainSql } from '../db/plainSql';

/** How many added or removed items are named; the counts cover them all. */
const NAMED = 20;

interface ChangeRow {
  change: 'added' | 'removed';
  kind: ItemKind;
  id: string;
  label: string;
  total: number;
}

export async function compareWithReview(deps: ActivityDeps, { moveId }: MoveRef): Promise<ReviewChanges | null> {
  // Plain SQL, as the comparison itself: Prisma compiles every ORM call on the event loop.
  const [reviewed] = await plainSql(deps.db).$queryRaw<{ any: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM reviewed_item WHERE move_id = ${moveId}::uuid) AS any`;
  if (!reviewed?.any) return null;
  const rows = await plainSql(deps.db).$queryRaw<ChangeRow[]>`
    WITH changes AS (
      SELECT 'added' AS change, mi.kind::text AS kind, mi.item_id AS id, mi.label
      FROM move_item mi
      WHERE mi.move_id = ${moveId}::uuid AND NOT EXISTS (
        SELECT 1 FROM reviewed_item r WHERE r.move_id = mi.move_id AND r.kind = mi.kind AND r.item_id = mi.item_id)
      UNION ALL
      SELECT 'removed', r.kind::text, r.item_id, r.label
      FROM reviewed_item r
      WHERE r.move_id = ${moveId}::uuid AND NOT EXISTS (
        SELECT 1 FROM move_item mi WHERE mi.move_id = r.move_id AND mi.kind = r.kind AND mi.item_id = r.item_id))
    SELECT change, kind, id::text AS id, label, (count(*) OVER (PARTITION BY change, kind))::int AS total
    FROM changes ORDER BY change, kind, label, id`;
  const counts = () => ({ users: 0, phoneNumbers: 0, services: 0 });
  const result: ReviewChanges = { added: counts(), removed: counts(), items: [] };
  const key = { USER: 'users', PHONE_NUMBER: 'phoneNumbers', SERVICE: 'services' } as const;
  for (const row of rows) result[row.change][key[row.kind]] = row.total;
  result.items = rows.slice(0, NAMED).map(({ change, kind, id, label }) => ({ change, kind, id, label }));
  return result;
}
