// Delivers a finished move's outcome email to its T2 contact, apart from the move: it keeps trying
// through mail outages for the delivery window (a day by default) without holding the client's move
// open. The outbox row is the truth of what happened, and the move's email state follows it.
import { log, proxyActivities } from '@temporalio/workflow';
import type { EmailOutcome, MoveActivities, OutcomeEmailInput } from '../activities/contract';
import type { EmailState } from '../domain/move';
import { deliveryPolicy, gaveUp } from './emailDelivery';

export { outcomeEmailWorkflowId } from '../domain/move';

/** The outbox row is written once the database answers: retried until it does. */
const { giveUpOutcomeEmail } = proxyActivities<MoveActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function moveOutcomeEmail(input: OutcomeEmailInput): Promise<{ state: EmailState }> {
  const { sendOutcomeEmail } = proxyActivities<MoveActivities>(deliveryPolicy(input.deliveryWindow));
  let sent: EmailOutcome;
  try {
    sent = await sendOutcomeEmail(input);
  } catch (error) {
    const { uncertain, reason } = gaveUp(error, input.deliveryWindow);
    log.error('Outcome email not delivered', { moveId: input.moveId, reason });
    await giveUpOutcomeEmail({ moveId: input.moveId, phase: input.phase, reason });
    return { state: uncertain ? 'UNCERTAIN' : 'FAILED' };
  }
  return { state: sent.state };
}
