// The ClientSiteMove workflow, with the query and updates that drive it. It reads like the product
// page: mark the client, wait for the scheduled time, move everything make-before-break, roll back
// in reverse when a step fails for good, and tell the chosen contact. All I/O is in activities;
// `Date` here is Temporal's deterministic workflow clock.
import { msToNumber } from '@temporalio/common/lib/time';
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
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { BatchInput, BatchResult, MoveActivities, MoveRef } from '../activities/contract';
import { NON_RETRYABLE_MOVE_FAILURES, type MoveFailureDetails } from '../domain/errors';
import {
  BATCHED_STEP_KIND,
  MOVE_STEPS,
  PROGRESS_KEY,
  scheduledProgress,
  isBatchedStep,
  type BatchedStep,
  type ClientSiteMoveInput,
  type ClientSiteMoveResult,
  type FinalPhase,
  type MoveError,
  type MovePhase,
  type MoveProgress,
  type MoveStep,
} from '../domain/move';
import { UpdateRejection } from '../domain/updates';
import { MovePhaseKey } from './searchAttributes';

/** Cheap and always answerable: the dashboard polls it. */
export const progressQuery = defineQuery<MoveProgress>('progress');
/** While SCHEDULED: run at another (future) time. */
export const rescheduleUpdate = defineUpdate<MoveProgress, [moveAt: string]>('reschedule');
/** While SCHEDULED: run now instead of waiting. */
export const moveNowUpdate = defineUpdate<MoveProgress>('moveNow');
/** While SCHEDULED: give the client back as it was; nothing has moved yet. */
export const cancelUpdate = defineUpdate<MoveProgress, [reason: string]>('cancel');
/** In NEEDS_ATTENTION: run the failed step again (after someone fixed its cause). */
export const retryUpdate = defineUpdate<MoveProgress>('retry');
/** In NEEDS_ATTENTION: undo every completed step and give the client back at its source site. */
export const rollbackUpdate = defineUpdate<MoveProgress>('rollback');

const bookkeeping = proxyActivities<MoveActivities>({
  startToCloseTimeout: '1 minute',
  // The move's own record must be written: retried until the database answers.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const mirror = proxyActivities<MoveActivities>({
  startToCloseTimeout: '30 seconds',
  // Best effort: the progress query stays the truth while the database mirror lags.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
});

const forward = proxyActivities<MoveActivities>({
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
});

const compensate = proxyActivities<MoveActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  // Rollback keeps trying for about two hours before it hands the move to a human.
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 30,
    nonRetryableErrorTypes: NON_RETRYABLE_MOVE_FAILURES,
  },
});

const mail = proxyActivities<MoveActivities>({
  startToCloseTimeout: '1 minute',
  // About a minute in all: the move is already final, and while this run lasts its per-client
  // workflow id stays taken, so a new move for the client would be refused.
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 6 },
});

/** The activities of each step, forward or compensating: single calls, or batches. */
type SingleSteps = Record<Exclude<MoveStep, BatchedStep>, (input: MoveRef) => Promise<void>>;
type BatchedSteps = Record<BatchedStep, (input: BatchInput) => Promise<BatchResult>>;

const SINGLE_FORWARD: SingleSteps = {
  APPLY_TARIFF_AND_BUNDLE: forward.applyTariffAndBundle,
  ASSIGN_SPACES: forward.assignSpaces,
};

const BATCHED_FORWARD: BatchedSteps = {
  PROVISION_SERVICES: forward.provisionServices,
  REHOME_PHONE_NUMBERS: forward.rehomePhoneNumbers,
  MOVE_USERS: forward.moveUsers,
  DECOMMISSION_SOURCE_SERVICES: forward.decommissionSourceServices,
};

const SINGLE_COMPENSATION: SingleSteps = {
  APPLY_TARIFF_AND_BUNDLE: compensate.restoreTariffAndBundle,
  ASSIGN_SPACES: compensate.restoreSpaces,
};

const BATCHED_COMPENSATION: BatchedSteps = {
  PROVISION_SERVICES: compensate.removeProvisionedServices,
  REHOME_PHONE_NUMBERS: compensate.restorePhoneNumbers,
  MOVE_USERS: compensate.restoreUsers,
  DECOMMISSION_SOURCE_SERVICES: compensate.recommissionSourceServices,
};

/** The step whose batches change the per-kind "done" count (decommissioning moves nothing new). */
const COUNTS_PROGRESS: Partial<Record<BatchedStep, true>> = {
  PROVISION_SERVICES: true,
  REHOME_PHONE_NUMBERS: true,
  MOVE_USERS: true,
};

type Decision = 'retry' | 'rollback';

export async function clientSiteMove(input: ClientSiteMoveInput): Promise<ClientSiteMoveResult> {
  const { moveId } = input;
  const decisionTimeoutMs = msToNumber(input.decisionTimeout as Parameters<typeof msToNumber>[0]);
  const progress = scheduledProgress(moveId, input.scheduledFor, input.notify, new Date().toISOString());

  let moveNowRequested = input.moveNow;
  let cancelRequested = false;
  let scheduleVersion = 0;
  let mirroredScheduleVersion = 0;
  let decision: Decision | null = null;
  let finishRecorded = false;

  const touch = () => (progress.updatedAt = new Date().toISOString());
  const setPhase = (phase: MovePhase) => {
    progress.phase = phase;
    touch();
    upsertSearchAttributes([{ key: MovePhaseKey, value: phase }]);
  };
  const mirrorProgress = async () => {
    touch();
    try {
      await mirror.recordProgress(progress);
    } catch (error) {
      if (isCancellation(error)) throw error;
      log.warn('Dashboard mirror is behind: recordProgress kept failing', {
        moveId,
        error: messageOf(rootCause(error)),
      });
    }
  };
  const requirePhase = (phase: MovePhase, action: string, extraOk = true) => {
    if (progress.phase !== phase || !extraOk) {
      throw UpdateRejection.phase(
        `Cannot ${action} a move that is ${progress.phase}${extraOk ? '' : ' and already decided'}`,
      );
    }
  };
  const stillWaiting = () => !moveNowRequested && !cancelRequested;

  setHandler(progressQuery, () => progress);

  setHandler(
    rescheduleUpdate,
    async (moveAt) => {
      progress.scheduledFor = new Date(moveAt).toISOString();
      const version = ++scheduleVersion;
      touch();
      await condition(() => mirroredScheduleVersion >= version || progress.phase !== 'SCHEDULED');
      return progress;
    },
    {
      validator: (moveAt: string) => {
        requirePhase('SCHEDULED', 'reschedule', stillWaiting());
        // Arguments arrive as JSON from any client, whatever the TypeScript type says.
        const at = typeof moveAt === 'string' ? Date.parse(moveAt) : Number.NaN;
        if (Number.isNaN(at)) throw UpdateRejection.time(`${JSON.stringify(moveAt)} is not an ISO-8601 time`);
        if (at <= Date.now()) throw UpdateRejection.time(`${moveAt} is not in the future`);
      },
    },
  );

  setHandler(
    moveNowUpdate,
    async () => {
      moveNowRequested = true;
      await condition(() => progress.phase !== 'SCHEDULED');
      return progress;
    },
    { validator: () => requirePhase('SCHEDULED', 'move now', stillWaiting()) },
  );

  setHandler(
    cancelUpdate,
    async (reason) => {
      cancelRequested = true;
      progress.cancelReason = reason.trim();
      // Answer once the database says so too: the client is ACTIVE again and can be moved anew.
      await condition(() => finishRecorded);
      return progress;
    },
    {
      validator: (reason: string) => {
        requirePhase('SCHEDULED', 'cancel', stillWaiting());
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
      async () => {
        decision = choice;
        await condition(() => progress.phase !== 'NEEDS_ATTENTION');
        return progress;
      },
      { validator: () => requirePhase('NEEDS_ATTENTION', choice, decision === null) },
    );
  }

  /** Sleeps on a durable timer until the scheduled time, waking for reschedule, move-now or cancel. */
  async function waitUntilDue(): Promise<'due' | 'cancelled'> {
    for (;;) {
      // A reschedule may land at any time, even before the first wait; each one is mirrored once.
      if (scheduleVersion !== mirroredScheduleVersion) {
        const version = scheduleVersion;
        await mirrorProgress();
        mirroredScheduleVersion = version;
        continue;
      }
      if (cancelRequested) return 'cancelled';
      const remaining = Date.parse(progress.scheduledFor) - Date.now();
      if (moveNowRequested || remaining <= 0) return 'due';
      await condition(() => !stillWaiting() || scheduleVersion !== mirroredScheduleVersion, remaining);
    }
  }

  /**
   * Runs a step; when it fails for good the move waits in NEEDS_ATTENTION for an operator's retry
   * or rollback, and rolls back by itself when the deadline passes.
   */
  async function withDecisions(step: string, run: () => Promise<void>): Promise<'done' | 'rollback'> {
    for (;;) {
      try {
        await run();
        return 'done';
      } catch (error) {
        if (isCancellation(error)) throw error;
        progress.lastError = toMoveError(error, step);
        log.warn('Move step failed for good; waiting for an operator', { moveId, step, error: progress.lastError });
      }
      decision = null;
      progress.decisionDeadline = new Date(Date.now() + decisionTimeoutMs).toISOString();
      setPhase('NEEDS_ATTENTION');
      await mirrorProgress();
      const decided = await condition(() => decision !== null, decisionTimeoutMs);
      progress.decisionDeadline = null;
      if (!decided || decision === 'rollback') return 'rollback';
      setPhase('MOVING');
      await mirrorProgress();
    }
  }

  /** Runs one step's activity, or its batches until none remain, keeping the per-kind counts. */
  async function runStep(step: MoveStep, single: SingleSteps, batched: BatchedSteps): Promise<void> {
    if (!isBatchedStep(step)) return single[step]({ moveId });
    const kindKey = PROGRESS_KEY[BATCHED_STEP_KIND[step]];
    for (;;) {
      const result = await batched[step]({ moveId, batchSize: input.batchSize });
      if (COUNTS_PROGRESS[step]) progress.items[kindKey].done = result.done;
      touch();
      if (result.remaining === 0) return;
    }
  }

  /** Undoes the begun steps in reverse order. Runs to the end whatever happens, and says what it could not undo. */
  async function rollBack(begun: MoveStep[]): Promise<FinalPhase> {
    setPhase('ROLLING_BACK');
    await mirrorProgress();
    const failures: MoveError[] = [];
    let keepDestinationServices = false;
    for (const step of [...begun].reverse()) {
      if (step === 'PROVISION_SERVICES' && keepDestinationServices) {
        // Make-before-break in reverse: the source services are not live again, so the client
        // keeps the destination ones rather than having none.
        failures.push(
          skippedCompensation(step, 'Destination services kept: the source services could not be restored'),
        );
        continue;
      }
      progress.currentStep = `rollback:${step}`;
      await mirrorProgress();
      try {
        await runStep(step, SINGLE_COMPENSATION, BATCHED_COMPENSATION);
      } catch (error) {
        const failure = toMoveError(error, `rollback:${step}`);
        failures.push(failure);
        progress.lastError = failure;
        if (step === 'DECOMMISSION_SOURCE_SERVICES') keepDestinationServices = true;
        log.error('Rollback step failed for good: a human must finish it', { moveId, step, error: failure });
      }
    }
    progress.needsHuman = failures;
    return failures.length === 0 ? 'ROLLED_BACK' : 'FAILED';
  }

  async function finish(phase: FinalPhase): Promise<ClientSiteMoveResult> {
    setPhase(phase);
    progress.finishedAt = new Date().toISOString();
    progress.currentStep = null;
    progress.decisionDeadline = null;
    await bookkeeping.finishMove({ moveId, phase, progress });
    finishRecorded = true;
    if (input.notify) {
      try {
        const sent = await mail.sendOutcomeEmail({ moveId, phase, progress });
        progress.email = { state: sent.state, error: null };
      } catch (error) {
        // The move stands whatever the mail does; the failure is shown on the move instead.
        progress.email = { state: 'FAILED', error: messageOf(rootCause(error)) };
        log.error('Outcome email kept failing', { moveId, error: progress.email.error });
      }
      await mirrorProgress();
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

  // Scheduled: the client shows "Active - move scheduled" and the destination gets a task. Not
  // cancellable, so even a move cancelled the instant it starts has a task to close as cancelled.
  await CancellationScope.nonCancellable(async () => {
    await bookkeeping.markMoveScheduled({ moveId });
    await mirrorProgress();
  });

  let due: 'due' | 'cancelled';
  try {
    due = await waitUntilDue();
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // Cancelled from Temporal Web or `temporal workflow cancel`: same as the cancel update.
    cancelRequested = true;
    progress.cancelReason ??= 'Cancelled in Temporal';
    due = 'cancelled';
  }
  if (due === 'cancelled') return CancellationScope.nonCancellable(() => finish('CANCELLED'));

  // Moving: re-read the client as it is now, then each step in order.
  const begun: MoveStep[] = [];
  let rollbackNeeded = false;
  let cancelled = false;
  try {
    progress.startedAt = new Date().toISOString();
    progress.currentStep = 'SNAPSHOT';
    setPhase('MOVING');
    await mirrorProgress();
    const snapshot = await withDecisions('SNAPSHOT', async () => {
      progress.items = await forward.snapshotMoveItems({ moveId });
    });
    rollbackNeeded = snapshot === 'rollback';
    for (const step of MOVE_STEPS) {
      if (rollbackNeeded) break;
      // Recorded before it runs: a step that fails half-way has its finished part undone too.
      begun.push(step);
      progress.currentStep = step;
      await mirrorProgress();
      rollbackNeeded = (await withDecisions(step, () => runStep(step, SINGLE_FORWARD, BATCHED_FORWARD))) === 'rollback';
    }
  } catch (error) {
    if (!isCancellation(error)) throw error;
    progress.cancelReason ??= 'Cancelled in Temporal';
    cancelled = true;
    rollbackNeeded = true;
  }

  return CancellationScope.nonCancellable(async () => {
    if (!rollbackNeeded) return finish('COMPLETED');
    // Cancelled before any step began: nothing moved, so this is a cancel, not a rollback.
    if (cancelled && begun.length === 0) return finish('CANCELLED');
    return finish(await rollBack(begun));
  });
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

function skippedCompensation(step: MoveStep, message: string): MoveError {
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
