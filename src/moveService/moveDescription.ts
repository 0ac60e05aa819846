// The move in names, read from its row, for the workflow's summary and details in Temporal Web
// (src/domain/moveSummary.ts formats them). Metadata only: a move starts without it if the read fails.
import type { Db } from '../db/client';
import type { MoveDescription } from '../domain/moveSummary';

export async function describeMove(
  db: Db,
  moveId: string,
  movePageUrl?: (moveId: string) => string,
): Promise<MoveDescription | null> {
  const named = { select: { name: true } } as const;
  const move = await db.clientSiteMove.findUnique({
    where: { id: moveId },
    select: {
      scheduledFor: true,
      moveNow: true,
      client: named,
      sourceSite: named,
      destinationSite: { select: { name: true, timeZone: true } },
      tariff: named,
      minuteBundle: named,
      notifyOperator: named,
      requestedBy: named,
      spaces: { where: { role: 'TARGET' }, select: { space: named }, orderBy: { space: { name: 'asc' } } },
    },
  });
  if (!move) return null;
  return {
    moveId,
    clientName: move.client.name,
    sourceSiteName: move.sourceSite.name,
    destinationSiteName: move.destinationSite.name,
    timeZone: move.destinationSite.timeZone,
    scheduledFor: move.scheduledFor.toISOString(),
    moveNow: move.moveNow,
    tariffName: move.tariff.name,
    minuteBundleName: move.minuteBundle?.name ?? null,
    spaceNames: move.spaces.map((s) => s.space.name),
    notifyName: move.notifyOperator?.name ?? null,
    requestedByName: move.requestedBy.name,
    movePageUrl: movePageUrl?.(moveId) ?? null,
  };
}
