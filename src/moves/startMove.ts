// Starting a client site move: check the request against the data, record the move, start its
// workflow. The database row comes first so the partial unique index decides races between two
// starts for one client, and a lock on the destination decides races for its spaces and names. If
// Temporal refuses the start, the row is removed again, so a refused request leaves nothing behind;
// if Temporal does not answer, the row goes only once Temporal confirms no run of this move exists.
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Config } from '../config';
import { Prisma, type Db } from '../db/client';
import { ACTIVE_PHASES, moveWorkflowId, type ClientSiteMoveInput } from '../domain/move';
import { clientSiteMove } from '../workflows/clientSiteMove';
import {
  ClientIdKey,
  DestinationSiteIdKey,
  MoveIdKey,
  MovePhaseKey,
  SourceSiteIdKey,
} from '../workflows/searchAttributes';
import { findActiveMove } from './activeMove';
import { settleUnstartedMove } from './settleUnstartedMove';
import { findStartedRun, type StartedRun } from './startedRun';
import { MoveRequestError, MoveRequestErrorCode as Code, type FieldError } from './errors';
import { isTemporalUnavailable, withTemporalDeadline, type TemporalTimeouts } from './temporal';

export interface StartMoveRequest {
  clientId: string;
  destinationSiteId: string;
  tariffId: string;
  minuteBundleId: string;
  spaceIds: string[];
  /** `now`, or an ISO-8601 time with offset. */
  moveAt: string;
  notifyOperatorId?: string | null;
}

export interface StartMoveDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  move: Config['move'];
  timeouts: Pick<TemporalTimeouts, 'startMs'>;
  /** Told when cleaning up after a failed start itself fails (the row then needs a human). */
  onCleanupFailure?: (moveId: string, error: unknown) => void;
  /**
   * Told when the start got no answer from Temporal, with what describing the workflow then showed:
   * the move's run (adopted), no run of this move (row removed), or nothing (row kept).
   */
  onUnansweredStart?: (moveId: string, error: unknown, found: StartedRun['found']) => void;
  /** Told when the workflow started but its run id could not be written (its first activity writes it). */
  onRunIdNotRecorded?: (moveId: string, runId: string, error: unknown) => void;
}

export interface StartMoveOptions {
  operatorId: string;
  /** Same operator, key and request: the same move comes back instead of a new one. */
  idempotencyKey?: string;
  now?: Date;
}

export interface StartedMove {
  moveId: string;
  /** True when an earlier request with the same Idempotency-Key made the move. */
  replayed: boolean;
}

const ACTIVE_MOVE_INDEX = 'client_site_move_one_active_per_client';
const IDEMPOTENCY_INDEX = 'client_site_move_requested_by_id_idempotency_key_key';

export async function startMove(
  deps: StartMoveDeps,
  request: StartMoveRequest,
  options: StartMoveOptions,
): Promise<StartedMove> {
  const { db } = deps;
  const { operatorId, idempotencyKey } = options;
  const fingerprint = idempotencyKey === undefined ? null : requestFingerprint(request);
  const now = options.now ?? new Date();
  // First, so a retry with the key of a start that never happened is not told "in progress" for ever.
  await settleUnstartedMove(deps, request.clientId, now);

  if (idempotencyKey !== undefined) {
    const earlier = await findByIdempotencyKey(db, operatorId, idempotencyKey);
    if (earlier) return replay(earlier, fingerprint);
  }
  const checked = await checkRequest(db, request, now);
  const recorded = await recordMove(db, request, checked, { operatorId, idempotencyKey, fingerprint });
  if ('replayed' in recorded) return recorded;

  const runId = await startWorkflow(deps, request, checked, recorded.moveId);
  await recordRunId(deps, recorded.moveId, runId);
  return { moveId: recorded.moveId, replayed: false };
}

interface CheckedRequest {
  client: { id: string; name: string; siteId: string };
  destination: { id: string; name: string };
  moveNow: boolean;
  scheduledFor: Date;
  notifyOperatorId: string | null;
}

/**
 * Every rule the data can answer before anything is written. What the move promises at the
 * destination (its spaces, the client's name) is checked again under a lock as the move is recorded.
 */
async function checkRequest(db: Db, request: StartMoveRequest, now: Date): Promise<CheckedRequest> {
  const client = await db.client.findUnique({ where: { id: request.clientId } });
  if (!client) throw new MoveRequestError(Code.ClientNotFound, `Client ${request.clientId} does not exist`);

  const active = await findActiveMove(db, client.id);
  if (active) throw activeMoveExists(client.name, active);
  if (client.status !== 'ACTIVE') {
    throw new MoveRequestError(
      Code.ClientNotActive,
      `${client.name} is ${client.status}; only an ACTIVE client can move`,
    );
  }

  const destination = await checkChoices(db, request, client);

  const moveNow = request.moveAt === 'now';
  const scheduledFor = moveNow ? now : new Date(request.moveAt);
  if (!moveNow && scheduledFor.getTime() <= now.getTime()) {
    throw new MoveRequestError(Code.MoveTimeInPast, `${request.moveAt} is in the past`, [
      { field: 'moveAt', message: 'must be "now" or a time in the future' },
    ]);
  }
  const notifyOperatorId = request.notifyOperatorId ?? null;
  if (notifyOperatorId !== null && !(await db.operator.findUnique({ where: { id: notifyOperatorId } }))) {
    throw new MoveRequestError(Code.NotifyOperatorUnknown, `Operator ${notifyOperatorId} does not exist`, [
      { field: 'notifyOperatorId', message: 'is not a known T2 contact' },
    ]);
  }
  return { client, destination, moveNow, scheduledFor, notifyOperatorId };
}

/**
 * Inserts the move (SCHEDULED), its chosen spaces and who asked, in one transaction that first takes
 * the destination (see claimDestination). The partial unique index on active moves makes this the
 * point where one of two racing starts for a client loses; the destination's lock, where one of two
 * starts for different clients promising the same space or name loses.
 */
async function recordMove(
  db: Db,
  request: StartMoveRequest,
  checked: CheckedRequest,
  by: { operatorId: string; idempotencyKey?: string; fingerprint: string | null },
): Promise<{ moveId: string } | StartedMove> {
  const { client } = checked;
  try {
    const row = await db.$transaction(async (tx) => {
      await claimDestination(tx, request, checked);
      return tx.clientSiteMove.create({
        data: {
          clientId: client.id,
          requestedById: by.operatorId,
          sourceSiteId: client.siteId,
          destinationSiteId: request.destinationSiteId,
          tariffId: request.tariffId,
          minuteBundleId: request.minuteBundleId,
          moveNow: checked.moveNow,
          scheduledFor: checked.scheduledFor,
          notifyOperatorId: checked.notifyOperatorId,
          workflowId: moveWorkflowId(client.id),
          idempotencyKey: by.idempotencyKey ?? null,
          requestFingerprint: by.fingerprint,
          spaces: { create: request.spaceIds.map((spaceId) => ({ spaceId, role: 'TARGET' as const })) },
          // Who asked for it: the workflow's own audit entries have no operator.
          auditEntries: {
            create: {
              actorOperatorId: by.operatorId,
              action: 'MOVE_REQUESTED',
              clientId: client.id,
              details: { moveAt: request.moveAt, destinationSiteId: request.destinationSiteId },
            },
          },
        },
        select: { id: true },
      });
    });
    return { moveId: row.id };
  } catch (error) {
    const index = violatedUniqueIndex(error);
    if (index !== null && by.idempotencyKey !== undefined) {
      // A concurrent request with the same key may have won, whichever index PostgreSQL names.
      const earlier = await findByIdempotencyKey(db, by.operatorId, by.idempotencyKey);
      if (earlier) return replay(earlier, by.fingerprint);
    }
    if (index === ACTIVE_MOVE_INDEX) {
      // Another start for this client won the race between our check and our insert.
      throw activeMoveExists(client.name, await findActiveMove(db, client.id));
    }
    if (index === IDEMPOTENCY_INDEX) {
      // The request that held the key failed and let it go just now: this one may simply try again.
      throw new MoveRequestError(
        Code.IdempotentRequestInProgress,
        'A request with this Idempotency-Key was being processed; retry shortly',
      );
    }
    throw error;
  }
}

/**
 * Starts the move's workflow and returns its run id. If Temporal says no, the move row goes again. If
 * Temporal does not answer, the start may still have happened: the workflow is described to find out.
 */
async function startWorkflow(
  deps: StartMoveDeps,
  request: StartMoveRequest,
  checked: CheckedRequest,
  moveId: string,
): Promise<string> {
  const { client } = checked;
  const workflowId = moveWorkflowId(client.id);
  const input: ClientSiteMoveInput = {
    moveId,
    clientId: client.id,
    clientName: client.name,
    sourceSiteId: client.siteId,
    destinationSiteId: request.destinationSiteId,
    scheduledFor: checked.scheduledFor.toISOString(),
    moveNow: checked.moveNow,
    notify: checked.notifyOperatorId !== null,
    batchSize: deps.move.batchSize,
    decisionTimeout: deps.move.decisionTimeout,
  };
  try {
    const handle = await withTemporalDeadline(deps.temporal, deps.timeouts.startMs, () =>
      deps.temporal.workflow.start(clientSiteMove, {
        taskQueue: deps.taskQueue,
        workflowId,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes: [
          { key: ClientIdKey, value: client.id },
          { key: MoveIdKey, value: moveId },
          { key: SourceSiteIdKey, value: client.siteId },
          { key: DestinationSiteIdKey, value: request.destinationSiteId },
          { key: MovePhaseKey, value: 'SCHEDULED' },
        ],
        memo: { clientName: client.name, moveId },
      }),
    );
    return handle.firstExecutionRunId;
  } catch (error) {
    if (isTemporalUnavailable(error)) {
      // Timed out or cut off: the request may have reached Temporal, and the run started regardless.
      const run = await findStartedRun(deps, workflowId, moveId);
      deps.onUnansweredStart?.(moveId, error, run.found);
      if (run.found === 'this-move') return run.runId;
      if (run.found === 'unknown') throw startOutcomeUnknown(moveId, client.name);
    }
    await removeUnstartedMove(deps, moveId);
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      throw new MoveRequestError(
        Code.WorkflowAlreadyRunning,
        `Temporal already runs workflow ${workflowId} for ${client.name}; wait for it to finish`,
        [],
        { workflowId },
      );
    }
    if (isTemporalUnavailable(error)) {
      throw new MoveRequestError(
        Code.TemporalUnavailable,
        'Temporal could not be reached to start the move; nothing was changed, try again shortly',
      );
    }
    throw error;
  }
}

function startOutcomeUnknown(moveId: string, clientName: string): MoveRequestError {
  const location = `/api/client-site-moves/${moveId}`;
  return new MoveRequestError(
    Code.StartOutcomeUnknown,
    `Temporal did not answer whether the move of ${clientName} started. The move is recorded as ${moveId} and ` +
      `its workflow may be running: read it at ${location} (a run id appears once it runs) before trying again`,
    [],
    { moveId, location },
  );
}

/** The workflow runs whatever happens here: if the write fails, its first activity fills the run id in. */
async function recordRunId(deps: StartMoveDeps, moveId: string, runId: string): Promise<void> {
  try {
    await deps.db.clientSiteMove.updateMany({ where: { id: moveId, runId: null }, data: { runId } });
  } catch (error) {
    deps.onRunIdNotRecorded?.(moveId, runId, error);
  }
}

/** Checks that the destination exists and that everything chosen belongs to it (vacancy comes later). */
async function checkChoices(
  db: Db,
  request: StartMoveRequest,
  client: { id: string; name: string; siteId: string },
): Promise<{ id: string; name: string }> {
  if (request.destinationSiteId === client.siteId) {
    throw new MoveRequestError(Code.DestinationIsCurrentSite, `${client.name} is already at that site`, [
      { field: 'destinationSiteId', message: "must differ from the client's current site" },
    ]);
  }
  const destination = await db.site.findUnique({ where: { id: request.destinationSiteId } });
  if (!destination) {
    throw new MoveRequestError(Code.DestinationUnknown, `Site ${request.destinationSiteId} does not exist`, [
      { field: 'destinationSiteId', message: 'is not a known site' },
    ]);
  }
  const [tariff, bundle, spaces] = await Promise.all([
    db.tariff.findUnique({ where: { id: request.tariffId } }),
    db.minuteBundle.findUnique({ where: { id: request.minuteBundleId } }),
    db.space.findMany({ where: { id: { in: request.spaceIds } }, select: { id: true, siteId: true } }),
  ]);
  const elsewhere: FieldError[] = [];
  const atDestination = `is not available at ${destination.name}`;
  if (tariff?.siteId !== destination.id) elsewhere.push({ field: 'tariffId', message: atDestination });
  if (bundle?.siteId !== destination.id) elsewhere.push({ field: 'minuteBundleId', message: atDestination });
  const byId = new Map(spaces.map((s) => [s.id, s]));
  request.spaceIds.forEach((id, i) => {
    if (byId.get(id)?.siteId !== destination.id) elsewhere.push({ field: `spaceIds.${i}`, message: atDestination });
  });
  if (elsewhere.length > 0) {
    throw new MoveRequestError(
      Code.ChoiceNotAtDestination,
      `Every tariff, minute bundle and space must belong to ${destination.name}`,
      elsewhere,
    );
  }
  return { id: destination.id, name: destination.name };
}

/**
 * Inside the move's insert: takes the destination, then checks that what the move promises there is
 * still free. Starts to one site queue on its row, so two of them cannot both promise one space or
 * one client name; the chosen spaces are locked as well, so nothing assigns or releases them meanwhile.
 */
async function claimDestination(
  tx: Prisma.TransactionClient,
  request: StartMoveRequest,
  { client, destination }: CheckedRequest,
): Promise<void> {
  // NO KEY UPDATE: rows that merely reference the site (foreign keys) are not held up.
  await tx.$queryRaw`SELECT id FROM site WHERE id = ${destination.id}::uuid FOR NO KEY UPDATE`;
  if (request.spaceIds.length > 0) {
    await tx.$queryRaw`SELECT id FROM space WHERE id = ANY(${request.spaceIds}::uuid[]) ORDER BY id FOR UPDATE`;
  }

  // Client names are unique per site: one already there, or on its way, would stop this move half-way.
  const namesake = await tx.client.findFirst({
    where: {
      name: client.name,
      id: { not: client.id },
      OR: [
        { siteId: destination.id },
        { moves: { some: { destinationSiteId: destination.id, status: { in: [...ACTIVE_PHASES] } } } },
      ],
    },
    select: { siteId: true },
  });
  if (namesake) {
    const clash =
      namesake.siteId === destination.id
        ? `already has a client named ${client.name}`
        : `is the destination of another move of a client named ${client.name}`;
    throw new MoveRequestError(
      Code.ClientNameTaken,
      `${destination.name} ${clash}; client names are unique per site, rename one of them first`,
      [{ field: 'destinationSiteId', message: clash }],
    );
  }

  const spaces = await tx.space.findMany({
    where: { id: { in: request.spaceIds } },
    select: {
      id: true,
      name: true,
      clientId: true,
      // A space already promised to another unfinished move is as good as taken.
      moveSpaces: { where: { role: 'TARGET', move: { status: { in: [...ACTIVE_PHASES] } } }, select: { moveId: true } },
    },
  });
  const byId = new Map(spaces.map((s) => [s.id, s]));
  const taken: FieldError[] = [];
  request.spaceIds.forEach((id, i) => {
    const space = byId.get(id);
    if (!space) return;
    if (space.clientId === client.id) {
      // Already the client's own: rolling the move back would release a space it held before.
      taken.push({ field: `spaceIds.${i}`, message: `${space.name} is occupied by ${client.name} already` });
    } else if (space.clientId !== null) {
      taken.push({ field: `spaceIds.${i}`, message: `${space.name} is occupied` });
    } else if (space.moveSpaces.length > 0) {
      taken.push({ field: `spaceIds.${i}`, message: `${space.name} is promised to another scheduled move` });
    }
  });
  if (taken.length > 0) {
    throw new MoveRequestError(Code.SpaceOccupied, 'A chosen space is not vacant', taken);
  }
}

function activeMoveExists(clientName: string, active: { id: string; status: string } | null): MoveRequestError {
  return new MoveRequestError(
    Code.ActiveMoveExists,
    active
      ? `${clientName} already has a move in progress (${active.status}); finish or cancel it first`
      : `${clientName} already has a move in progress`,
    [],
    { activeMoveId: active?.id ?? null },
  );
}

async function findByIdempotencyKey(db: Db, operatorId: string, idempotencyKey: string) {
  return db.clientSiteMove.findUnique({
    where: { requestedById_idempotencyKey: { requestedById: operatorId, idempotencyKey } },
    select: { id: true, runId: true, requestFingerprint: true },
  });
}

function replay(
  earlier: { id: string; runId: string | null; requestFingerprint: string | null },
  fingerprint: string | null,
): StartedMove {
  if (earlier.requestFingerprint !== fingerprint) {
    throw new MoveRequestError(
      Code.IdempotencyKeyReused,
      'This Idempotency-Key was already used with a different request; use a new key for a new request',
      [{ field: 'Idempotency-Key', message: 'was used before with a different body' }],
      { moveId: earlier.id },
    );
  }
  if (earlier.runId === null) {
    throw new MoveRequestError(
      Code.IdempotentRequestInProgress,
      'A request with this Idempotency-Key is still being processed; retry shortly',
      [],
      { moveId: earlier.id },
    );
  }
  return { moveId: earlier.id, replayed: true };
}

async function removeUnstartedMove(deps: StartMoveDeps, moveId: string): Promise<void> {
  try {
    // Spaces and the audit entry go with it (ON DELETE CASCADE).
    await deps.db.clientSiteMove.delete({ where: { id: moveId } });
  } catch (error) {
    deps.onCleanupFailure?.(moveId, error);
  }
}

/** The request as a stable string: same fields, same values, same fingerprint, whatever the key order. */
export function requestFingerprint(request: StartMoveRequest): string {
  const canonical = {
    clientId: request.clientId,
    destinationSiteId: request.destinationSiteId,
    tariffId: request.tariffId,
    minuteBundleId: request.minuteBundleId,
    spaceIds: request.spaceIds,
    moveAt: request.moveAt,
    notifyOperatorId: request.notifyOperatorId ?? null,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** The name of the unique index a Prisma write ran into, if that is why it failed. */
function violatedUniqueIndex(error: unknown): string | null {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return null;
  // Through the pg driver adapter the index name is only in the driver's message.
  const message = JSON.stringify(error.meta ?? {});
  const match = /unique constraint \\"([^\\"]+)\\"/.exec(message);
  return match?.[1] ?? null;
}
