// The client's spaces: take the chosen ones at the destination, then release those held at the
// source; on rollback, the reverse. Locks the spaces involved so two moves cannot take one space,
// all of them in one statement in id order: the order a start locks them in (recordMove.ts), so a
// start and a move overlapping on spaces wait for each other instead of deadlocking. The change is
// one plain UPDATE after the lock (docs/performance.md).
import { MoveFailureType } from '../domain/errors';
import type { MoveSpaceRole } from '../generated/prisma/client';
import type { MoveRef, StepRef } from './contract';
import type { ActivityDeps } from './shared/deps';
import { describeItems, moveFailure, type FailedItem } from './shared/failures';
import { TX_OPTIONS, loadMove, type Tx } from './shared/moveRecord';
import { plainTransaction } from '../db/plainSql';
import { writeProgress } from './recordProgress';

interface SpaceRow {
  id: string;
  name: string;
  siteId: string;
  clientId: string | null;
}

export async function assignSpaces(deps: ActivityDeps, { moveId, mirror }: StepRef): Promise<void> {
  await plainTransaction(deps.db, TX_OPTIONS, async (tx) => {
    const move = await loadMove(tx, moveId);
    if (mirror) await writeProgress(tx, move, mirror, deps.now());
    const { targets, originals } = await lockMoveSpaces(tx, moveId);
    const elsewhere = targets.filter((s) => s.siteId !== move.destinationSiteId);
    if (elsewhere.length > 0) {
      throw moveFailure(
        MoveFailureType.InvalidChoice,
        `Chosen space ${describeItems(elsewhere.map(asItem))} is not at ${move.destinationSiteName}`,
        elsewhere.map(asItem),
      );
    }
    // All or nothing: an operator frees the space (or drops it from the move) and retries.
    const occupied = targets.filter((s) => s.clientId !== null && s.clientId !== move.clientId);
    if (occupied.length > 0) {
      throw moveFailure(
        MoveFailureType.SpaceOccupied,
        `Space ${describeItems(occupied.map(asItem))} at ${move.destinationSiteName} is now occupied by another client`,
        occupied.map(asItem),
      );
    }
    // The chosen spaces become the client's, then the client's originals are released (the two are
    // at different sites; were one both, it would end released, as in that order).
    const [taken, released] = [ids(targets), ids(originals)];
    await tx.$executeRaw`
      UPDATE space SET client_id = CASE WHEN id = ANY(${released}::uuid[]) THEN NULL ELSE ${move.clientId}::uuid END
      WHERE id = ANY(${taken}::uuid[]) OR (id = ANY(${released}::uuid[]) AND client_id = ${move.clientId}::uuid)`;
  });
}

export async function restoreSpaces(deps: ActivityDeps, { moveId }: MoveRef): Promise<void> {
  const notRestorable = await plainTransaction(deps.db, TX_OPTIONS, async (tx) => {
    const move = await loadMove(tx, moveId);
    const { targets, originals } = await lockMoveSpaces(tx, moveId);
    // Rollback gives back all it can; a space someone else took since is for a human to sort out.
    const taken = originals.filter((s) => s.clientId !== null && s.clientId !== move.clientId);
    const takenIds = new Set(taken.map((s) => s.id));
    const givenBack = ids(originals.filter((s) => !takenIds.has(s.id)));
    // The chosen spaces the client holds are freed, then the originals given back (a space both would
    // end given back, as in that order).
    await tx.$executeRaw`
      UPDATE space SET client_id = CASE WHEN id = ANY(${givenBack}::uuid[]) THEN ${move.clientId}::uuid ELSE NULL END
      WHERE (id = ANY(${ids(targets)}::uuid[]) AND client_id = ${move.clientId}::uuid) OR id = ANY(${givenBack}::uuid[])`;
    return taken.length === 0
      ? null
      : moveFailure(
          MoveFailureType.SpaceNotRestorable,
          `Space ${describeItems(taken.map(asItem))} at ${move.sourceSiteName} is now held by another client and cannot be given back to ${move.clientName}`,
          taken.map(asItem),
        );
  });
  if (notRestorable) throw notRestorable;
}

/** Locks every space of the move, chosen and original, by id; returns each role's by name (for messages). */
async function lockMoveSpaces(tx: Tx, moveId: string): Promise<{ targets: SpaceRow[]; originals: SpaceRow[] }> {
  const rows = await tx.$queryRaw<(SpaceRow & { role: MoveSpaceRole })[]>`
    SELECT s.id, s.name, s.site_id AS "siteId", s.client_id AS "clientId", ms.role
    FROM space s JOIN client_site_move_space ms ON ms.space_id = s.id
    WHERE ms.move_id = ${moveId}::uuid
    ORDER BY s.id
    FOR UPDATE OF s`;
  const ofRole = (role: MoveSpaceRole): SpaceRow[] =>
    rows
      .filter((r) => r.role === role)
      .map(({ role: _role, ...space }) => space)
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return { targets: ofRole('TARGET'), originals: ofRole('ORIGINAL') };
}

const ids = (spaces: SpaceRow[]): string[] => spaces.map((s) => s.id);

const asItem = (space: SpaceRow): FailedItem => ({ kind: 'SPACE', id: space.id, label: space.name });
