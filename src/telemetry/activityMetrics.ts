// The worker's own metrics, recorded outside the workflow by an activity interceptor: how long each
// activity (step) takes and how it ends, items moved and restored (from the batch results), moves
// finished and what their rollbacks left (from finishMove's input), emails by outcome. Activities
// are retried and a retried finish may be counted twice: the database gauges are the exact counts.
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { BatchResult, EmailOutcome, FinishInput, MoveActivities } from '../activities/contract';
import { EmailFailureType } from '../domain/errors';
import type { ItemKind } from '../domain/move';
import { MOVE_STEP_TABLE } from '../domain/steps';

type ActivityName = keyof MoveActivities;

/**
 * Batched activities and the items they move forward, or restore in a rollback: from the step table,
 * the steps whose batches count their kind's progress (decommissioning moves nothing new).
 */
interface ItemsCounted {
  kind: ItemKind;
  direction: 'moved' | 'restored';
}
const ITEMS: Partial<Record<ActivityName, ItemsCounted>> = Object.fromEntries(
  MOVE_STEP_TABLE.flatMap((row): [ActivityName, ItemsCounted][] =>
    row.batchedKind !== null && row.countsProgress
      ? [
          [row.forward, { kind: row.batchedKind, direction: 'moved' }],
          [row.compensation, { kind: row.batchedKind, direction: 'restored' }],
        ]
      : [],
  ),
);

const EMAIL_FAILURE_OUTCOME: Record<string, string> = {
  [EmailFailureType.SendFailed]: 'send_failed',
  [EmailFailureType.OutcomeUncertain]: 'uncertain',
};

export interface ActivityMetrics {
  interceptor: ActivityInterceptorsFactory;
}

export function createActivityMetrics(registry: Registry): ActivityMetrics {
  const registers = [registry];
  const duration = new Histogram({
    name: 'csm_activity_duration_seconds',
    help: 'Time each activity attempt took, by activity (move step) and outcome (completed, failed, cancelled)',
    labelNames: ['activity', 'outcome'] as const,
    // Batches of up to MOVE_BATCH_SIZE items: tens of ms to a few minutes (start-to-close is 5 min).
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers,
  });
  const failures = new Counter({
    name: 'csm_activity_failures_total',
    help: 'Failed activity attempts, by activity and failure type (e.g. PhoneNumberBlocked, Timeout)',
    labelNames: ['activity', 'type'] as const,
    registers,
  });
  const itemsMoved = new Counter({
    name: 'csm_items_moved_total',
    help: 'Users, phone numbers and services moved to their destination site',
    labelNames: ['kind'] as const,
    registers,
  });
  const itemsRestored = new Counter({
    name: 'csm_items_restored_total',
    help: 'Users, phone numbers and services put back at their source site by a rollback',
    labelNames: ['kind'] as const,
    registers,
  });
  const finished = new Counter({
    name: 'csm_moves_finished_total',
    help: 'Moves finished, by final phase (ROLLED_BACK: rolled back; FAILED: the rollback left work for a human)',
    labelNames: ['phase'] as const,
    registers,
  });
  const compensationFailures = new Counter({
    name: 'csm_compensation_failures_total',
    help: 'Rollback steps that could not undo their work (needsHuman entries of FAILED moves), by step',
    labelNames: ['step'] as const,
    registers,
  });
  const emails = new Counter({
    name: 'csm_emails_total',
    help: 'Outcome email attempts by outcome: sent, not_requested, send_failed (retried), uncertain, failed',
    labelNames: ['outcome'] as const,
    registers,
  });

  const onCompleted = (activity: string, args: unknown[], result: unknown) => {
    const items = ITEMS[activity as ActivityName];
    if (items) {
      const counter = items.direction === 'moved' ? itemsMoved : itemsRestored;
      counter.inc({ kind: items.kind }, (result as BatchResult).processed);
    } else if (activity === 'finishMove') {
      const { phase, progress } = args[0] as FinishInput;
      finished.inc({ phase });
      if (phase === 'FAILED') {
        for (const failure of progress.needsHuman) compensationFailures.inc({ step: failure.step ?? 'unknown' });
      }
    } else if (activity === 'sendOutcomeEmail') {
      emails.inc({ outcome: (result as EmailOutcome).state.toLowerCase() });
    }
  };
  const onFailed = (activity: string, error: unknown) => {
    const type = error instanceof ApplicationFailure ? (error.type ?? 'ApplicationFailure') : failureName(error);
    failures.inc({ activity, type });
    if (activity === 'sendOutcomeEmail') emails.inc({ outcome: EMAIL_FAILURE_OUTCOME[type] ?? 'failed' });
  };

  const interceptor: ActivityInterceptorsFactory = (ctx) => ({
    inbound: {
      async execute(input, next) {
        const activity = ctx.info.activityType;
        const end = duration.startTimer({ activity });
        try {
          const result = await next(input);
          end({ outcome: 'completed' });
          onCompleted(activity, input.args, result);
          return result;
        } catch (error) {
          const cancelled = error instanceof CancelledFailure || ctx.cancellationSignal.aborted;
          end({ outcome: cancelled ? 'cancelled' : 'failed' });
          if (!cancelled) onFailed(activity, error);
          throw error;
        }
      },
    },
  });
  return { interceptor };
}

function failureName(error: unknown): string {
  return error instanceof Error ? error.name : 'Unknown';
}
