// Reading the move an activity works on. Each activity's transaction locks the move row first, so a
// retry that overlaps a slow earlier attempt of the same activity waits for it instead of racing it.
// Every activity finds its move here, so here is where a foreign workflow run is turned away: only
// the run recorded on the move (or, while none is, the first run to claim it) may act on it.
import { Prisma } from '../../db/client';
import type { SqlTx } from '../../db/plainSql';
import { MoveFailureType } from '../../domain/errors';
import type { MovePhase } from '../../domain/move';
import { callingRunId, callingWorkflow } from './activityContext';
import { moveFailure } from './failures';

/** An activity's transaction: a plain one on the pg pool (plainTransaction), or Prisma's. */
export type Tx = SqlTx;

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
  /** The destination site's IANA zone: the move's times, for people, are its local times. */
  destinationTimeZone: string;
  tariffId: string;
  /** The bundle chosen at the destination; null: none. */
  minuteBundleId: string | null;
  originalTariffId: string | null;
  originalMinuteBundleId: string | null;
  moveNow: boolean;
  scheduledFor: Date;
  notifyEmail: string | null;
  /** The phase and start as the database mirrors them (the workflow owns the phase). */
  status: MovePhase;
  startedAt: Date | null;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function moveMissing(moveId: string): Error {
  return moveFailure(MoveFailureType.MoveDataMissing, `Move ${moveId} does not exist`);
}

/** The move row as locked: its phase and client come with the lock, for callers that want them. */
export interface LockedMove {
  id: string;
  runId: string | null;
  status: MovePhase;
  clientId: string;
}

/** Locks the move row for the rest of the transaction; a missing move cannot be worked on. */
export async function lockMove(tx: SqlTx, moveId: string): Promise<LockedMove> {
  // A malformed id would fail the uuid cast on every retry; it names no move, so say that once.
  if (!UUID.test(moveId)) throw moveMissing(moveId);
  const [move] = await tx.$queryRaw<LockedMove[]>`
    SELECT id, run_id AS "runId", status, client_id AS "clientId"
    FROM client_site_move WHERE id = ${moveId}::uuid FOR NO KEY UPDATE`;
  if (!move) throw moveMissing(moveId);
  await actOnlyForOwnRun(tx, move);
  return move;
}

/**
 * Refuses a workflow run that is not the move's own. The API records the run it started; if that
 * write was lost (or the start's answer was), the first run to get here claims the move, so the
 * move can still be found and steered by its run. Outside an activity (tests, scripts) there is no
 * calling run and nothing to check. An email activity may also be called by its email's own workflow
 * (`emailWorkflowId`, which names the move); no other activity accepts one.
 */
async function actOnlyForOwnRun(
  tx: SqlTx,
  move: { id: string; runId: string | null },
  emailWorkflowId?: string,
): Promise<void> {
  const caller = callingRunId();
  if (caller === null || move.runId === caller) return;
  const calling = callingWorkflow();
  if (emailWorkflowId !== undefined && calling !== null && calling.workflowId === emailWorkflowId) {
    if (EMAIL_WORKFLOW_TYPES.includes(calling.workflowType)) return;
  }
  let owner = move.runId;
  if (owner === null) {
    const claimed = await tx.$executeRaw`
      UPDATE client_site_move SET run_id = ${caller}, updated_at = now() WHERE id = ${move.id}::uuid AND run_id IS NULL`;
    if (claimed === 1) return;
    // Claimed in between (a read without a lock): by this run's other activity, or by another run.
    const [row] = await tx.$queryRaw<{ runId: string | null }[]>`
      SELECT run_id AS "runId" FROM client_site_move WHERE id = ${move.id}::uuid`;
    owner = row?.runId ?? null;
    if (owner === caller) return;
  }
  throw moveFailure(
    MoveFailureType.ForeignWorkflowRun,
    `Workflow run ${caller} is not the run of move ${move.id} (${owner ?? 'unclaimed'}); it may not act on it`,
  );
}

/**
 * Locks and reads the move in one statement. One query, not Prisma's `include`, which sends its
 * relation queries concurrently down the transaction's single connection (deprecated in pg).
 */
/** The workflows that deliver a move's emails apart from the move. */
const EMAIL_WORKFLOW_TYPES = ['moveOutcomeEmail', 'moveWarningsEmail'];

export async function loadMove(
  tx: SqlTx,
  moveId: string,
  lock = true,
  /** An email activity names its email's own workflow, which may call it too (actOnlyForOwnRun). */
  { emailWorkflowId }: { emailWorkflowId?: string } = {},
): Promise<MoveRecord> {
  if (!UUID.test(moveId)) throw moveMissing(moveId);
  const [move] = await tx.$queryRaw<MoveRecord[]>`
    SELECT m.id, m.workflow_id AS "workflowId", m.run_id AS "runId", m.client_id AS "clientId", c.name AS "clientName",
           c.site_id AS "clientSiteId", c.tariff_id AS "clientTariffId", c.minute_bundle_id AS "clientMinuteBundleId",
           m.source_site_id AS "sourceSiteId", src.name AS "sourceSiteName",
           m.destination_site_id AS "destinationSiteId", dst.name AS "destinationSiteName",
           dst.time_zone AS "destinationTimeZone",
           m.tariff_id AS "tariffId", m.minute_bundle_id AS "minuteBundleId",
           m.original_tariff_id AS "originalTariffId", m.original_minute_bundle_id AS "originalMinuteBundleId",
           m.move_now AS "moveNow", m.scheduled_for AS "scheduledFor", o.email AS "notifyEmail",
           m.status, m.started_at AS "startedAt"
    FROM client_site_move m
    JOIN client c ON c.id = m.client_id
    JOIN site src ON src.id = m.source_site_id
    JOIN site dst ON dst.id = m.destination_site_id
    LEFT JOIN operator o ON o.id = m.notify_operator_id
    WHERE m.id = ${moveId}::uuid
    ${lock ? Prisma.sql`FOR NO KEY UPDATE OF m` : Prisma.empty}`;
  if (!move) throw moveMissing(moveId);
  await actOnlyForOwnRun(tx, move, emailWorkflowId);
  return move;
}
