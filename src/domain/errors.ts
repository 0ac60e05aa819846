// Failure types a move can meet. Activities throw them as ApplicationFailure types; the workflow,
// the dashboard and the API read them by name. Non-retryable ones need an operator.
import type { SubjectKind } from './move';

export const MoveFailureType = {
  /** A phone number the move carries is blocked by the carrier. */
  PhoneNumberBlocked: 'PhoneNumberBlocked',
  /** A chosen destination space was taken by another client after the move was scheduled. */
  SpaceOccupied: 'SpaceOccupied',
  /** A space held before the move can no longer be given back (rollback). */
  SpaceNotRestorable: 'SpaceNotRestorable',
  /** The move, its client or one of its choices no longer exists. */
  MoveDataMissing: 'MoveDataMissing',
  /** The chosen tariff or bundle no longer belongs to the destination. */
  InvalidChoice: 'InvalidChoice',
  /**
   * A workflow run other than the move's own asked an activity to act on the move (someone started a
   * second clientSiteMove for it by hand). Only the recorded run, or the first to claim an unrecorded
   * move, may drive it; the other run's activities are refused, so it fails without changing anything.
   */
  ForeignWorkflowRun: 'ForeignWorkflowRun',
} as const;
export type MoveFailureType = (typeof MoveFailureType)[keyof typeof MoveFailureType];

export const NON_RETRYABLE_MOVE_FAILURES: MoveFailureType[] = Object.values(MoveFailureType);

/** Details carried by a move ApplicationFailure, so the workflow can say which item failed. */
export interface MoveFailureDetails {
  item: { kind: SubjectKind; id: string; label: string } | null;
  /** Further items that failed in the same batch (the first is `item`). */
  moreFailedItems: number;
}

/**
 * Failures only time can fix: the database unreachable (activities say so with this type), or an
 * activity that timed out. A step meeting one waits and retries by itself for a while instead of
 * asking an operator at once.
 */
export const OutageFailureType = {
  DatabaseUnavailable: 'DatabaseUnavailable',
  Timeout: 'Timeout',
} as const;
export const OUTAGE_FAILURES: string[] = Object.values(OutageFailureType);

/** Failures of the outcome email (the workflow reads them; the activity throws them). */
export const EmailFailureType = {
  /** The provider answered with an error, timed out, or could not be reached: not sent; retried. */
  SendFailed: 'EmailSendFailed',
  /** An attempt stopped mid-send; the email may or may not have left. Non-retryable: a person checks. */
  OutcomeUncertain: 'EmailOutcomeUncertain',
} as const;
