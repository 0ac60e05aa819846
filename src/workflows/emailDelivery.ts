// How an email workflow delivers one email through the outbox: retried through mail outages for its
// delivery window, never after an uncertain outcome (a duplicate is worse than a person checking),
// and, when it gives up, why.
import type { Duration } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, type ActivityOptions } from '@temporalio/workflow';
import { EmailFailureType } from '../domain/errors';

export function deliveryPolicy(deliveryWindow: Duration): ActivityOptions {
  return {
    // Above the mailer's request timeout plus a database round trip: an attempt ends with its answer.
    startToCloseTimeout: '1 minute',
    // Through outages of hours: backoff up to 10 minutes, for the whole delivery window.
    scheduleToCloseTimeout: deliveryWindow,
    retry: {
      initialInterval: '10 seconds',
      backoffCoefficient: 2,
      maximumInterval: '10 minutes',
      nonRetryableErrorTypes: [EmailFailureType.OutcomeUncertain],
    },
  };
}

/** Why delivery gave up: the uncertain outcome's own message, or the window and the last failure. */
export function gaveUp(error: unknown, deliveryWindow: string): { uncertain: boolean; reason: string } {
  const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
  const uncertain = cause instanceof ApplicationFailure && cause.type === EmailFailureType.OutcomeUncertain;
  const reason = uncertain
    ? cause.message
    : `Not delivered within ${deliveryWindow}: ${cause instanceof Error ? cause.message : String(cause)}`;
  return { uncertain, reason };
}
