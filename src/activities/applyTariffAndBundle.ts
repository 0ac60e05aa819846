// The client's site, tariff and minute bundle change together in one UPDATE: composite foreign keys
// keep a client's tariff and bundle at the client's own site, so no order of separate updates works.
// The bundle is optional: a move may leave the client with none, and a rollback restores exactly what
// was there, none included. After the move's lock, one statement checks and updates (plain SQL:
// docs/performance.md): a refused move changes nothing.
import { MoveFailureType } from '../domain/errors';
import type { MoveRef, StepRef } from './contract';
import type { ActivityDeps } from './shared/deps';
import { moveFailure } from './shared/failures';
import { TX_OPTIONS, loadMove, type MoveRecord, type Tx } from './shared/moveRecord';
import { plainTransaction } from '../db/plainSql';
import { writeProgress } from './recordProgress';

export async function applyTariffAndBundle(deps: ActivityDeps, { moveId, mirror }: StepRef): Promise<void> {
  const now = deps.now();
  await plainTransaction(deps.db, TX_OPTIONS, async (tx) => {
    const move = await loadMove(tx, moveId);
    if (mirror) await writeProgress(tx, move, mirror, now);
    const site = { id: move.destinationSiteId, name: move.destinationSiteName };
    const placed = await placeClient(tx, move, site, move.tariffId, move.minuteBundleId, now, 'offered');
    if (!placed.tariffOffered || !placed.bundleOffered) {
      const what = !placed.tariffOffered ? `tariff ${move.tariffId}` : `minute bundle ${move.minuteBundleId}`;
      throw moveFailure(
        MoveFailureType.InvalidChoice,
        `The chosen ${what} is no longer offered at ${move.destinationSiteName}; choose again`,
      );
    }
    refuseNameClash(move, site.name, placed.clashId);
  });
}

export async function restoreTariffAndBundle(deps: ActivityDeps, { moveId }: MoveRef): Promise<void> {
  const now = deps.now();
  await plainTransaction(deps.db, TX_OPTIONS, async (tx) => {
    const move = await loadMove(tx, moveId);
    const { originalTariffId, originalMinuteBundleId } = move;
    // The snapshot records the original tariff (a client always has one) and bundle (maybe none).
    if (originalTariffId === null) {
      // No snapshot means the forward step cannot have run: the client never left.
      if (move.clientSiteId === move.sourceSiteId) return;
      throw moveFailure(
        MoveFailureType.MoveDataMissing,
        `Move ${moveId} has no record of ${move.clientName}'s original tariff and bundle to restore`,
      );
    }
    const site = { id: move.sourceSiteId, name: move.sourceSiteName };
    const placed = await placeClient(tx, move, site, originalTariffId, originalMinuteBundleId, now, 'any');
    refuseNameClash(move, site.name, placed.clashId);
  });
}

interface Placed {
  tariffOffered: boolean;
  bundleOffered: boolean;
  /** Another client of the same name at the site, which stopped the update. */
  clashId: string | null;
}

/**
 * Puts the client at the site with the tariff and bundle given, unless another client there has its
 * name or (`offered`) the site no longer offers them: then it changes nothing and says why.
 */
async function placeClient(
  tx: Tx,
  move: MoveRecord,
  site: { id: string },
  tariffId: string,
  minuteBundleId: string | null,
  now: Date,
  choices: 'offered' | 'any',
): Promise<Placed> {
  const [placed] = await tx.$queryRaw<Placed[]>`
    WITH checked AS (
      SELECT EXISTS (SELECT 1 FROM tariff WHERE id = ${tariffId}::uuid AND site_id = ${site.id}::uuid) AS "tariffOffered",
             (${minuteBundleId}::uuid IS NULL OR EXISTS (
               SELECT 1 FROM minute_bundle WHERE id = ${minuteBundleId}::uuid AND site_id = ${site.id}::uuid)) AS "bundleOffered",
             (SELECT id::text FROM client
              WHERE site_id = ${site.id}::uuid AND name = ${move.clientName} AND id <> ${move.clientId}::uuid
              LIMIT 1) AS "clashId"
    ), placed AS (
      UPDATE client SET site_id = ${site.id}::uuid, tariff_id = ${tariffId}::uuid,
                        minute_bundle_id = ${minuteBundleId}::uuid, updated_at = ${now}
      FROM checked
      WHERE client.id = ${move.clientId}::uuid AND checked."clashId" IS NULL
        AND (${choices === 'any'} OR (checked."tariffOffered" AND checked."bundleOffered"))
    )
    SELECT "tariffOffered", "bundleOffered", "clashId" FROM checked`;
  if (!placed) throw new Error('The client placement check returned no row');
  return placed;
}

/**
 * Client names are unique per site. A clash would fail the update with a unique-constraint error
 * that no retry can fix, so it is named as what it is: someone must rename one of the two clients.
 */
function refuseNameClash(move: MoveRecord, siteName: string, clashId: string | null): void {
  if (clashId !== null) {
    throw moveFailure(
      MoveFailureType.InvalidChoice,
      `Another client named ${move.clientName} is already at ${siteName} (${clashId}); rename one of them, then retry`,
    );
  }
}
