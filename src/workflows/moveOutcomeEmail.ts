// Delivers a finished move's outcome email to its T2 contact, apart from the move: it keeps trying
// through mail outages for the delivery window (a day by default) without holding the client's move
// open. The outbox row is the truth of what happened, and the move's email state follows it.
import { ActivityFailure, ApplicationFailure, log, proxyActivities } from '@temporalio/workflow';
import type { EmailOutcome, MoveActivities, OutcomeEmailInput } from '../activities/contract';
import { EmailFailureType } from '../domain/errors';
import type { EmailState } from '../domain/move';

export { outcomeEmailWorkflowId } from '../domain/move';

/** The outbox row is written once the database answers: retried until it does. */
const { giveUpOutcomeEmail } = proxyActivities<MoveActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function moveOutcomeEmail(input: OutcomeEmailInput): Promise<{ state: EmailState }> {
  const { sendOutcomeEmail } = proxyActivities<MoveActivities>({
    // Above the mailer's request timeout plus a database round trip: an attempt ends with its answer.
    startToCloseTimeout: '1 minute',
    // Through outages of hours: backoff up to 10 minutes, for the whole delivery window.
    scheduleToCloseTimeout: input.deliveryWindow,
    retry: {
      initialInterval: '10 seconds',
      backoffCoefficient: 2,
      maximumInterval: '10 minutes',
      nonRetryableErrorTypes: [EmailFailureType.OutcomeUncertain],
    },
  });
  let sent: EmailOutcome;
  try {
    sent = await sendOutcomeEmail(input);
  } catch (error) {
    const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
    const uncertain = cause instanceof ApplicationFailure && cause.type === EmailFailureType.OutcomeUncertain;
    const reason = uncertain
      ? cause.message
      : `Not delivered within ${input.deliveryWindow}: ${cause instanceof Error ? cause.message : String(cause)}`;
    log.error('Outcome email not delivered', { moveId: input.moveId, reason });
    await giveUpOutcomeEmail({ moveId: input.moveId, phase: input.phase, reason });
    return { state: uncertain ? 'UNCERTAIN' : 'FAILED' };
  }
  return { state: sent.state };
}
