// Emails the chosen T2 contact the move's outcome through the outbox (shared/outbox.ts: sent at most
// once), called by the moveOutcomeEmail workflow, which retries it through mail outages. Each state
// the email reaches is copied onto the move's dashboard task, so the move's email state follows the
// outbox; giveUpOutcomeEmail records the final word when delivery gives up.
import { outcomeEmailKey, outcomeEmailWorkflowId, type EmailState } from '../domain/move';
import { temporalWebLink } from '../domain/temporalWeb';
import type { EmailStatus } from '../generated/prisma/client';
import type { EmailGiveUpInput, EmailOutcome, FinishInput } from './contract';
import type { ActivityDeps } from './shared/deps';
import { loadMove } from './shared/moveRecord';
import { composeOutcomeMessage } from './shared/outcomeMessage';
import { sendThroughOutbox } from './shared/outbox';
import { toJson } from './shared/progressJson';
import { plainSql } from '../db/plainSql';

export async function sendOutcomeEmail(deps: ActivityDeps, input: FinishInput): Promise<EmailOutcome> {
  // Not a transaction (the send must not hold one open), so no lock: the outbox row is the guard.
  const move = await loadMove(plainSql(deps.db), input.moveId, false, {
    emailWorkflowId: outcomeEmailWorkflowId(input.moveId),
  });
  if (!move.notifyEmail) return { state: 'NOT_REQUESTED' };
  const message = composeOutcomeMessage({
    clientName: move.clientName,
    fromSite: move.sourceSiteName,
    toSite: move.destinationSiteName,
    timeZone: move.destinationTimeZone,
    phase: input.phase,
    progress: input.progress,
    link: deps.temporalWebUrl ? temporalWebLink(deps.temporalWebUrl, move) : null,
  });
  await sendThroughOutbox(
    deps,
    { dedupeKey: outcomeEmailKey(move.id, input.phase), moveId: move.id, toEmail: move.notifyEmail, ...message },
    (state, error) => showEmailState(deps, move.id, state, error),
  );
  return { state: 'SENT' };
}

/**
 * The delivery window is over (or the outcome is uncertain): the row becomes FAILED with the reason,
 * unless it was sent or is UNCERTAIN, and the move shows the row's final state.
 */
export async function giveUpOutcomeEmail(deps: ActivityDeps, input: EmailGiveUpInput): Promise<void> {
  const dedupeKey = outcomeEmailKey(input.moveId, input.phase);
  await plainSql(deps.db).$executeRaw`
    UPDATE email_outbox SET status = 'FAILED', last_error = ${input.reason}
    WHERE dedupe_key = ${dedupeKey} AND status IN ('PENDING', 'SENDING', 'FAILED')`;
  // Read apart from the update: a send finishing meanwhile leaves its row SENT, and that is what shows.
  const [row] = await plainSql(deps.db).$queryRaw<{ status: EmailStatus; lastError: string | null }[]>`
    SELECT status::text AS status, last_error AS "lastError" FROM email_outbox WHERE dedupe_key = ${dedupeKey}`;
  const state: EmailState = row?.status === 'SENT' ? 'SENT' : row?.status === 'UNCERTAIN' ? 'UNCERTAIN' : 'FAILED';
  await showEmailState(deps, input.moveId, state, state === 'SENT' ? null : (row?.lastError ?? input.reason));
}

/** Copies the email's state onto the move's dashboard task, where the API and dashboard read it. */
async function showEmailState(deps: ActivityDeps, moveId: string, state: EmailState, error: string | null) {
  const email = toJson({ state, error });
  await plainSql(deps.db).$executeRaw`
    UPDATE dashboard_task SET progress = jsonb_set(progress, '{email}', ${email}::jsonb), updated_at = ${deps.now()}
    WHERE move_id = ${moveId}::uuid`;
}
