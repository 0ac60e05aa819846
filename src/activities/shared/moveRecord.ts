// Reading the move an activity works on. Each activity's transaction locks the move row first, so a
// retry that overlaps a slow earlier attempt of the same activity waits for it instead of racing it.
import { Prisma } from '../../db/client';
import { MoveFailureType } from '../../domain/errors';
import { moveFailure } from './failures';

export type Tx = Prisma.TransactionClient;

/** Generous: one batch is a few bulk statements, but a cold database or a lock wait can be slow. */
export const TX_OPTIONS = { timeout: 60_000, maxWait: 10_000 } as const;

/** The move with what people read about it (names, the contact's email) and the client as it is now. */
export interface MoveRecord {
  id: string;
  workflowId: string;
  /** The workflow run, once the API has recorded it: several moves of one client share a workflow id. */
  runId: string | null;
  clientId: string;
  clientName: string;
  /** The client's current site, tariff and bundle (not the move's choices). */
  clientSiteId: string;
  clientTariffId: string;
  clientMinuteBundleId: string | null;
  sourceSiteId: string;
  sourceSiteName: string;
  destinationSiteId: string;
  destinationSiteName: string;
  tariffId: string;
  /** The bundle chosen at the destination; null: none. */
  minuteBundleId: string | null;
  originalTariffId: string | null;
  originalMinuteBundleId: string | null;
  moveNow: boolean;
  scheduledFor: Date;
  notifyEmail: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function moveMissing(moveId: string): Error {
  return moveFailure(MoveFailureType.MoveDataMissing, `Move ${moveId} does not exist`);
}

/** The id, if it can name a move: a malformed one would fail the uuid cast on every retry, so say that once. */
export function requireMoveId(moveId: string): string {
  if (!UUID.test(moveId)) throw moveMissing(moveId);
  return moveId;
}

/** Locks the move row for the rest of the transaction; a missing move cannot be worked on. */
export async function lockMove(tx: Tx, moveId: string): Promise<void> {
  requireMoveId(moveId);
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM client_site_move WHERE id = ${moveId}::uuid FOR NO KEY UPDATE`;
  if (rows.length === 0) throw moveMissing(moveId);
}

/**
 * Locks and reads the move in one statement. One query, not Prisma's `include`, which sends its
 * relation queries concurrently down the transaction's single connection (deprecated in pg).
 */
export async function loadMove(tx: Tx, moveId: string, lock = true): Promise<MoveRecord> {
  requireMoveId(moveId);
  const [move] = await tx.$queryRaw<MoveRecord[]>`
    SELECT m.id, m.workflow_id AS "workflowId", m.run_id AS "runId", m.client_id AS "clientId", c.name AS "clientName",
           c.site_id AS "clientSiteId", c.tariff_id AS "clientTariffId", c.minute_bundle_id AS "clientMinuteBundleId",
           m.source_site_id AS "sourceSiteId", src.name AS "sourceSiteName",
           m.destination_site_id AS "destinationSiteId", dst.name AS "destinationSiteName",
           m.tariff_id AS "tariffId", m.minute_bundle_id AS "minuteBundleId",
           m.original_tariff_id AS "originalTariffId", m.original_minute_bundle_id AS "originalMinuteBundleId",
           m.move_now AS "moveNow", m.scheduled_for AS "scheduledFor", o.email AS "notifyEmail"
    FROM client_site_move m
    JOIN client c ON c.id = m.client_id
    JOIN site src ON src.id = m.source_site_id
    JOIN site dst ON dst.id = m.destination_site_id
    LEFT JOIN operator o ON o.id = m.notify_operator_id
    WHERE m.id = ${moveId}::uuid
    ${lock ? Prisma.sql`FOR NO KEY UPDATE OF m` : Prisma.empty}`;
  if (!move) throw moveMissing(moveId);
  return move;
}
