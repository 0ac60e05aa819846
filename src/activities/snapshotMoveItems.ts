// Reads the client as it is when the move starts: one move item per user, phone number and active
// service at the source site, and, once, what a rollback must give back (tariff, bundle, spaces).
// One INSERT ... SELECT with ON CONFLICT DO NOTHING for every kind: a re-run adds only what is new,
// and reports from the items themselves, so a re-run after a crash tells the truth about what already
// moved.
import { emptyItemProgress, PROGRESS_KEY, type ItemKind, type ItemProgress } from '../domain/move';
import { MoveFailureType } from '../domain/errors';
import type { MoveRef } from './contract';
import type { ActivityDeps } from './shared/deps';
import { moveFailure } from './shared/failures';
import { heartbeat } from './shared/activityContext';
import { TX_OPTIONS, loadMove, type MoveRecord, type Tx } from './shared/moveRecord';

export async function snapshotMoveItems(deps: ActivityDeps, { moveId }: MoveRef): Promise<ItemProgress> {
  const now = deps.now();
  return deps.db.$transaction(async (tx) => {
    const move = await loadMove(tx, moveId);
    if (move.originalTariffId === null) await recordOriginals(tx, move);
    heartbeat({ step: 'SNAPSHOT', stage: 'items' });
    return insertItems(tx, move, now);
  }, TX_OPTIONS);
}

/** The first snapshot fixes what a rollback restores; later ones must not overwrite it. */
async function recordOriginals(tx: Tx, move: MoveRecord): Promise<void> {
  if (move.clientSiteId !== move.sourceSiteId) {
    throw moveFailure(
      MoveFailureType.MoveDataMissing,
      `${move.clientName} is no longer at ${move.sourceSiteName}, the site this move was scheduled from`,
    );
  }
  await tx.clientSiteMove.update({
    where: { id: move.id },
    data: { originalTariffId: move.clientTariffId, originalMinuteBundleId: move.clientMinuteBundleId },
  });
  await tx.$executeRaw`
    INSERT INTO client_site_move_space (move_id, space_id, role)
    SELECT ${move.id}::uuid, s.id, 'ORIGINAL'::"MoveSpaceRole"
    FROM space s WHERE s.client_id = ${move.clientId}::uuid AND s.site_id = ${move.sourceSiteId}::uuid
    ON CONFLICT DO NOTHING`;
}

/**
 * Everything the client has, wherever it is, moves (as the product page promises); each item goes
 * back to its own site on rollback. Items already at the destination stay put. Counted in the same
 * statement: the items recorded before it, and those it adds (which the statement cannot see in
 * move_item itself), as PENDING.
 */
async function insertItems(tx: Tx, move: MoveRecord, now: Date): Promise<ItemProgress> {
  const [moveId, clientId, to] = [move.id, move.clientId, move.destinationSiteId];
  const kinds = await tx.$queryRaw<{ kind: ItemKind; total: number; done: number }[]>`
    WITH added AS (
      INSERT INTO move_item (id, move_id, kind, item_id, label, from_site_id, to_site_id, updated_at)
      SELECT gen_random_uuid(), ${moveId}::uuid, i.kind, i.id, i.label, i.site_id, ${to}::uuid, ${now}
      FROM (
        SELECT 'USER'::"MoveItemKind" AS kind, u.id, u.name AS label, u.site_id
        FROM client_user u WHERE u.client_id = ${clientId}::uuid AND u.site_id <> ${to}::uuid
        UNION ALL
        SELECT 'PHONE_NUMBER', p.id, p.number, p.site_id
        FROM phone_number p WHERE p.client_id = ${clientId}::uuid AND p.site_id <> ${to}::uuid
        UNION ALL
        -- Only live services move; those provisioned by this move sit at the destination and are excluded.
        SELECT 'SERVICE', s.id, s.name, s.site_id
        FROM service s WHERE s.client_id = ${clientId}::uuid AND s.site_id <> ${to}::uuid AND s.status = 'ACTIVE'
      ) AS i
      ON CONFLICT (move_id, kind, item_id) DO NOTHING
      RETURNING kind
    )
    SELECT kind::text AS kind, count(*)::int AS total, count(*) FILTER (WHERE status = 'MOVED')::int AS done
    FROM (
      SELECT kind, status FROM move_item WHERE move_id = ${moveId}::uuid
      UNION ALL
      SELECT kind, 'PENDING'::"MoveItemStatus" FROM added
    ) AS item
    GROUP BY kind`;
  const progress = emptyItemProgress();
  for (const { kind, total, done } of kinds) progress[PROGRESS_KEY[kind]] = { total, done };
  return progress;
}
