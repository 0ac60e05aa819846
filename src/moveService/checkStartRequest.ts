// The rules a start must pass, answered from the data: the client and its active move, the
// destination and the choices there (tariff, bundle, spaces), the client's name at the destination,
// the time (an ISO time, or a local time at the destination site) and the contact. Every rule runs
// and every refusal is collected: the start (recordMove.ts, under its locks) is refused with the
// first, the check (POST /api/client-site-moves/check, writing nothing) lists them all. One code
// path, so the two never disagree.
import { Prisma } from '../db/client';
import { ACTIVE_PHASES, type ReviewedCounts } from '../domain/move';
import { instantOfLocalTime } from '../domain/timeZones';
import { findActiveMove } from './activeMove';
import { MoveRequestError, MoveRequestErrorCode as Code, type FieldError } from './errors';
import { readRows, type Reader } from './sqlReader';

export interface StartMoveRequest {
  clientId: string;
  destinationSiteId: string;
  tariffId: string;
  /** Null or left out: the client has no minute bundle at the destination. */
  minuteBundleId?: string | null;
  spaceIds: string[];
  /** `now`, an ISO-8601 time with offset, or a local date-time at the destination (with `timeZone`). */
  moveAt: string;
  /** With a local `moveAt`: the destination site's IANA zone, as the wizard showed it. */
  timeZone?: string | null;
  notifyOperatorId?: string | null;
  /** What the wizard's review steps showed (counts and digests), recorded with the move. */
  reviewed?: ReviewedCounts | null;
}

export interface CheckedRequest {
  client: { id: string; name: string; siteId: string };
  destination: { id: string; name: string; timeZone: string };
  moveNow: boolean;
  scheduledFor: Date;
  /** When the move was asked for as a local time at the destination: that time (the zone is the site's). */
  scheduledLocalTime: string | null;
  notifyOperatorId: string | null;
}

export interface StartEvaluation {
  /** Every refusal, in the order a start meets them. */
  problems: MoveRequestError[];
  /** The request as the data reads it; null when it was refused. */
  checked: CheckedRequest | null;
}

/** The moves that still hold their client, destination and spaces. */
const activePhases = () => Prisma.sql`${[...ACTIVE_PHASES]}::"MovePhase"[]`;

/**
 * Runs every rule; the first refusal is the start's answer. Plain SQL, one statement per question in
 * the order the rules ask them (a start runs this under its destination's lock).
 */
export async function evaluateStart(db: Reader, request: StartMoveRequest, now: Date): Promise<StartEvaluation> {
  const [client] = await readRows<CheckedRequest['client'] & { status: string }>(
    db,
    Prisma.sql`SELECT id, name, site_id AS "siteId", status::text AS status FROM client WHERE id = ${request.clientId}::uuid`,
  );
  if (!client) {
    return {
      problems: [new MoveRequestError(Code.ClientNotFound, `Client ${request.clientId} does not exist`)],
      checked: null,
    };
  }
  const problems: MoveRequestError[] = [];
  const active = await findActiveMove(db, client.id);
  if (active) problems.push(activeMoveExists(client.name, active));
  else if (client.status !== 'ACTIVE') {
    problems.push(
      new MoveRequestError(Code.ClientNotActive, `${client.name} is ${client.status}; only an ACTIVE client can move`),
    );
  }

  const destination = await findDestination(db, request, client, problems);
  if (destination) await checkChoices(db, request, destination, problems);
  const time = destination ? moveTime(request, destination, now, problems) : null;
  const notifyOperatorId = request.notifyOperatorId ?? null;
  if (notifyOperatorId !== null && !(await operatorExists(db, notifyOperatorId))) {
    problems.push(
      new MoveRequestError(Code.NotifyOperatorUnknown, `Operator ${notifyOperatorId} does not exist`, [
        { field: 'notifyOperatorId', message: 'is not a known T2 contact' },
      ]),
    );
  }
  if (destination) await checkDestinationClaims(db, request, client, destination, problems);
  if (problems.length > 0 || !destination || !time) return { problems, checked: null };
  return {
    problems,
    checked: {
      client,
      destination,
      moveNow: time.moveNow,
      scheduledFor: time.at,
      scheduledLocalTime: time.localTime,
      notifyOperatorId,
    },
  };
}

async function findDestination(
  db: Reader,
  request: StartMoveRequest,
  client: { name: string; siteId: string },
  problems: MoveRequestError[],
): Promise<CheckedRequest['destination'] | null> {
  if (request.destinationSiteId === client.siteId) {
    problems.push(
      new MoveRequestError(Code.DestinationIsCurrentSite, `${client.name} is already at that site`, [
        { field: 'destinationSiteId', message: "must differ from the client's current site" },
      ]),
    );
    return null;
  }
  const [destination] = await readRows<CheckedRequest['destination']>(
    db,
    Prisma.sql`SELECT id, name, time_zone AS "timeZone" FROM site WHERE id = ${request.destinationSiteId}::uuid`,
  );
  if (!destination) {
    problems.push(
      new MoveRequestError(Code.DestinationUnknown, `Site ${request.destinationSiteId} does not exist`, [
        { field: 'destinationSiteId', message: 'is not a known site' },
      ]),
    );
    return null;
  }
  return { id: destination.id, name: destination.name, timeZone: destination.timeZone };
}

/** Everything chosen belongs to the destination (whether the spaces are vacant comes with the claims). */
async function checkChoices(
  db: Reader,
  request: StartMoveRequest,
  destination: CheckedRequest['destination'],
  problems: MoveRequestError[],
): Promise<void> {
  // One after the other: inside a transaction they share one connection anyway. Null: no such row.
  const [sites] = await readRows<{ tariffSiteId: string | null; bundleSiteId: string | null }>(
    db,
    Prisma.sql`
      SELECT (SELECT site_id FROM tariff WHERE id = ${request.tariffId}::uuid) AS "tariffSiteId",
             (SELECT site_id FROM minute_bundle WHERE id = ${request.minuteBundleId ?? null}::uuid) AS "bundleSiteId"`,
  );
  const spaces = await readRows<{ id: string; name: string; siteId: string }>(
    db,
    Prisma.sql`SELECT id, name, site_id AS "siteId" FROM space WHERE id = ANY(${request.spaceIds}::uuid[])`,
  );
  const elsewhere: FieldError[] = [];
  const atDestination = `is not available at ${destination.name}`;
  if (sites?.tariffSiteId !== destination.id) elsewhere.push({ field: 'tariffId', message: atDestination });
  if (request.minuteBundleId && sites?.bundleSiteId !== destination.id) {
    elsewhere.push({ field: 'minuteBundleId', message: atDestination });
  }
  const byId = new Map(spaces.map((s) => [s.id, s]));
  request.spaceIds.forEach((id, i) => {
    const space = byId.get(id);
    if (space?.siteId === destination.id) return;
    elsewhere.push({
      field: `spaceIds.${i}`,
      message: atDestination,
      ...(space ? { item: { kind: 'SPACE' as const, id: space.id, label: space.name } } : {}),
    });
  });
  if (elsewhere.length > 0) {
    problems.push(
      new MoveRequestError(
        Code.ChoiceNotAtDestination,
        `Every tariff, minute bundle and space must belong to ${destination.name}`,
        elsewhere,
      ),
    );
  }
}

/** "now", an ISO time with offset, or a local time at the destination in its zone; never in the past. */
function moveTime(
  request: StartMoveRequest,
  destination: CheckedRequest['destination'],
  now: Date,
  problems: MoveRequestError[],
): { moveNow: boolean; at: Date; localTime: string | null } | null {
  if (request.moveAt === 'now') return { moveNow: true, at: now, localTime: null };
  const time = readMoveTime(request.moveAt, request.timeZone, destination);
  if ('refused' in time) {
    problems.push(time.refused);
    return null;
  }
  if (time.at.getTime() <= now.getTime()) {
    problems.push(
      new MoveRequestError(Code.MoveTimeInPast, `${request.moveAt} is in the past`, [
        { field: 'moveAt', message: 'must be "now" or a time in the future' },
      ]),
    );
    return null;
  }
  return { moveNow: false, ...time };
}

/**
 * A move time as given: an ISO time with offset, or a local date-time at the site read in its zone
 * (with the offset of that day, so a daylight-saving change in between does not move it). A local
 * time needs the site's own zone named beside it, and must exist there (the clocks skip some).
 */
export function readMoveTime(
  moveAt: string,
  timeZone: string | null | undefined,
  site: { name: string; timeZone: string },
): { at: Date; localTime: string | null } | { refused: MoveRequestError } {
  if (!isLocalTime(moveAt)) return { at: new Date(moveAt), localTime: null };
  if (timeZone !== site.timeZone) {
    return {
      refused: new MoveRequestError(
        Code.InvalidLocalTime,
        `A local move time is read in ${site.name}'s time zone, ${site.timeZone}`,
        [{ field: 'timeZone', message: `must be ${site.timeZone}, the destination site's zone` }],
      ),
    };
  }
  const instant = instantOfLocalTime(moveAt, site.timeZone);
  if (!instant.ok) {
    return {
      refused: new MoveRequestError(
        Code.InvalidLocalTime,
        instant.reason === 'does-not-exist'
          ? `${moveAt} does not exist in ${site.timeZone}: the clocks skip it`
          : `${moveAt} is not a local date and time`,
        [{ field: 'moveAt', message: 'is not a time at the destination site' }],
      ),
    };
  }
  return { at: instant.at, localTime: moveAt };
}

/** A date-time without an offset, e.g. 2026-12-01T09:00: a wall-clock time at the destination. */
export function isLocalTime(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value);
}

/**
 * What the move promises at the destination: no client of the same name there or on its way (names
 * are unique per site, so a clash would stop the move half-way), and every chosen space vacant and
 * promised to no other unfinished move. The start checks these under the destination's lock.
 */
async function checkDestinationClaims(
  db: Reader,
  request: StartMoveRequest,
  client: { id: string; name: string },
  destination: CheckedRequest['destination'],
  problems: MoveRequestError[],
): Promise<void> {
  const [namesake] = await readRows<{ id: string; siteId: string }>(
    db,
    Prisma.sql`
      SELECT c.id, c.site_id AS "siteId" FROM client c
      WHERE c.name = ${client.name} AND c.id <> ${client.id}::uuid
        AND (c.site_id = ${destination.id}::uuid OR EXISTS (
          SELECT 1 FROM client_site_move m
          WHERE m.client_id = c.id AND m.destination_site_id = ${destination.id}::uuid AND m.status = ANY(${activePhases()})))
      LIMIT 1`,
  );
  if (namesake) {
    const clash =
      namesake.siteId === destination.id
        ? `already has a client named ${client.name}`
        : `is the destination of another move of a client named ${client.name}`;
    problems.push(
      new MoveRequestError(
        Code.ClientNameTaken,
        `${destination.name} ${clash}; client names are unique per site, rename one of them first`,
        [{ field: 'destinationSiteId', message: clash, item: { kind: 'CLIENT', id: namesake.id, label: client.name } }],
      ),
    );
  }

  const spaces = await readRows<{ id: string; name: string; clientId: string | null; promised: boolean }>(
    db,
    Prisma.sql`
      SELECT s.id, s.name, s.client_id AS "clientId",
        -- A space already promised to another unfinished move is as good as taken.
        EXISTS (
          SELECT 1 FROM client_site_move_space ms JOIN client_site_move m ON m.id = ms.move_id
          WHERE ms.space_id = s.id AND ms.role = 'TARGET' AND m.status = ANY(${activePhases()})) AS promised
      FROM space s
      WHERE s.id = ANY(${request.spaceIds}::uuid[]) AND s.site_id = ${destination.id}::uuid`,
  );
  const byId = new Map(spaces.map((s) => [s.id, s]));
  const taken: FieldError[] = [];
  request.spaceIds.forEach((id, i) => {
    const space = byId.get(id);
    if (!space) return;
    const item = { kind: 'SPACE' as const, id: space.id, label: space.name };
    if (space.clientId === client.id) {
      // Already the client's own: rolling the move back would release a space it held before.
      taken.push({ field: `spaceIds.${i}`, message: `${space.name} is occupied by ${client.name} already`, item });
    } else if (space.clientId !== null) {
      taken.push({ field: `spaceIds.${i}`, message: `${space.name} is occupied`, item });
    } else if (space.promised) {
      taken.push({ field: `spaceIds.${i}`, message: `${space.name} is promised to another scheduled move`, item });
    }
  });
  if (taken.length > 0) problems.push(new MoveRequestError(Code.SpaceOccupied, 'A chosen space is not vacant', taken));
}

async function operatorExists(db: Reader, operatorId: string): Promise<boolean> {
  const rows = await readRows<{ id: string }>(db, Prisma.sql`SELECT id FROM operator WHERE id = ${operatorId}::uuid`);
  return rows.length > 0;
}

export function activeMoveExists(clientName: string, active: { id: string; status: string } | null): MoveRequestError {
  return new MoveRequestError(
    Code.ActiveMoveExists,
    active
      ? `${clientName} already has a move in progress (${active.status}); finish or cancel it first`
      : `${clientName} already has a move in progress`,
    [],
    { activeMoveId: active?.id ?? null },
  );
}
