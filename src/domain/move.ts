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

/** What a failure or a check finding can be about: an item that moves, a space, a client, a kind of service. */
export type SubjectKind = ItemKind | 'SPACE' | 'CLIENT' | 'SERVICE_TYPE';
export const SUBJECT_KINDS = [...ITEM_KINDS, 'SPACE', 'CLIENT', 'SERVICE_TYPE'] as const satisfies SubjectKind[];

/** A failure as the dashboard and on-call see it. */
export interface MoveError {
  /** ApplicationFailure type, e.g. PhoneNumberBlocked; `Unknown` when the cause had none. */
  type: string;
  message: string;
  step: string | null;
  /** The item the failure is about, when it is about one. */
  item: { kind: SubjectKind; id: string; label: string } | null;
  /** True when retrying the same thing cannot help; an operator must act. */
  nonRetryable: boolean;
  at: string;
}

export const EMAIL_STATES = ['NOT_REQUESTED', 'PENDING', 'SENT', 'FAILED', 'UNCERTAIN'] as const;
/**
 * The outcome email, as its outbox row says: PENDING until sent (retrying through mail outages), SENT,
 * FAILED once delivery gave up, UNCERTAIN when a send stopped half-way (never resent automatically).
 */
export type EmailState = (typeof EMAIL_STATES)[number];

/**
 * A finding of the pre-move check: a problem (the move cannot run as chosen) or a warning (it would
 * stop or surprise the move later). The same shape from the API's check and the workflow's preflight.
 */
export interface MoveCheck {
  /** Stable, kebab-case: e.g. space-occupied, phone-number-blocked, service-type-not-offered. */
  type: string;
  message: string;
  /** The request field it is about, e.g. spaceIds.1; null when it is about no field. */
  field: string | null;
  item: { kind: SubjectKind; id: string; label: string } | null;
}

/** Names a set of findings, whatever their order: the same set, the same digest (FNV-1a, 32 bits). */
export function checksDigest(checks: MoveCheck[]): string {
  const text = checks
    .map((c) => `${c.type}|${c.field ?? ''}|${c.item?.id ?? ''}`)
    .sort()
    .join('\n');
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** What the wizard's review steps showed, per kind: how many, and a digest of which (ids, sorted). */
export interface ReviewedCounts {
  users: { count: number; digest: string };
  phoneNumbers: { count: number; digest: string };
  services: { count: number; digest: string };
}

/** What changed in the client between the operator's review (Finish) and the move's own snapshot. */
export interface ReviewChanges {
  added: { users: number; phoneNumbers: number; services: number };
  removed: { users: number; phoneNumbers: number; services: number };
  /** The first few items added or removed, for people. */
  items: { change: 'added' | 'removed'; kind: ItemKind; id: string; label: string }[];
}

/** What an operator can decide about a move. */
export const MOVE_ACTIONS = ['reschedule', 'move-now', 'cancel', 'retry', 'rollback'] as const;
export type MoveActionKind = (typeof MOVE_ACTIONS)[number];

/** Who asked the workflow for something: an operator through the API, or null (Temporal Web, the CLI). */
export interface ActionBy {
  operatorId: string;
}

/** A decision the workflow took, and who asked for it: the audit trail names `temporal` when no operator did. */
export interface MoveActionTaken {
  action: MoveActionKind;
  /** The operator who asked through the API; null: asked in Temporal (Temporal Web, the CLI, a cancel). */
  byOperatorId: string | null;
  at: string;
  /** e.g. the new time of a reschedule, the reason of a cancel. */
  detail: string | null;
}

/** A step held up by something only time can fix (the database unreachable, timeouts). */
export interface MoveOutage {
  /** The failure's type, e.g. DatabaseUnavailable or Timeout. */
  type: string;
  message: string;
  step: string;
  since: string;
  /** After this the move stops waiting and asks an operator (NEEDS_ATTENTION). */
  givesUpAt: string;
}

/** What the `progress` query returns, and what the dashboard task mirrors in the database. */
export interface MoveProgress {
  moveId: string;
  phase: MovePhase;
  /** ISO-8601; when the move runs (now, for a move-now). */
  scheduledFor: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** A MoveStep (src/domain/steps.ts), `rollback:<MoveStep>`, `WAITING`, `SNAPSHOT`, or null when finished. */
  currentStep: string | null;
  items: ItemProgress;
  lastError: MoveError | null;
  /** In NEEDS_ATTENTION: when the move rolls back by itself if no one decides. */
  decisionDeadline: string | null;
  /** After a failed rollback: what a human must put right. */
  needsHuman: MoveError[];
  email: { state: EmailState; error: string | null };
  cancelReason: string | null;
  /** While an outage holds a step up, it waits and retries by itself: what for, since when, until when. */
  outage: MoveOutage | null;
  /** The pre-move check's warnings, as of its last run (scheduling, a while before, and when due). */
  warnings: MoveCheck[];
  /** Set once the move has read the client: what was added or removed since the operator's review. */
  sinceReview: ReviewChanges | null;
  /** Every decision taken on the move, in order, with who asked for it. */
  actions: MoveActionTaken[];
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
  /** How long a step held up by an outage keeps retrying before it asks an operator; default 30 minutes. */
  outageWindow?: string;
  /** How long the outcome email keeps being retried through mail outages; default 24 hours. */
  emailDeliveryWindow?: string;
  /** The destination site's IANA zone: what people read (Temporal Web, emails) is in its local time. */
  siteTimeZone?: string;
  /** How long before the scheduled time the pre-move check runs again; default 1 hour. */
  preflightLead?: string;
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
    outage: null,
    warnings: [],
    sinceReview: null,
    actions: [],
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

/** Workflow id of a move's outcome email (moveOutcomeEmail): one per move. */
export function outcomeEmailWorkflowId(moveId: string): string {
  return `client-site-move-email-${moveId}`;
}

/** One warnings email per move and set of warnings (its digest). */
export function warningsEmailWorkflowId(moveId: string, digest: string): string {
  return `client-site-move-warnings-${moveId}-${digest}`;
}

/** The outbox's name for the outcome email of a move's final phase: sent at most once. */
export function outcomeEmailKey(moveId: string, phase: string): string {
  return `move:${moveId}:${phase}`;
}

export const MOVE_TASK_QUEUE_DEFAULT = 'client-site-move';
