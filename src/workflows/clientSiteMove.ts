// The ClientSiteMove workflow, with the query and updates that drive it. The flow reads like the
// product page; the steps it runs are the table in src/domain/steps.ts. All I/O is in activities,
// and `Date` here is Temporal's deterministic workflow clock.
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  type ActivityInterfaceFor,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { MoveActivities, PreflightResult, StepRef } from '../activities/contract';
import { durationMs } from '../domain/durations';
import { NON_RETRYABLE_MOVE_FAILURES, OUTAGE_FAILURES, type MoveFailureDetails } from '../domain/errors';
import {
  PROGRESS_KEY,
  checksDigest,
  scheduledProgress,
  type ActionBy,
  type ClientSiteMoveInput,
  type ClientSiteMoveResult,
  type FinalPhase,
  type MoveActionKind,
  type MoveCheck,
  type MoveError,
  type MovePhase,
  type MoveProgress,
} from '../domain/move';
import {
  MOVE_STEP_TABLE,
  isBatched,
  stepRow,
  type CompensationActivityName,
  type ForwardActivityName,
  type MoveStep,
  type StepRow,
} from '../domain/steps';
import { UpdateRejection } from '../domain/updates';
import {
  DEFAULT_TIME_ZONE,
  batchCount,
  decisionTimerSummary,
  moveCurrentDetails,
  stepActivitySummary,
  waitTimerSummary,
} from '../domain/moveSummary';
import { MovePhaseKey } from './searchAttributes';

/** Cheap and always answerable: the dashboard polls it. */
export const progressQuery = defineQuery<MoveProgress>('progress');
/** While SCHEDULED: run at another (future) time. */
// Each update takes, last, who asks (`by`): the API names its operator; Temporal Web and the CLI
// name no one, and the audit trail says `temporal`.
export const rescheduleUpdate = defineUpdate<MoveProgress, [moveAt: string, by?: ActionBy | null]>('reschedule');
/** While SCHEDULED: run now instead of waiting. */
export const moveNowUpdate = defineUpdate<MoveProgress, [by: ActionBy | null]>('moveNow');
/** While SCHEDULED (or held by the pre-move check): give the client back as it was; nothing has moved yet. */
export const cancelUpdate = defineUpdate<MoveProgress, [reason: string, by?: ActionBy | null]>('cancel');
/** In NEEDS_ATTENTION: run the failed step again (after someone fixed its cause). */
export const retryUpdate = defineUpdate<MoveProgress, [by: ActionBy | null]>('retry');
/** In NEEDS_ATTENTION: undo every completed step and give the client back at its source site. */
export const rollbackUpdate = defineUpdate<MoveProgress, [by: ActionBy | null]>('rollback');

export async function clientSiteMove(input: ClientSiteMoveInput): Promise<ClientSiteMoveResult> {
  const move = newMove(input);
  answerQueryAndUpdates(move);

  // The client shows "Active - move scheduled"; the destination's dashboard gets a task.
  await markScheduled(move);

  // Sleep until the scheduled time; reschedule, move now and cancel wake it.
  if ((await waitUntilDue(move)) === 'cancelled') {
    return CancellationScope.nonCancellable(() => finish(move, 'CANCELLED'));
  }

  // Move everything, make-before-break. A step that fails for good waits for an operator.
  const outcome = await moveEverything(move);

  // Finish, or undo in reverse order whatever began, then tell the T2 contact.
  return CancellationScope.nonCancellable(() => finishOrUndo(move, outcome));
}

// --------------------------------------------------------------------------------------- patches

/**
 * Changes to the workflow's commands since its first release. Each is taken only by runs that reach
 * it with this code (patched() records a marker), so runs recorded before it replay unchanged
 * (test/histories). Never remove one while runs that predate it may still be open.
 */
const PATCHES = {
  /** A step held up by an outage (database unreachable, timeouts) waits and retries for a while. */
  outageWait: 'outage-wait',
  /** A dashboard mirror that fell behind keeps catching up in the background. */
  mirrorCatchUp: 'mirror-catch-up',
  /** The outcome email is delivered by its own workflow, retried for hours, apart from the move. */
  emailWorkflow: 'email-workflow',
  /** Summaries and current details for Temporal Web. */
  temporalWebDetails: 'temporal-web-details',
  /**
   * The pre-move check as the move is scheduled, a while before it is due and when due (warnings
   * shown and emailed, problems hold it before anything moves), and what changed since the review.
   */
  checksBeforeMoving: 'checks-before-moving',
  /**
   * The dashboard mirror is written on phase changes and, between them, at most every
   * STEP_MIRROR_EVERY_MS as the steps go by, instead of before every step (fewer activity round
   * trips: docs/performance.md). The progress query stays live at every step.
   */
  stepMirrorThrottle: 'step-mirror-throttle',
  /**
   * The move's bookkeeping (its record, the dashboard mirror, the pre-move check, the review
   * comparison, handing the email over) runs as local activities: in the worker that runs the
   * workflow task, recorded as markers, without a round trip through Temporal's task queue each
   * (docs/performance.md). The steps stay activities: they heartbeat, and cancelling one waits for
   * its batch to stop.
   */
  localBookkeeping: 'local-bookkeeping',
  /**
   * A warnings email is delivered by its own workflow (moveWarningsEmail), retried through mail
   * outages until the move is due, instead of six attempts within the move (about a minute).
   */
  warningsEmailWorkflow: 'warnings-email-workflow',
  /**
   * A move due as it starts (move now, or a time already past) mirrors its progress once before it
   * moves, as MOVING: not also as SCHEDULED and after the check, which that mirror replaced within
   * the same workflow task (two local activities fewer: docs/performance.md). A move that waits, or
   * that the check holds, mirrors as before.
   */
  leanStart: 'lean-start',
  /**
   * The mirror as moving begins (MOVING) and as the first step begins (with the snapshot's totals) is
   * handed to the snapshot's and the first step's activity, which writes it in its own transaction
   * after the move's lock, instead of a local activity before each (docs/performance.md).
   */
  mirrorInStep: 'mirror-in-step',
  /**
   * The mirror's catch-up rests after MIRROR_CATCH_UP_ATTEMPTS tries in a row, until a later mirror
   * of the move fails again: retrying every 5 minutes for as long as a move waits (days, months)
   * grew its history towards Temporal's limit of 51,200 events.
   */
  mirrorCatchUpRests: 'mirror-catch-up-rests',
} as const;

// ------------------------------------------------------------------------------ activity policies

/** The move's own record must be written: retried until the database answers. */
const BOOKKEEPING: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** Best effort: the progress query stays the truth while the database mirror lags. */
const MIRROR: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
};

/** A step: transient failures retry with backoff; what retrying cannot fix goes to an operator. */
const MOVE_STEP: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  // A cancelled move rolls back only once the step in flight has stopped, never beside it.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 8,
    nonRetryableErrorTypes: NON_RETRYABLE_MOVE_FAILURES,
  },
};

/** Rollback keeps trying for about two hours before it hands the move to a human. */
const UNDO_STEP: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 30,
    nonRetryableErrorTypes: NON_RETRYABLE_MOVE_FAILURES,
  },
};

/**
 * About a minute in all: the move is already final, and while this run lasts its per-client
 * workflow id stays taken, so a new move for the client would be refused.
 */
const MAIL: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 6 },
};

/** Best effort: the move's own steps are the last word, so a check that cannot run is skipped. */
const PREFLIGHT: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
};

const { snapshotMoveItems } = proxyActivities<MoveActivities>(MOVE_STEP);
const { sendOutcomeEmail, sendWarningsEmail } = proxyActivities<MoveActivities>(MAIL);

/** The bookkeeping calls: activities, or local activities since PATCHES.localBookkeeping. */
type BookkeepingName =
  | 'markMoveScheduled'
  | 'finishMove'
  | 'deliverOutcomeEmail'
  | 'deliverWarningsEmail'
  | 'recordProgress'
  | 'preflightCheck'
  | 'compareWithReview';
type Bookkeeping = {
  readonly [K in BookkeepingName]: (...args: Parameters<MoveActivities[K]>) => ReturnType<MoveActivities[K]>;
};

function bookkeepingCalls(proxy: (options: ActivityOptions) => ActivityInterfaceFor<MoveActivities>): Bookkeeping {
  const { markMoveScheduled, finishMove, deliverOutcomeEmail } = proxy(BOOKKEEPING);
  const { recordProgress } = proxy(MIRROR);
  const { compareWithReview } = proxy(MOVE_STEP);
  // News before the move, not a reason to hold it: handed over within the check's own bounds.
  const { preflightCheck, deliverWarningsEmail } = proxy(PREFLIGHT);
  return {
    markMoveScheduled,
    finishMove,
    deliverOutcomeEmail,
    deliverWarningsEmail,
    recordProgress,
    preflightCheck,
    compareWithReview,
  };
}

/**
 * A local activity's retry that would wait longer than this waits on a durable timer instead of in
 * the worker: Temporal holds the progress query until an open workflow task completes, so a retry
 * never keeps the dashboard waiting (and tests skip the wait).
 */
const LOCAL_RETRY_THRESHOLD = '500 milliseconds';

/**
 * Attempts of a local activity at most (about a minute of backoff). Each local retry is a marker and
 * a timer in the history (an activity's retries are not), so bookkeeping that must retry for as long
 * as an outage lasts is handed to an ordinary activity after these (`orActivity`). Attempts, not a
 * time: a local activity's timeouts run on the worker's clock.
 */
const LOCAL_ATTEMPTS = 7;

const asLocal = ({ startToCloseTimeout, retry, cancellationType }: ActivityOptions): LocalActivityOptions => ({
  startToCloseTimeout,
  retry: { ...retry, maximumAttempts: Math.min(retry?.maximumAttempts ?? LOCAL_ATTEMPTS, LOCAL_ATTEMPTS) },
  cancellationType,
  localRetryThreshold: LOCAL_RETRY_THRESHOLD,
});

const ACTIVITY_BOOKKEEPING = bookkeepingCalls((options) => proxyActivities<MoveActivities>(options));
const LOCAL_BOOKKEEPING: Bookkeeping = (() => {
  const local = bookkeepingCalls((options) => proxyLocalActivities<MoveActivities>(asLocal(options)));
  return {
    ...local,
    markMoveScheduled: orActivity(local.markMoveScheduled, ACTIVITY_BOOKKEEPING.markMoveScheduled),
    finishMove: orActivity(local.finishMove, ACTIVITY_BOOKKEEPING.finishMove),
    deliverOutcomeEmail: orActivity(local.deliverOutcomeEmail, ACTIVITY_BOOKKEEPING.deliverOutcomeEmail),
  };
})();

/**
 * The local activity first; when it has failed LOCAL_ATTEMPTS times, the same call as an
 * ordinary activity with the same policy (retried until the database answers), so a long outage
 * keeps the history small. A refusal retrying cannot fix, or a cancellation, is the answer.
 */
function orActivity<I, O>(local: (input: I) => Promise<O>, activity: (input: I) => Promise<O>) {
  return async (input: I): Promise<O> => {
    try {
      return await local(input);
    } catch (error) {
      const cause = rootCause(error);
      if (isCancellation(error) || (cause instanceof ApplicationFailure && cause.nonRetryable)) throw error;
      log.warn('Bookkeeping kept failing as a local activity; retrying it as an activity', {
        error: messageOf(cause),
      });
      return activity(input);
    }
  };
}
/** A step's activities, with what Temporal Web shows for the call ("Move users: batch 3 of 20"). */
const moveStep = (summary?: string): Pick<MoveActivities, ForwardActivityName> =>
  proxyActivities<MoveActivities>({ ...MOVE_STEP, summary });
const undoStep = (summary?: string): Pick<MoveActivities, CompensationActivityName> =>
  proxyActivities<MoveActivities>({ ...UNDO_STEP, summary });

/** Between retries of a step held up by an outage: 30 s, doubling, at most 5 minutes. */
const OUTAGE_RETRY_FIRST_MS = 30_000;
const OUTAGE_RETRY_MAX_MS = 5 * 60_000;
/** Between attempts to catch the dashboard mirror up: 30 s, doubling, at most 5 minutes. */
const MIRROR_RETRY_FIRST_MS = 30_000;
const MIRROR_RETRY_MAX_MS = 5 * 60_000;
/** Tries in a row (about 48 minutes) before the catch-up rests (PATCHES.mirrorCatchUpRests). */
const MIRROR_CATCH_UP_ATTEMPTS = 12;
/** Between two mirrors of step progress in one phase (PATCHES.stepMirrorThrottle). */
const STEP_MIRROR_EVERY_MS = 5_000;

// ----------------------------------------------------------------------------------- the move

type Decision = 'retry' | 'rollback';

/** A move while it runs: its progress (what the query answers) and what operators asked for. */
interface Move {
  readonly input: ClientSiteMoveInput;
  readonly progress: MoveProgress;
  readonly decisionTimeoutMs: number;
  moveNowRequested: boolean;
  cancelRequested: boolean;
  /** NEEDS_ATTENTION's answer: null until an operator (or the deadline) decides. */
  decision: Decision | null;
  /** Reschedules accepted, and how many of them the database mirror has recorded. */
  reschedules: number;
  reschedulesMirrored: number;
  /** Reschedules the database copy holds: a mirror that failed recorded none of them. */
  reschedulesRecorded: number;
  /** The final phase is in the database (a cancel answers only then). */
  finishRecorded: boolean;
  /** The last mirror of the progress failed; a background loop catches it up (PATCHES.mirrorCatchUp). */
  mirrorBehind: boolean;
  catchingUp: boolean;
  /** Retries of the step held up by the current outage. */
  outageRetries: number;
  /** Summaries and details for Temporal Web (PATCHES.temporalWebDetails). */
  showsDetails: boolean;
  /** The pre-move check and the review comparison run (PATCHES.checksBeforeMoving). */
  checksBeforeMoving: boolean;
  /** Steps are mirrored at most every STEP_MIRROR_EVERY_MS (PATCHES.stepMirrorThrottle). */
  throttlesStepMirror: boolean;
  /** Its bookkeeping calls: local activities since PATCHES.localBookkeeping. */
  readonly bookkeeping: Bookkeeping;
  /** Workflow time of the last mirror the database took. */
  lastMirroredAt: number;
  /** The scheduled time the check a while before the move last ran for (a reschedule asks again). */
  leadCheckedFor: string | null;
  /** Digests of the sets of warnings the T2 contact has been emailed. */
  warningSetsEmailed: string[];
  /** PATCHES.leanStart: a move due at once skips the mirrors its MOVING mirror replaces. */
  leanStart: boolean;
  /** PATCHES.mirrorInStep: the snapshot and the first step write the mirror due as they begin. */
  mirrorsInStep: boolean;
}

/** How moving ended: everything moved, cancelled before any step began, or steps to undo. */
type MoveOutcome = 'moved' | 'cancelled' | { undo: MoveStep[] };

function newMove(input: ClientSiteMoveInput): Move {
  return {
    input,
    progress: scheduledProgress(input.moveId, input.scheduledFor, input.notify, new Date().toISOString()),
    decisionTimeoutMs: durationMs(input.decisionTimeout),
    moveNowRequested: input.moveNow,
    cancelRequested: false,
    decision: null,
    reschedules: 0,
    reschedulesMirrored: 0,
    reschedulesRecorded: 0,
    finishRecorded: false,
    mirrorBehind: false,
    catchingUp: false,
    outageRetries: 0,
    showsDetails: patched(PATCHES.temporalWebDetails),
    checksBeforeMoving: patched(PATCHES.checksBeforeMoving),
    throttlesStepMirror: patched(PATCHES.stepMirrorThrottle),
    bookkeeping: patched(PATCHES.localBookkeeping) ? LOCAL_BOOKKEEPING : ACTIVITY_BOOKKEEPING,
    lastMirroredAt: 0,
    leadCheckedFor: null,
    warningSetsEmailed: [],
    leanStart: patched(PATCHES.leanStart),
    mirrorsInStep: patched(PATCHES.mirrorInStep),
  };
}

function answerQueryAndUpdates(move: Move): void {
  const { progress } = move;
  const stillWaiting = () => !move.moveNowRequested && !move.cancelRequested;

  setHandler(progressQuery, () => progress);

  setHandler(
    rescheduleUpdate,
    async (moveAt, by) => {
      progress.scheduledFor = new Date(moveAt).toISOString();
      recordAction(move, 'reschedule', by, progress.scheduledFor);
      const reschedule = ++move.reschedules;
      markUpdated(move);
      // Answered once the database copy has the new time too; while the mirror is behind (it catches
      // up in the background), only once it has: a caller that gives up waiting is told it was not.
      const recorded = () => (move.catchingUp ? move.reschedulesRecorded : move.reschedulesMirrored);
      await condition(() => recorded() >= reschedule || progress.phase !== 'SCHEDULED');
      return progress;
    },
    {
      validator: (moveAt: string, _by?: ActionBy | null) => {
        requirePhase(move, 'SCHEDULED', 'reschedule', stillWaiting());
        // Arguments arrive as JSON from any client, whatever the TypeScript type says.
        const at = typeof moveAt === 'string' ? Date.parse(moveAt) : Number.NaN;
        if (Number.isNaN(at)) throw UpdateRejection.time(`${JSON.stringify(moveAt)} is not an ISO-8601 time`);
        if (at <= Date.now()) throw UpdateRejection.time(`${moveAt} is not in the future`);
        const maxAhead = move.input.moveMaxAhead ?? '365 days';
        if (at > Date.now() + durationMs(maxAhead)) {
          throw UpdateRejection.time(`${moveAt} is more than ${maxAhead} ahead`);
        }
      },
    },
  );

  setHandler(
    moveNowUpdate,
    async (by) => {
      move.moveNowRequested = true;
      recordAction(move, 'move-now', by, null);
      await condition(() => progress.phase !== 'SCHEDULED');
      return progress;
    },
    { validator: (_by: ActionBy | null) => requirePhase(move, 'SCHEDULED', 'move now', stillWaiting()) },
  );

  setHandler(
    cancelUpdate,
    async (reason, by) => {
      move.cancelRequested = true;
      progress.cancelReason = reason.trim();
      recordAction(move, 'cancel', by, progress.cancelReason);
      // Answer once the database says so too: the client is ACTIVE again and can be moved anew.
      await condition(() => move.finishRecorded);
      return progress;
    },
    {
      validator: (reason: string, _by?: ActionBy | null) => {
        // Also while the pre-move check holds the move: nothing has moved yet.
        if (!heldByCheck(move)) requirePhase(move, 'SCHEDULED', 'cancel', stillWaiting());
        if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 500) {
          throw UpdateRejection.reason('A cancel reason of 1 to 500 characters is required');
        }
      },
    },
  );

  for (const [update, choice] of [
    [retryUpdate, 'retry'],
    [rollbackUpdate, 'rollback'],
  ] as const) {
    setHandler(
      update,
      async (by) => {
        move.decision = choice;
        recordAction(move, choice, by, null);
        await condition(() => progress.phase !== 'NEEDS_ATTENTION');
        return progress;
      },
      { validator: (_by: ActionBy | null) => requirePhase(move, 'NEEDS_ATTENTION', choice, move.decision === null) },
    );
  }
}

/** Refuses an update unless the move is in `phase` and nobody has already decided what happens next. */
function requirePhase(move: Move, phase: MovePhase, action: string, undecided: boolean): void {
  if (move.progress.phase !== phase || !undecided) {
    throw UpdateRejection.phase(
      `Cannot ${action} a move that is ${move.progress.phase}${undecided ? '' : ' and already decided'}`,
    );
  }
}

async function markScheduled(move: Move): Promise<void> {
  showDetails(move);
  // Not cancellable, so even a move cancelled the instant it starts has a task to close as cancelled.
  await CancellationScope.nonCancellable(async () => {
    await move.bookkeeping.markMoveScheduled({ moveId: move.input.moveId });
    if (!(move.leanStart && isDue(move))) await mirrorProgress(move);
  });
}

/** Due now: nothing to wait for, so the move's next mirror (MOVING) follows in this workflow task. */
function isDue(move: Move): boolean {
  return move.moveNowRequested || Date.parse(move.progress.scheduledFor) <= Date.now();
}

/**
 * Sleeps on a durable timer until the scheduled time, waking for reschedule, move-now or cancel,
 * and checks on the way that the move can still run: as it is scheduled, a while before it is due,
 * and when due.
 */
async function waitUntilDue(move: Move): Promise<'due' | 'cancelled'> {
  const { progress } = move;
  const stillWaiting = () => !move.moveNowRequested && !move.cancelRequested;
  const leadMs = durationMs(move.input.preflightLead ?? '1 hour');
  const leadCheckDue = () => move.checksBeforeMoving && move.leadCheckedFor !== progress.scheduledFor;
  try {
    if (!move.moveNowRequested) {
      // Within the lead already, this check is the one before the move too.
      if (Date.parse(progress.scheduledFor) - Date.now() <= leadMs) move.leadCheckedFor = progress.scheduledFor;
      if ((await checkBeforeMoving(move)) === 'cancelled') return 'cancelled';
    }
    for (;;) {
      // A reschedule may land at any time, even before the first wait; each one is mirrored once.
      if (move.reschedules !== move.reschedulesMirrored) {
        const reschedules = move.reschedules;
        await mirrorProgress(move);
        move.reschedulesMirrored = reschedules;
        continue;
      }
      if (move.cancelRequested) return 'cancelled';
      const untilDue = Date.parse(progress.scheduledFor) - Date.now();
      if (move.moveNowRequested || untilDue <= 0) return (await checkBeforeMoving(move)) === 'ok' ? 'due' : 'cancelled';
      if (leadCheckDue() && untilDue <= leadMs) {
        move.leadCheckedFor = progress.scheduledFor;
        if ((await checkBeforeMoving(move)) === 'cancelled') return 'cancelled';
        continue;
      }
      const wakeIn = leadCheckDue() ? untilDue - leadMs : untilDue;
      const wake = () => !stillWaiting() || move.reschedules !== move.reschedulesMirrored;
      await (move.showsDetails
        ? condition(wake, wakeIn, { summary: waitTimerSummary(progress.scheduledFor, timeZoneOf(move)) })
        : condition(wake, wakeIn));
    }
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // Cancelled from Temporal Web or `temporal workflow cancel`: same as the cancel update.
    move.cancelRequested = true;
    progress.cancelReason ??= 'Cancelled in Temporal';
    recordAction(move, 'cancel', undefined, progress.cancelReason);
    return 'cancelled';
  }
}

/**
 * The pre-move check: its warnings are shown on the move and its task (and each new set emailed to
 * the T2 contact); a problem holds the move in NEEDS_ATTENTION before anything moves, until an
 * operator retries (after a fix; the check runs again) or cancels. A rollback, or nobody deciding
 * by the deadline, cancels it too: nothing has moved.
 */
async function checkBeforeMoving(move: Move): Promise<'ok' | 'cancelled'> {
  if (!move.checksBeforeMoving) return 'ok';
  for (;;) {
    const found = await runPreflight(move);
    if (!found || found.problems.length === 0) return 'ok';
    if ((await holdForOperator(move, found.problems)) === 'cancelled') return 'cancelled';
  }
}

/** The check's findings, with its warnings shown; null when it could not run (the move goes on). */
async function runPreflight(move: Move): Promise<PreflightResult | null> {
  const { progress } = move;
  const moveId = move.input.moveId;
  let found: PreflightResult;
  try {
    found = await move.bookkeeping.preflightCheck({ moveId });
  } catch (error) {
    if (isCancellation(error)) throw error;
    log.warn('The pre-move check could not run; the move goes on', { moveId, error: messageOf(rootCause(error)) });
    return null;
  }
  progress.warnings = found.warnings;
  const digest = checksDigest(found.warnings);
  // A move-now runs at once: the operator saw the same warnings in the wizard; no email ahead of it.
  const tellContact = move.input.notify && !move.input.moveNow;
  if (found.warnings.length > 0 && tellContact && !move.warningSetsEmailed.includes(digest)) {
    move.warningSetsEmailed.push(digest);
    try {
      const warnings = { moveId, warnings: found.warnings, digest };
      await (patched(PATCHES.warningsEmailWorkflow)
        ? move.bookkeeping.deliverWarningsEmail({ ...warnings, deliverBy: progress.scheduledFor })
        : sendWarningsEmail(warnings));
    } catch (error) {
      if (isCancellation(error)) throw error;
      log.warn('The warnings email kept failing', { moveId, error: messageOf(rootCause(error)) });
    }
  }
  showDetails(move);
  // Nothing holds a move that is due: its MOVING mirror carries these warnings.
  if (!(move.leanStart && found.problems.length === 0 && isDue(move))) await mirrorProgress(move);
  return found;
}

/** Holds the move on the check's problems until an operator decides; 'cancelled' unless retried. */
async function holdForOperator(move: Move, problems: MoveCheck[]): Promise<'retry' | 'cancelled'> {
  const { progress } = move;
  const [first] = problems;
  const before = { phase: progress.phase, currentStep: progress.currentStep };
  const message = problems.map((p) => p.message).join('; ');
  progress.lastError = {
    type: first?.type ?? 'PreflightProblem',
    message,
    step: 'PREFLIGHT',
    item: first?.item ?? null,
    nonRetryable: true,
    at: new Date().toISOString(),
  };
  log.warn('The pre-move check holds the move; waiting for an operator', { moveId: move.input.moveId, problems });
  move.decision = null;
  progress.decisionDeadline = new Date(Date.now() + move.decisionTimeoutMs).toISOString();
  progress.currentStep = 'PREFLIGHT';
  setPhase(move, 'NEEDS_ATTENTION');
  await mirrorProgress(move);
  const decide = () => move.decision !== null || move.cancelRequested;
  await (move.showsDetails
    ? condition(decide, move.decisionTimeoutMs, {
        summary: decisionTimerSummary(progress.decisionDeadline, timeZoneOf(move)),
      })
    : condition(decide, move.decisionTimeoutMs));
  progress.decisionDeadline = null;
  if (move.decision === 'retry' && !move.cancelRequested) {
    progress.currentStep = before.currentStep;
    setPhase(move, before.phase);
    await mirrorProgress(move);
    return 'retry';
  }
  move.cancelRequested = true;
  progress.cancelReason ??=
    move.decision === 'rollback'
      ? `Rolled back while held by the pre-move check: ${message}`
      : `Held by the pre-move check and not decided in time: ${message}`;
  return 'cancelled';
}

/** In NEEDS_ATTENTION because the pre-move check holds the move, before anything moved. */
function heldByCheck(move: Move): boolean {
  return (
    move.progress.phase === 'NEEDS_ATTENTION' && move.progress.currentStep === 'PREFLIGHT' && move.decision === null
  );
}

/** Re-reads the client as it is now, then runs each step in order. */
async function moveEverything(move: Move): Promise<MoveOutcome> {
  const { progress } = move;
  const begun: MoveStep[] = [];
  try {
    progress.startedAt = new Date().toISOString();
    progress.currentStep = 'SNAPSHOT';
    setPhase(move, 'MOVING');
    const snapshotMirror = await mirrorBeforeStep(move);
    const snapshot = await runOrAskOperator(move, 'SNAPSHOT', async () => {
      progress.items = await snapshotMoveItems(handOver(move, snapshotMirror, { moveId: move.input.moveId }));
      mirrorWritten(move, snapshotMirror);
      if (move.checksBeforeMoving)
        progress.sinceReview = await move.bookkeeping.compareWithReview({ moveId: move.input.moveId });
    });
    if (snapshot === 'rollback') return { undo: begun };
    for (const row of MOVE_STEP_TABLE) {
      // Recorded before it runs: a step that fails half-way has its finished part undone too.
      begun.push(row.step);
      progress.currentStep = row.step;
      // The first step's mirror always goes: it carries what the snapshot found (item totals, what
      // changed since the review) to the dashboard.
      const stepMirror = begun.length === 1 ? await mirrorBeforeStep(move) : await mirrorStep(move);
      if ((await runOrAskOperator(move, row.step, () => runStep(move, row, 'forward', stepMirror))) === 'rollback') {
        return { undo: begun };
      }
    }
    return 'moved';
  } catch (error) {
    if (!isCancellation(error)) throw error;
    progress.cancelReason ??= 'Cancelled in Temporal';
    recordAction(move, 'cancel', undefined, progress.cancelReason);
    // Cancelled before any step began: nothing moved, so this is a cancel, not a rollback.
    return begun.length === 0 ? 'cancelled' : { undo: begun };
  }
}

async function finishOrUndo(move: Move, outcome: MoveOutcome): Promise<ClientSiteMoveResult> {
  if (outcome === 'moved') return finish(move, 'COMPLETED');
  if (outcome === 'cancelled') return finish(move, 'CANCELLED');
  return finish(move, await undo(move, outcome.undo));
}

/**
 * Runs a step; when it fails for good the move waits in NEEDS_ATTENTION for an operator's retry or
 * rollback, and rolls back by itself when the deadline passes.
 */
async function runOrAskOperator(move: Move, step: string, run: () => Promise<void>): Promise<'done' | 'rollback'> {
  const { progress } = move;
  for (;;) {
    try {
      await run();
      endOutage(move);
      return 'done';
    } catch (error) {
      if (isCancellation(error)) throw error;
      const failure = toMoveError(error, step);
      if (await waitedOutOutage(move, failure)) continue;
      progress.lastError = failure;
      showDetails(move);
      log.warn('Move step failed for good; waiting for an operator', {
        moveId: move.input.moveId,
        step,
        error: progress.lastError,
      });
    }
    move.decision = null;
    progress.decisionDeadline = new Date(Date.now() + move.decisionTimeoutMs).toISOString();
    setPhase(move, 'NEEDS_ATTENTION');
    await mirrorProgress(move);
    const decide = () => move.decision !== null;
    const decided = await (move.showsDetails
      ? condition(decide, move.decisionTimeoutMs, {
          summary: decisionTimerSummary(progress.decisionDeadline, timeZoneOf(move)),
        })
      : condition(decide, move.decisionTimeoutMs));
    progress.decisionDeadline = null;
    if (!decided || move.decision === 'rollback') return 'rollback';
    setPhase(move, 'MOVING');
    await mirrorProgress(move);
  }
}

/** Runs one step's activity, forward or undoing it; a batched step calls it until no item remains. */
async function runStep(
  move: Move,
  row: StepRow,
  direction: 'forward' | 'undo',
  mirror: StepMirror = NO_MIRROR,
): Promise<void> {
  const moveId = move.input.moveId;
  const undo = direction === 'undo';
  if (!isBatched(row)) {
    const summary = summaryFor(move, stepActivitySummary(row.step, { undo }));
    await (direction === 'forward'
      ? moveStep(summary)[row.forward](handOver(move, mirror, { moveId }))
      : undoStep(summary)[row.compensation]({ moveId }));
    mirrorWritten(move, mirror);
    return;
  }
  const kind = move.progress.items[PROGRESS_KEY[row.batchedKind]];
  const batches = batchCount(kind.total, move.input.batchSize);
  for (let batch = 1; ; batch++) {
    const input = { moveId, batchSize: move.input.batchSize };
    const summary = summaryFor(move, stepActivitySummary(row.step, { undo, batch: { number: batch, of: batches } }));
    const result = await (direction === 'forward'
      ? moveStep(summary)[row.forward](handOver(move, mirror, input))
      : undoStep(summary)[row.compensation](input));
    mirrorWritten(move, mirror);
    if (row.countsProgress) kind.done = result.done;
    markUpdated(move);
    showDetails(move);
    if (result.remaining === 0) return;
  }
}

/** Undoes the begun steps in reverse order. Runs to the end whatever happens, and says what it could not undo. */
async function undo(move: Move, begun: MoveStep[]): Promise<FinalPhase> {
  const { progress } = move;
  setPhase(move, 'ROLLING_BACK');
  await mirrorProgress(move);
  const failures: MoveError[] = [];
  const notUndone = new Set<MoveStep>();
  for (const step of [...begun].reverse()) {
    const row = stepRow(step);
    if ('keptWhenUndoFails' in row && notUndone.has(row.keptWhenUndoFails.step)) {
      failures.push(skippedUndo(step, row.keptWhenUndoFails.why));
      continue;
    }
    progress.currentStep = `rollback:${step}`;
    await mirrorStep(move);
    try {
      await runStep(move, row, 'undo');
    } catch (error) {
      const failure = toMoveError(error, `rollback:${step}`);
      failures.push(failure);
      progress.lastError = failure;
      showDetails(move);
      notUndone.add(step);
      log.error('Rollback step failed for good: a human must finish it', {
        moveId: move.input.moveId,
        step,
        error: failure,
      });
    }
  }
  progress.needsHuman = failures;
  return failures.length === 0 ? 'ROLLED_BACK' : 'FAILED';
}

/** Records the final phase, then emails the T2 contact (if chosen) and waits for updates to answer. */
async function finish(move: Move, phase: FinalPhase): Promise<ClientSiteMoveResult> {
  const { progress } = move;
  const moveId = move.input.moveId;
  setPhase(move, phase);
  progress.finishedAt = new Date().toISOString();
  progress.currentStep = null;
  progress.decisionDeadline = null;
  await move.bookkeeping.finishMove({ moveId, phase, progress });
  move.finishRecorded = true;
  if (move.input.notify && patched(PATCHES.emailWorkflow)) {
    // Delivered apart from the move, retried through mail outages for hours; the move's email state
    // follows its outbox row from here on. Not mirrored again: finishMove recorded the final progress.
    await move.bookkeeping.deliverOutcomeEmail({
      moveId,
      phase,
      progress,
      deliveryWindow: move.input.emailDeliveryWindow ?? '24 hours',
    });
  } else if (move.input.notify) {
    try {
      const sent = await sendOutcomeEmail({ moveId, phase, progress });
      progress.email = { state: sent.state, error: null };
    } catch (error) {
      // The move stands whatever the mail does; the failure is shown on the move instead.
      progress.email = { state: 'FAILED', error: messageOf(rootCause(error)) };
      log.error('Outcome email kept failing', { moveId, error: progress.email.error });
    }
    await mirrorProgress(move);
  }
  if (phase === 'FAILED') {
    log.error('MOVE FAILED: rollback could not restore everything; see needsHuman', {
      moveId,
      needsHuman: progress.needsHuman,
    });
  }
  await condition(allHandlersFinished);
  return { phase, progress };
}

// ------------------------------------------------------------------------------------- helpers

/** A decision, with who asked for it (arguments arrive as JSON from any client: a stranger's `by` is no one). */
function recordAction(
  move: Move,
  action: MoveActionKind,
  by: ActionBy | null | undefined,
  detail: string | null,
): void {
  const byOperatorId = typeof by?.operatorId === 'string' ? by.operatorId : null;
  move.progress.actions.push({ action, byOperatorId, at: new Date().toISOString(), detail });
}

function markUpdated(move: Move): void {
  move.progress.updatedAt = new Date().toISOString();
}

function setPhase(move: Move, phase: MovePhase): void {
  move.progress.phase = phase;
  markUpdated(move);
  upsertSearchAttributes([{ key: MovePhaseKey, value: phase }]);
  showDetails(move);
}

/** What Temporal Web shows on the run's page: phase, counts, last error. */
function showDetails(move: Move): void {
  if (move.showsDetails) setCurrentDetails(moveCurrentDetails(move.progress, timeZoneOf(move)));
}

function timeZoneOf(move: Move): string {
  return move.input.siteTimeZone ?? DEFAULT_TIME_ZONE;
}

function summaryFor(move: Move, summary: string): string | undefined {
  return move.showsDetails ? summary : undefined;
}

/**
 * The mirror as a step begins: every step in histories from before PATCHES.stepMirrorThrottle; now
 * only when the last mirror is STEP_MIRROR_EVERY_MS old (or fell behind), as phase changes are
 * mirrored anyway and the live query answers at every step. Written before the step: it owes it nothing.
 */
async function mirrorStep(move: Move): Promise<StepMirror> {
  const due =
    !move.throttlesStepMirror || move.mirrorBehind || Date.now() - move.lastMirroredAt >= STEP_MIRROR_EVERY_MS;
  if (due) await mirrorProgress(move);
  return NO_MIRROR;
}

/** A mirror owed as a step begins, for its activity to write (PATCHES.mirrorInStep). */
interface StepMirror {
  /** True until a call of the step's activity carrying it has succeeded (mirrorWritten). */
  owed: boolean;
}

/** Nothing owed: the mirror was written before the step, or is not due. */
const NO_MIRROR: Readonly<StepMirror> = { owed: false };

/**
 * The mirror due as a step begins: owed to the step's activity, which writes it in its own
 * transaction (PATCHES.mirrorInStep), or written now by a local activity (runs from before it).
 */
async function mirrorBeforeStep(move: Move): Promise<StepMirror> {
  if (move.mirrorsInStep) return { owed: true };
  await mirrorProgress(move);
  return NO_MIRROR;
}

/** After a call of the step's activity succeeded: a mirror it carried is written. */
function mirrorWritten(move: Move, mirror: StepMirror): void {
  if (!mirror.owed) return;
  mirror.owed = false;
  move.lastMirroredAt = Date.now();
  move.mirrorBehind = false;
}

/**
 * The step's input, carrying the progress as it is now while the mirror is owed: each attempt the
 * current one (an operator's retry, or an outage's, has changed it since).
 */
function handOver<T extends StepRef>(move: Move, mirror: StepMirror, input: T): T {
  if (!mirror.owed) return input;
  markUpdated(move);
  return { ...input, mirror: JSON.parse(JSON.stringify(move.progress)) as MoveProgress };
}

/** Copies the progress to the database for the dashboard; a mirror that lags never fails the move. */
async function mirrorProgress(move: Move): Promise<void> {
  markUpdated(move);
  const reschedules = move.reschedules;
  try {
    await move.bookkeeping.recordProgress(move.progress);
    move.lastMirroredAt = Date.now();
    move.mirrorBehind = false;
    move.reschedulesRecorded = reschedules;
  } catch (error) {
    if (isCancellation(error)) throw error;
    log.warn('Dashboard mirror is behind: recordProgress kept failing', {
      moveId: move.input.moveId,
      error: messageOf(rootCause(error)),
    });
    move.mirrorBehind = true;
    if (!move.catchingUp && patched(PATCHES.mirrorCatchUp)) {
      move.catchingUp = true;
      void catchUpMirror(move);
    }
  }
}

/**
 * While the mirror is behind, tries again with backoff, so the dashboard, `?status=` and metrics
 * catch up once the database is back, even while the move itself waits (e.g. in NEEDS_ATTENTION).
 * Ends with the move: finishMove records the final progress itself. Rests after
 * MIRROR_CATCH_UP_ATTEMPTS tries in a row (PATCHES.mirrorCatchUpRests).
 */
async function catchUpMirror(move: Move): Promise<void> {
  let waitMs = MIRROR_RETRY_FIRST_MS;
  let attempts = 0;
  for (;;) {
    await condition(() => move.mirrorBehind || move.finishRecorded);
    if (move.finishRecorded) return;
    if (await condition(() => !move.mirrorBehind || move.finishRecorded, waitMs)) {
      waitMs = MIRROR_RETRY_FIRST_MS;
      attempts = 0;
      continue;
    }
    // Rests until the move's next mirror fails again (which starts it anew): a move that waits for
    // its time keeps a small history however long the database stays away.
    if (++attempts > MIRROR_CATCH_UP_ATTEMPTS && patched(PATCHES.mirrorCatchUpRests)) {
      move.catchingUp = false;
      return;
    }
    await mirrorProgress(move);
    waitMs = move.mirrorBehind ? Math.min(waitMs * 2, MIRROR_RETRY_MAX_MS) : MIRROR_RETRY_FIRST_MS;
  }
}

/**
 * A failure only time can fix (the database unreachable, a timeout), within the outage window: the
 * move shows what it waits for, waits with backoff, and the step runs again. False when the failure
 * is not an outage, or the window is over (then an operator decides, as for any other failure).
 */
async function waitedOutOutage(move: Move, failure: MoveError): Promise<boolean> {
  if (!OUTAGE_FAILURES.includes(failure.type) || !patched(PATCHES.outageWait)) return false;
  const { progress } = move;
  const now = Date.now();
  const windowMs = durationMs(move.input.outageWindow ?? '30 minutes');
  progress.outage ??= {
    type: failure.type,
    message: failure.message,
    step: failure.step ?? '',
    since: new Date(now).toISOString(),
    givesUpAt: new Date(now + windowMs).toISOString(),
  };
  if (now >= Date.parse(progress.outage.givesUpAt)) {
    endOutage(move);
    return false;
  }
  progress.outage = { ...progress.outage, type: failure.type, message: failure.message };
  log.warn('Move step held up by an outage; retrying by itself', {
    moveId: move.input.moveId,
    outage: progress.outage,
  });
  showDetails(move);
  await mirrorProgress(move);
  const waitMs = Math.min(OUTAGE_RETRY_FIRST_MS * 2 ** move.outageRetries, OUTAGE_RETRY_MAX_MS);
  move.outageRetries += 1;
  await sleep(waitMs, move.showsDetails ? { summary: `Outage: ${failure.type}; trying again` } : undefined);
  return true;
}

function endOutage(move: Move): void {
  move.progress.outage = null;
  move.outageRetries = 0;
}

/** An activity's own failure, not Temporal's "Activity task failed" wrapper around it. */
function rootCause(error: unknown): unknown {
  return error instanceof ActivityFailure && error.cause ? error.cause : error;
}

function toMoveError(error: unknown, step: string | null): MoveError {
  const cause = rootCause(error);
  let type = 'Unknown';
  let nonRetryable = false;
  let item: MoveError['item'] = null;
  if (cause instanceof ApplicationFailure) {
    type = cause.type ?? 'Unknown';
    nonRetryable = Boolean(cause.nonRetryable) || NON_RETRYABLE_MOVE_FAILURES.includes(type as never);
    const details = cause.details?.[0] as MoveFailureDetails | undefined;
    item = details?.item ?? null;
  } else if (cause instanceof TimeoutFailure) {
    type = 'Timeout';
  }
  return { type, message: messageOf(cause), step, item, nonRetryable, at: new Date().toISOString() };
}

function skippedUndo(step: MoveStep, message: string): MoveError {
  return {
    type: 'CompensationSkipped',
    message,
    step: `rollback:${step}`,
    item: null,
    nonRetryable: true,
    at: new Date().toISOString(),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
