// Reads the client as it is when the move starts: one move item per user, phone number and active
// service at the source site, and, once, what a rollback must give back (tariff, bundle, spaces).
// Bulk INSERT ... SELECT with ON CONFLICT DO NOTHING: a re-run adds only what is new, and reports
// from the items themselves, so a re-run after a crash tells the truth about what already moved.
// Plain SQL throughout: Prisma compiles every ORM call on the event loop (docs/performance.md).
import { emptyItemProgress, PROGRESS_KEY, type ItemKind, type ItemProgress } from '../domain/move';
import type { MoveItemStatus } from '../generated/prisma/client';
import { MoveFailureType } from '../domain/errors';
import type { StepRef } from './contract';
import type { ActivityDeps } from './shared/deps';
import { moveFailure } from './shared/failures';
import { heartbeat } from './shared/activityContext';
import { TX_OPTIONS, loadMove, type MoveRecord, type Tx } from './shared/moveRecord';
import { plainTransaction } from '../db/plainSql';
import { writeProgress } from './recordProgress';
import { Prisma } from '../db/client';

export async function snapshotMoveItems(deps: ActivityDeps, { moveId, mirror }: StepRef): Promise<ItemProgress> {
  const now = deps.now();
  return plainTransaction(deps.db, TX_OPTIONS, async (tx) => {
    const move = await loadMove(tx, moveId);
    if (mirror) await writeProgress(tx, move, mirror, now);
    if (move.originalTariffId === null) await recordOriginals(tx, move, now);
    heartbeat({ step: 'SNAPSHOT', stage: 'items' });
    await insertItems(tx, move, now);
    heartbeat({ step: 'SNAPSHOT', stage: 'counting' });
    return countItems(tx, moveId);
  });
}

/** The first snapshot fixes what a rollback restores; later ones must not overwrite it. */
async function recordOriginals(tx: Tx, move: MoveRecord, now: Date): Promise<void> {
  if (move.clientSiteId !== move.sourceSiteId) {
    throw moveFailure(
      MoveFailureType.MoveDataMissing,
      `${move.clientName} is no longer at ${move.sourceSiteName}, the site this move was scheduled from`,
    );
  }
  await tx.$executeRaw`
    WITH originals AS (
      UPDATE client_site_move SET original_tariff_id = ${move.clientTariffId}::uuid,
        original_minute_bundle_id = ${move.clientMinuteBundleId}::uuid, updated_at = ${now}
      WHERE id = ${move.id}::uuid
    )
    INSERT INTO client_site_move_space (move_id, space_id, role)
    SELECT ${move.id}::uuid, s.id, 'ORIGINAL'::"MoveSpaceRole"
    FROM space s WHERE s.client_id = ${move.clientId}::uuid AND s.site_id = ${move.sourceSiteId}::uuid
    ON CONFLICT DO NOTHING`;
}

/**
 * Everything the client has, wherever it is, moves (as the product page promises); each item goes
 * back to its own site on rollback. Items already at the destination stay put.
 */
async function insertItems(tx: Tx, move: MoveRecord, now: Date): Promise<void> {
  const [moveId, clientId, to] = [move.id, move.clientId, move.destinationSiteId];
  // Only live services move; those provisioned by this move sit at the destination and are excluded.
  await tx.$executeRaw`
    INSERT INTO move_item (id, move_id, kind, item_id, label, from_site_id, to_site_id, updated_at)
    SELECT ${TIME_ORDERED_ID}, ${moveId}::uuid, i.kind, i.item_id, i.label, i.site_id, ${to}::uuid, ${now}
    FROM (
      SELECT 'USER'::"MoveItemKind" AS kind, u.id AS item_id, u.name AS label, u.site_id
      FROM client_user u WHERE u.client_id = ${clientId}::uuid AND u.site_id <> ${to}::uuid
      UNION ALL
      SELECT 'PHONE_NUMBER'::"MoveItemKind", p.id, p.number, p.site_id
      FROM phone_number p WHERE p.client_id = ${clientId}::uuid AND p.site_id <> ${to}::uuid
      UNION ALL
      SELECT 'SERVICE'::"MoveItemKind", s.id, s.name, s.site_id
      FROM service s
      WHERE s.client_id = ${clientId}::uuid AND s.site_id <> ${to}::uuid AND s.status = 'ACTIVE'
    ) AS i
    ON CONFLICT (move_id, kind, item_id) DO NOTHING`;
}

/**
 * A UUID whose first 48 bits are the time in milliseconds (the layout of UUIDv7; PostgreSQL 17 has
 * no uuidv7()): a snapshot's records go in at the end of the primary key's index, not at random
 * places all over it.
 */
const TIME_ORDERED_ID = Prisma.sql`encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
  placing substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
  52, 1), 53, 1), 'hex')::uuid`;

async function countItems(tx: Tx, moveId: string): Promise<ItemProgress> {
  const groups = await tx.$queryRaw<{ kind: ItemKind; status: MoveItemStatus; count: number }[]>`
    SELECT kind, status, count(*)::int AS count FROM move_item WHERE move_id = ${moveId}::uuid GROUP BY kind, status`;
  const progress = emptyItemProgress();
  for (const group of groups) {
    const kind = progress[PROGRESS_KEY[group.kind]];
    kind.total += group.count;
    if (group.status === 'MOVED') kind.done += group.count;
  }
  return progress;
}
