// The shape of a client site move, shared by the API, the workflow and the activities.
// Pure data and rules only: this module is imported by workflow code, so it does no I/O.

export const MOVE_PHASES = [
  'SCHEDULED',
  'MOVING',
  'NEEDS_ATTENTION',
  'ROLLING_BACK',
  'COMPLETED',
  'ROLLED_BACK',
  'CANCELLED',
  'FAILED',
] as const;
export type MovePhase = (typeof MOVE_PHASES)[number];

/** Phases in which a move holds its client (one active move per client). */
export const ACTIVE_PHASES = ['SCHEDULED', 'MOVING', 'NEEDS_ATTENTION', 'ROLLING_BACK'] as const satisfies MovePhase[];
export const FINAL_PHASES = ['COMPLETED', 'ROLLED_BACK', 'CANCELLED', 'FAILED'] as const satisfies MovePhase[];
export type FinalPhase = (typeof FINAL_PHASES)[number];

export function isFinalPhase(phase: MovePhase): phase is FinalPhase {
  return (FINAL_PHASES as readonly MovePhase[]).includes(phase);
}

export const ITEM_KINDS = ['SERVICE', 'PHONE_NUMBER', 'USER'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/**
 * The move's forward steps, in the order they run (make-before-break: the client's services exist
 * at the destination before anything leaves the source, and the source services go last).
 */
export const MOVE_STEPS = [
  'PROVISION_SERVICES',
  'REHOME_PHONE_NUMBERS',
  'MOVE_USERS',
  'APPLY_TARIFF_AND_BUNDLE',
  'ASSIGN_SPACES',
  'DECOMMISSION_SOURCE_SERVICES',
] as const;
export type MoveStep = (typeof MOVE_STEPS)[number];

/** Steps that work through the move's items in batches, and the kind of item each carries. */
export const BATCHED_STEP_KIND = {
  PROVISION_SERVICES: 'SERVICE',
  REHOME_PHONE_NUMBERS: 'PHONE_NUMBER',
  MOVE_USERS: 'USER',
  DECOMMISSION_SOURCE_SERVICES: 'SERVICE',
} as const satisfies Partial<Record<MoveStep, ItemKind>>;
export type BatchedStep = keyof typeof BATCHED_STEP_KIND;

export function isBatchedStep(step: MoveStep): step is BatchedStep {
  return step in BATCHED_STEP_KIND;
}

export interface KindProgress {
  total: number;
  done: number;
}

export interface ItemProgress {
  users: KindProgress;
  phoneNumbers: KindProgress;
  services: KindProgress;
}

export const PROGRESS_KEY: Record<ItemKind, keyof ItemProgress> = {
  SERVICE: 'services',
  PHONE_NUMBER: 'phoneNumbers',
  USER: 'users',
};

/** A failure as the dashboard and on-call see it. */
export interface MoveError {
  /** ApplicationFailure type, e.g. PhoneNumberBlocked; `Unknown` when the cause had none. */
  type: string;
  message: string;
  step: string | null;
  /** The item the failure is about, when it is about one. */
  item: { kind: ItemKind | 'SPACE'; id: string; label: string } | null;
  /** True when retrying the same thing cannot help; an operator must act. */
  nonRetryable: boolean;
  at: string;
}

export type EmailState = 'NOT_REQUESTED' | 'PENDING' | 'SENT' | 'FAILED';

/** What the `progress` query returns, and what the dashboard task mirrors in the database. */
export interface MoveProgress {
  moveId: string;
  phase: MovePhase;
  /** ISO-8601; when the move runs (now, for a move-now). */
  scheduledFor: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** A MoveStep, `rollback:<MoveStep>`, `WAITING`, `SNAPSHOT`, or null when finished. */
  currentStep: string | null;
  items: ItemProgress;
  lastError: MoveError | null;
  /** In NEEDS_ATTENTION: when the move rolls back by itself if no one decides. */
  decisionDeadline: string | null;
  /** After a failed rollback: what a human must put right. */
  needsHuman: MoveError[];
  email: { state: EmailState; error: string | null };
  cancelReason: string | null;
  updatedAt: string;
}

export interface ClientSiteMoveInput {
  moveId: string;
  clientId: string;
  clientName: string;
  sourceSiteId: string;
  destinationSiteId: string;
  /** ISO-8601. For a move-now, the time it was requested. */
  scheduledFor: string;
  moveNow: boolean;
  /** True when a T2 contact is to be emailed the outcome. */
  notify: boolean;
  /** Items per activity call. */
  batchSize: number;
  /** How long NEEDS_ATTENTION waits for an operator before rolling back by itself, e.g. "24 hours". */
  decisionTimeout: string;
  /**
   * How far ahead a reschedule may move the move, e.g. "365 days" (MOVE_MAX_AHEAD). Absent in runs
   * started before it existed: those use the default.
   */
  moveMaxAhead?: string;
}

export interface ClientSiteMoveResult {
  phase: FinalPhase;
  progress: MoveProgress;
}

/** A move that is scheduled and has not started: what the workflow and the dashboard begin with. */
export function scheduledProgress(moveId: string, scheduledFor: string, notify: boolean, now: string): MoveProgress {
  return {
    moveId,
    phase: 'SCHEDULED',
    scheduledFor: new Date(scheduledFor).toISOString(),
    startedAt: null,
    finishedAt: null,
    currentStep: 'WAITING',
    items: emptyItemProgress(),
    lastError: null,
    decisionDeadline: null,
    needsHuman: [],
    email: { state: notify ? 'PENDING' : 'NOT_REQUESTED', error: null },
    cancelReason: null,
    updatedAt: now,
  };
}

export function emptyItemProgress(): ItemProgress {
  return {
    users: { total: 0, done: 0 },
    phoneNumbers: { total: 0, done: 0 },
    services: { total: 0, done: 0 },
  };
}

/** Workflow id of a client's move: one running move per client, enforced by Temporal's id policy. */
export function moveWorkflowId(clientId: string): string {
  return `client-site-move-${clientId}`;
}

export const MOVE_TASK_QUEUE_DEFAULT = 'client-site-move';
