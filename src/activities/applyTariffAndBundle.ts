// The client's site, tariff and minute bundle change together in one UPDATE: composite foreign keys
// keep a client's tariff and bundle at the client's own site, so no order of separate updates works.
// The bundle is optional: a move may leave the client with none, and a rollback restores exactly what
// was there, none included.
import { MoveFailureType } from '../domain/errors';
import type { MoveRef } from './contract';
import type { ActivityDeps } from './shared/deps';
import { moveFailure } from './shared/failures';
import { TX_OPTIONS, loadMove, type Tx } from './shared/moveRecord';

export async function applyTariffAndBundle(deps: ActivityDeps, { moveId }: MoveRef): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const move = await loadMove(tx, moveId);
    const site = move.destinationSiteId;
    const tariff = await tx.tariff.findFirst({ where: { id: move.tariffId, siteId: site } });
    const bundle = move.minuteBundleId
      ? await tx.minuteBundle.findFirst({ where: { id: move.minuteBundleId, siteId: site } })
      : null;
    if (!tariff || (move.minuteBundleId && !bundle)) {
      const what = !tariff ? `tariff ${move.tariffId}` : `minute bundle ${move.minuteBundleId}`;
      throw moveFailure(
        MoveFailureType.InvalidChoice,
        `The chosen ${what} is no longer offered at ${move.destinationSiteName}; choose again`,
      );
    }
    await refuseNameClash(tx, move.clientId, move.clientName, site, move.destinationSiteName);
    await tx.client.update({
      where: { id: move.clientId },
      data: { siteId: site, tariffId: tariff.id, minuteBundleId: bundle?.id ?? null },
    });
  }, TX_OPTIONS);
}

export async function restoreTariffAndBundle(deps: ActivityDeps, { moveId }: MoveRef): Promise<void> {
  await deps.db.$transaction(async (tx) => {
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
    await refuseNameClash(tx, move.clientId, move.clientName, move.sourceSiteId, move.sourceSiteName);
    await tx.client.update({
      where: { id: move.clientId },
      data: { siteId: move.sourceSiteId, tariffId: originalTariffId, minuteBundleId: originalMinuteBundleId },
    });
  }, TX_OPTIONS);
}

/**
 * Client names are unique per site. A clash would fail the update with a unique-constraint error
 * that no retry can fix, so it is named as what it is: someone must rename one of the two clients.
 */
async function refuseNameClash(
  tx: Tx,
  clientId: string,
  name: string,
  siteId: string,
  siteName: string,
): Promise<void> {
  const other = await tx.client.findFirst({ where: { siteId, name, id: { not: clientId } }, select: { id: true } });
  if (other) {
    throw moveFailure(
      MoveFailureType.InvalidChoice,
      `Another client named ${name} is already at ${siteName} (${other.id}); rename one of them, then retry`,
    );
  }
}
