// Delivers one set of pre-move warnings to the move's T2 contact, apart from the move, as the outcome
// email is: through mail outages until the move is due (the warnings are news until then), and for
// a quarter of an hour at least. The outbox row is the truth of what happened.
import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { EmailOutcome, MoveActivities, WarningsEmailDelivery } from '../activities/contract';
import type { EmailState } from '../domain/move';
import { deliveryPolicy, gaveUp } from './emailDelivery';

export { warningsEmailWorkflowId } from '../domain/move';

/** The shortest delivery window, for warnings found when the move is (nearly) due. */
const AT_LEAST_MS = 15 * 60_000;

/** The outbox row is written, and the move read, once the database answers: retried until it does. */
const { giveUpWarningsEmail, warningsNewsUntil } = proxyActivities<MoveActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * A move rescheduled later while its warnings waited for the mail: they are news until its new time,
 * not only until the time they were handed over with.
 */
const FOLLOWS_RESCHEDULE = 'warnings-email-follows-reschedule';

export async function moveWarningsEmail(input: WarningsEmailDelivery): Promise<{ state: EmailState }> {
  let deliverBy = input.deliverBy;
  for (;;) {
    const windowMs = Math.max(Date.parse(deliverBy) - Date.now(), AT_LEAST_MS);
    const { sendWarningsEmail } = proxyActivities<MoveActivities>(deliveryPolicy(windowMs));
    let sent: EmailOutcome;
    try {
      sent = await sendWarningsEmail(input);
    } catch (error) {
      const { uncertain, reason } = gaveUp(error, `${Math.round(windowMs / 60_000)} minutes`);
      if (!uncertain && patched(FOLLOWS_RESCHEDULE)) {
        const newsUntil = await warningsNewsUntil({ moveId: input.moveId, digest: input.digest });
        // Later than the time tried for, and still ahead: rescheduled meanwhile, so news until then.
        if (newsUntil !== null && Date.parse(newsUntil) > Math.max(Date.parse(deliverBy), Date.now())) {
          log.warn('Warnings email still not delivered; the move was rescheduled, so trying until then', {
            moveId: input.moveId,
            digest: input.digest,
            until: newsUntil,
          });
          deliverBy = newsUntil;
          continue;
        }
      }
      log.error('Warnings email not delivered', { moveId: input.moveId, digest: input.digest, reason });
      await giveUpWarningsEmail({ moveId: input.moveId, digest: input.digest, reason });
      return { state: uncertain ? 'UNCERTAIN' : 'FAILED' };
    }
    return { state: sent.state };
  }
}
