// Why a request about a move was refused, in domain terms: one table, one row per refusal. A new
// refusal is one row here; the API derives its problem type, status and each route's documented
// answers from the row (src/api/problem.ts), and nothing here knows about HTTP.
import type { SubjectKind } from '../domain/move';

/** What kind of refusal it is: the API maps each kind to one status. */
export type RefusalKind = 'not-found' | 'conflict' | 'unprocessable' | 'unavailable';

/** The requests a refusal can answer; each API route documents the refusals of its operation. */
export type MoveOperation = 'start' | 'readMove' | 'action' | 'cancel' | 'reschedule' | 'readClient' | 'readSite';

interface Refusal {
  /** The stable problem slug clients match on. */
  slug: string;
  kind: RefusalKind;
  title: string;
  on: readonly MoveOperation[];
  /** Refusals that pass with time: how long to wait before trying again. */
  retryAfterSeconds?: number;
}

export const MOVE_REFUSALS = {
  ClientNotFound: {
    slug: 'client-not-found',
    kind: 'not-found',
    title: 'Client not found',
    on: ['start', 'readClient'],
  },
  MoveNotFound: { slug: 'move-not-found', kind: 'not-found', title: 'Move not found', on: ['readMove', 'action'] },
  SiteNotFound: { slug: 'site-not-found', kind: 'not-found', title: 'Site not found', on: ['readSite'] },
  /** The client already has a move that is not finished. */
  ActiveMoveExists: {
    slug: 'active-move-exists',
    kind: 'conflict',
    title: 'The client already has a move in progress',
    on: ['start'],
  },
  /** Temporal already runs a workflow with the move's id (started outside this API, or still finishing). */
  WorkflowAlreadyRunning: {
    slug: 'workflow-already-running',
    kind: 'conflict',
    title: "The client's move workflow is still running",
    on: ['start'],
  },
  /** An earlier request with the same Idempotency-Key has not finished yet. */
  IdempotentRequestInProgress: {
    slug: 'idempotent-request-in-progress',
    kind: 'conflict',
    title: 'A request with this Idempotency-Key is in progress',
    on: ['start'],
    retryAfterSeconds: 1,
  },
  /** The move's phase does not allow the action (from the workflow's update validators). */
  PhaseDoesNotAllow: {
    slug: 'phase-does-not-allow',
    kind: 'conflict',
    title: "The move's phase does not allow this",
    on: ['action'],
  },
  /** The move's workflow has finished; it takes no more actions. */
  MoveFinished: { slug: 'move-finished', kind: 'conflict', title: 'The move has finished', on: ['action'] },
  ClientNotActive: {
    slug: 'client-not-active',
    kind: 'unprocessable',
    title: 'The client is not active',
    on: ['start'],
  },
  DestinationIsCurrentSite: {
    slug: 'destination-is-current-site',
    kind: 'unprocessable',
    title: 'The destination is the current site',
    on: ['start'],
  },
  DestinationUnknown: {
    slug: 'destination-unknown',
    kind: 'unprocessable',
    title: 'The destination site does not exist',
    on: ['start'],
  },
  /** A tariff, minute bundle or space that does not belong to the destination site. */
  ChoiceNotAtDestination: {
    slug: 'choice-not-at-destination',
    kind: 'unprocessable',
    title: 'A choice does not belong to the destination site',
    on: ['start'],
  },
  /** A chosen space is occupied (by anyone, the moving client too), or promised to another client's move. */
  SpaceOccupied: {
    slug: 'space-occupied',
    kind: 'unprocessable',
    title: 'A chosen space is not vacant',
    on: ['start'],
  },
  /** The destination has, or is about to receive, a client with the same name (names are unique per site). */
  ClientNameTaken: {
    slug: 'client-name-taken',
    kind: 'unprocessable',
    title: 'The destination already has a client with this name',
    on: ['start'],
  },
  MoveTimeInPast: {
    slug: 'move-time-in-past',
    kind: 'unprocessable',
    title: 'The move time is in the past',
    on: ['start'],
  },
  /** A local move time read in the wrong zone, or one the clocks skip at the destination. */
  InvalidLocalTime: {
    slug: 'invalid-local-time',
    kind: 'unprocessable',
    title: 'The local move time is not a time at the destination site',
    on: ['start', 'reschedule'],
  },
  NotifyOperatorUnknown: {
    slug: 'notify-operator-unknown',
    kind: 'unprocessable',
    title: 'The T2 contact to notify does not exist',
    on: ['start'],
  },
  /** The same Idempotency-Key was used before with a different request body. */
  IdempotencyKeyReused: {
    slug: 'idempotency-key-reused',
    kind: 'unprocessable',
    title: 'The Idempotency-Key was used for a different request',
    on: ['start'],
  },
  /** From the workflow's reschedule validator. */
  InvalidMoveTime: {
    slug: 'invalid-move-time',
    kind: 'unprocessable',
    title: 'The new move time is not valid',
    on: ['reschedule'],
  },
  /** From the workflow's cancel validator. */
  InvalidReason: { slug: 'invalid-reason', kind: 'unprocessable', title: 'The reason is not valid', on: ['cancel'] },
  /** Temporal could not be reached, or did not answer in time. Nothing was changed. */
  TemporalUnavailable: {
    slug: 'temporal-unavailable',
    kind: 'unavailable',
    title: 'Temporal is unavailable',
    on: ['start', 'action'],
    retryAfterSeconds: 5,
  },
  /**
   * Temporal did not answer a start, nor whether the run exists. The move stays recorded (its workflow
   * may be running); the caller reads it instead of trying again.
   */
  StartOutcomeUnknown: {
    slug: 'start-outcome-unknown',
    kind: 'unavailable',
    title: 'Whether the move started is not known yet',
    on: ['start'],
  },
} as const satisfies Record<string, Refusal>;

export type MoveRequestErrorCode = keyof typeof MOVE_REFUSALS;
export type RefusalSlug = (typeof MOVE_REFUSALS)[MoveRequestErrorCode]['slug'];

/** The codes by name, for `new MoveRequestError(MoveRequestErrorCode.SpaceOccupied, …)`. */
export const MoveRequestErrorCode = Object.fromEntries(Object.keys(MOVE_REFUSALS).map((code) => [code, code])) as {
  readonly [C in MoveRequestErrorCode]: C;
};

/** The refusals a request of this operation can meet (documentation of each route). */
export function refusalsOn(operation: MoveOperation): RefusalSlug[] {
  return Object.values(MOVE_REFUSALS)
    .filter((r) => (r.on as readonly MoveOperation[]).includes(operation))
    .map((r) => r.slug);
}

/** A request field a refusal is about, e.g. `{ field: 'spaceIds.1', message: 'is occupied' }`. */
export interface FieldError {
  field: string;
  message: string;
  /** What the field names, when it names a thing (a space, a client). */
  item?: { kind: SubjectKind; id: string; label: string };
}

export class MoveRequestError extends Error {
  override readonly name = 'MoveRequestError';

  constructor(
    readonly code: MoveRequestErrorCode,
    message: string,
    readonly fields: FieldError[] = [],
    /** Extra facts a caller can act on, e.g. the id of the move that is in the way. */
    readonly extra: Record<string, string | number | null> = {},
  ) {
    super(message);
  }
}
