// What the ClientSiteMove workflow asks of the world. createActivities() implements it over
// PostgreSQL and SendGrid; workflow tests implement it locally. Every activity is idempotent:
// running it twice, or again after a crash half-way, leaves the same state as running it once.
import type { EmailState, FinalPhase, ItemProgress, MoveCheck, MoveProgress, ReviewChanges } from '../domain/move';
import type { BatchedActivityName, SingleActivityName } from '../domain/steps';

export interface MoveRef {
  moveId: string;
}

/** What a step's activity (and the snapshot) is called with. */
export interface StepRef extends MoveRef {
  /**
   * The progress to mirror as the step begins, written in the step's own transaction after the
   * move's lock, as recordProgress would (PATCHES.mirrorInStep): one local activity fewer per mirror.
   */
  mirror?: MoveProgress;
}

export interface BatchInput extends StepRef {
  batchSize: number;
}

/** After one batch: what is left, and how many items of the kind are now in the step's end state. */
export interface BatchResult {
  /** Items this call changed (0 when a retry found the work already done). */
  processed: number;
  /** Items still to do for this step; the workflow calls again until it is 0. */
  remaining: number;
  /** Items of the step's kind that are moved (forward) or still moved (rollback). */
  done: number;
}

export interface FinishInput extends MoveRef {
  phase: FinalPhase;
  progress: MoveProgress;
}

export interface EmailOutcome {
  state: Extract<EmailState, 'SENT' | 'NOT_REQUESTED'>;
}

/** The outcome email's own workflow: what to send, and how long to keep trying through outages. */
export interface OutcomeEmailInput extends FinishInput {
  /** e.g. "24 hours". */
  deliveryWindow: string;
}

/** What the pre-move check found: problems hold the move before anything moves; warnings are shown. */
export interface PreflightResult {
  problems: MoveCheck[];
  warnings: MoveCheck[];
}

export interface WarningsEmailInput extends MoveRef {
  warnings: MoveCheck[];
  /** Names the set: one email per set of warnings. */
  digest: string;
}

/** A set of warnings for the warnings email's own workflow (moveWarningsEmail). */
export interface WarningsEmailDelivery extends WarningsEmailInput {
  /** The move's scheduled time: the email is news until then (and tried for a while at least). */
  deliverBy: string;
}

export interface WarningsGiveUpInput extends MoveRef {
  digest: string;
  reason: string;
}

export interface WarningsNewsInput extends MoveRef {
  /** The set's digest: names the email workflow that asks. */
  digest: string;
}

export interface EmailGiveUpInput extends MoveRef {
  phase: FinalPhase;
  reason: string;
}

export interface MoveActivities {
  /** Client becomes ACTIVE_MOVE_SCHEDULED, a task opens at the destination, the audit says so. */
  markMoveScheduled(input: MoveRef): Promise<void>;
  /** Mirrors the workflow's progress onto the move row and its dashboard task. */
  recordProgress(progress: MoveProgress): Promise<void>;
  /** The pre-move check, on the move as it stands: what would stop it now, and what could surprise it. */
  preflightCheck(input: MoveRef): Promise<PreflightResult>;
  /** Emails the T2 contact a new set of warnings, once per set. */
  sendWarningsEmail(input: WarningsEmailInput): Promise<EmailOutcome>;
  /** What was added or removed since the operator's review; null when the review was not recorded. */
  compareWithReview(input: MoveRef): Promise<ReviewChanges | null>;
  /**
   * Reads the client's users, phone numbers and services as they are now, records one move item
   * each, and the tariff, bundle and spaces the client holds (what a rollback restores).
   */
  snapshotMoveItems(input: StepRef): Promise<ItemProgress>;

  // Forward steps, in the order of the step table (src/domain/steps.ts).
  provisionServices(input: BatchInput): Promise<BatchResult>;
  rehomePhoneNumbers(input: BatchInput): Promise<BatchResult>;
  moveUsers(input: BatchInput): Promise<BatchResult>;
  applyTariffAndBundle(input: StepRef): Promise<void>;
  assignSpaces(input: StepRef): Promise<void>;
  decommissionSourceServices(input: BatchInput): Promise<BatchResult>;

  // Compensations, one per forward step; each undoes only what its step did.
  removeProvisionedServices(input: BatchInput): Promise<BatchResult>;
  restorePhoneNumbers(input: BatchInput): Promise<BatchResult>;
  restoreUsers(input: BatchInput): Promise<BatchResult>;
  restoreTariffAndBundle(input: MoveRef): Promise<void>;
  restoreSpaces(input: MoveRef): Promise<void>;
  recommissionSourceServices(input: BatchInput): Promise<BatchResult>;

  /** Final bookkeeping: client status, task closed, move row final, audit. */
  finishMove(input: FinishInput): Promise<void>;
  /** Hands the outcome email to its own workflow (moveOutcomeEmail), which delivers it apart from the move. */
  deliverOutcomeEmail(input: OutcomeEmailInput): Promise<void>;
  /** Emails the chosen T2 contact the outcome, through the outbox: sent at most once. */
  sendOutcomeEmail(input: FinishInput): Promise<EmailOutcome>;
  /** Delivery gave up (window over, or outcome uncertain): the outbox and the move say so for good. */
  giveUpOutcomeEmail(input: EmailGiveUpInput): Promise<void>;
  /** Hands a set of warnings to its own email workflow (moveWarningsEmail): safe to run twice. */
  deliverWarningsEmail(input: WarningsEmailDelivery): Promise<void>;
  /** Delivery of a warnings email gave up: its outbox row says so for good. */
  giveUpWarningsEmail(input: WarningsGiveUpInput): Promise<void>;
  /**
   * Until when a set of warnings is news: the move's scheduled time while it still waits to run (it
   * may have been rescheduled since the set was handed over); null once it runs, ran or was cancelled.
   */
  warningsNewsUntil(input: WarningsNewsInput): Promise<string | null>;
}

/** Compile-time: every activity the step table names is here, with the shape its row says. */
type StepActivityShapes = Record<BatchedActivityName, (input: BatchInput) => Promise<BatchResult>> &
  Record<SingleActivityName, (input: MoveRef) => Promise<void>>;
type Assert<T extends true> = T;
export type StepTableMatchesContract = Assert<MoveActivities extends StepActivityShapes ? true : false>;
