// Moves the rows behind a batch of move items (users or phone numbers) to the item's destination
// site, or back to its source site: a CTE of the batch's statement (shared/batch.ts).
import { Prisma } from '../../db/client';

/** Tables whose rows carry a site_id that a move changes. Fixed names, never user input. */
export type RelocatedTable = 'client_user' | 'phone_number';

/**
 * The CTE `relocated`: the ids (move_item.id) of the items whose row was found and is now at the
 * chosen site. The items are those of `from`, a CTE with the batch's columns (`batch` itself, or one
 * derived from it), narrowed by `where` (on `i`, that CTE's row).
 */
export function relocate(
  table: RelocatedTable,
  to: 'destination' | 'source',
  { from = 'batch', where = Prisma.empty }: { from?: string; where?: Prisma.Sql } = {},
): Prisma.Sql {
  const site = to === 'destination' ? Prisma.raw('i.to_site_id') : Prisma.raw('i.from_site_id');
  return Prisma.sql`relocated AS (
    UPDATE ${Prisma.raw(table)} AS t SET site_id = ${site}
    FROM ${Prisma.raw(from)} i
    WHERE t.id = i.item_id ${where}
    RETURNING i.id)`;
}
