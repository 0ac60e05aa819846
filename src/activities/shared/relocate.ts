// Moves the rows behind a batch of move items (users or phone numbers) to the item's destination
// site, or back to its source site, in one statement.
import { Prisma } from '../../db/client';
import type { MoveItemRow } from './batch';
import type { Tx } from './moveRecord';

/** Tables whose rows carry a site_id that a move changes. Fixed names, never user input. */
export type RelocatedTable = 'client_user' | 'phone_number';

/** Returns the ids of the move items whose row was found (and is now at the chosen site). */
export async function relocate(
  tx: Tx,
  table: RelocatedTable,
  items: MoveItemRow[],
  to: 'destination' | 'source',
): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  const site = to === 'destination' ? Prisma.raw('mi.to_site_id') : Prisma.raw('mi.from_site_id');
  const rows = await tx.$queryRaw<{ id: string }[]>`
    UPDATE ${Prisma.raw(table)} AS t SET site_id = ${site}
    FROM move_item mi
    WHERE mi.id = ANY(${items.map((i) => i.id)}::uuid[]) AND t.id = mi.item_id
    RETURNING mi.id`;
  return new Set(rows.map((r) => r.id));
}
