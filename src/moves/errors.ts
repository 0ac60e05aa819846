// Why a request about a move was refused, in domain terms. The API maps each code to an HTTP status
// and a problem type in one place (src/api/problem.ts); nothing here knows about HTTP.

export const MoveRequestErrorCode = {
  ClientNotFound: 'ClientNotFound',
  MoveNotFound: 'MoveNotFound',
  SiteNotFound: 'SiteNotFound',
  /** The client already has a move that is not finished. */
  ActiveMoveExists: 'ActiveMoveExists',
  /** Temporal already runs a workflow with the move's id (started outside this API, or still finishing). */
  WorkflowAlreadyRunning: 'WorkflowAlreadyRunning',
  /** An earlier request with the same Idempotency-Key has not finished yet. */
  IdempotentRequestInProgress: 'IdempotentRequestInProgress',
  /** The move's phase does not allow the action (from the workflow's update validators). */
  PhaseDoesNotAllow: 'PhaseDoesNotAllow',
  /** The move's workflow has finished; it takes no more actions. */
  MoveFinished: 'MoveFinished',
  ClientNotActive: 'ClientNotActive',
  DestinationIsCurrentSite: 'DestinationIsCurrentSite',
  DestinationUnknown: 'DestinationUnknown',
  /** A tariff, minute bundle or space that does not belong to the destination site. */
  ChoiceNotAtDestination: 'ChoiceNotAtDestination',
  /** A chosen space is occupied (by anyone, the moving client too), or promised to another client's move. */
  SpaceOccupied: 'SpaceOccupied',
  /** The destination has, or is about to receive, a client with the same name (names are unique per site). */
  ClientNameTaken: 'ClientNameTaken',
  MoveTimeInPast: 'MoveTimeInPast',
  NotifyOperatorUnknown: 'NotifyOperatorUnknown',
  /** The same Idempotency-Key was used before with a different request body. */
  IdempotencyKeyReused: 'IdempotencyKeyReused',
  /** From the workflow's reschedule validator. */
  InvalidMoveTime: 'InvalidMoveTime',
  /** From the workflow's cancel validator. */
  InvalidReason: 'InvalidReason',
  /** Temporal could not be reached, or did not answer in time. Nothing was changed. */
  TemporalUnavailable: 'TemporalUnavailable',
  /**
   * Temporal did not answer a start, nor whether the run exists. The move stays recorded (its workflow
   * may be running); the caller reads it instead of trying again.
   */
  StartOutcomeUnknown: 'StartOutcomeUnknown',
} as const;
export type MoveRequestErrorCode = (typeof MoveRequestErrorCode)[keyof typeof MoveRequestErrorCode];

/** A request field a refusal is about, e.g. `{ field: 'spaceIds.1', message: 'is occupied' }`. */
export interface FieldError {
  field: string;
  message: string;
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
