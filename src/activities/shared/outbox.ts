// The email outbox: one row per email, named by its dedupe key, so each email is sent at most once.
// The row is claimed (PENDING or FAILED -> SENDING) before the send and marked SENT after it, so a
// row found in SENDING means an earlier attempt stopped mid-send and nobody knows whether the mail
// left: it becomes UNCERTAIN and is never resent automatically (a duplicate is worse than a person
// checking). A send the provider refused, or that got no answer within the mailer's request
// timeout, goes back to PENDING with the reason, for the caller's retry.
import { ApplicationFailure } from '@temporalio/common';
import { EmailFailureType } from '../../domain/errors';
import type { EmailState } from '../../domain/move';
import type { SentEmail } from '../../mail/mailer';
import type { ActivityDeps } from './deps';

export interface OutboxEmail {
  dedupeKey: string;
  moveId: string;
  toEmail: string;
  subject: string;
  text: string;
  html: string;
}

interface ClaimedEmail {
  id: string;
  toEmail: string;
  subject: string;
  text: string;
  html: string;
}

/** Told each state the email reaches, with the reason when it is not sent. */
export type EmailStateListener = (state: EmailState, error: string | null) => Promise<void>;

const noListener: EmailStateListener = () => Promise.resolve();

/** Queues the email (once) and sends it unless an earlier attempt did or may have. */
export async function sendThroughOutbox(
  deps: ActivityDeps,
  email: OutboxEmail,
  onState: EmailStateListener = noListener,
): Promise<void> {
  const { db } = deps;
  await db.emailOutbox.createMany({ skipDuplicates: true, data: [email] });
  const [claimed] = await db.$queryRaw<ClaimedEmail[]>`
    UPDATE email_outbox SET status = 'SENDING', attempts = attempts + 1
    WHERE dedupe_key = ${email.dedupeKey} AND status IN ('PENDING', 'FAILED')
    RETURNING id, to_email AS "toEmail", subject, text, html`;
  if (!claimed) return settleUnclaimed(deps, email.dedupeKey, onState);

  let sent: SentEmail;
  try {
    sent = await deps.mailer.send({ ...claimed, to: claimed.toEmail, reference: claimed.id });
  } catch (error) {
    throw await recordSendError(deps, claimed, error, onState);
  }
  // UNCERTAIN too: a slow attempt that a retry already gave up on did send after all.
  await db.emailOutbox.updateMany({
    where: { id: claimed.id, status: { in: ['SENDING', 'UNCERTAIN'] } },
    data: { status: 'SENT', sentAt: deps.now(), providerMessageId: sent.providerMessageId, lastError: null },
  });
  await onState('SENT', null);
}

/** Nothing to claim: sent already, or an earlier attempt's outcome is unknown. */
async function settleUnclaimed(deps: ActivityDeps, dedupeKey: string, onState: EmailStateListener): Promise<void> {
  const row = await deps.db.emailOutbox.findUniqueOrThrow({ where: { dedupeKey } });
  if (row.status === 'SENT') return onState('SENT', null);
  if (row.status === 'SENDING') {
    const lastError = 'An earlier attempt stopped while sending; it is unknown whether the email left';
    await deps.db.emailOutbox.updateMany({
      where: { id: row.id, status: 'SENDING' },
      data: { status: 'UNCERTAIN', lastError },
    });
    await onState('UNCERTAIN', lastError);
    throw uncertain(row.id, row.toEmail);
  }
  if (row.status === 'UNCERTAIN') throw uncertain(row.id, row.toEmail);
  // PENDING or FAILED again: another attempt released it between our claim and this read.
  throw ApplicationFailure.retryable(
    `Email ${row.id} changed while being claimed; trying again`,
    EmailFailureType.SendFailed,
  );
}

async function recordSendError(
  deps: ActivityDeps,
  email: ClaimedEmail,
  error: unknown,
  onState: EmailStateListener,
): Promise<Error> {
  const { definite, message } = describeSendError(error);
  if (!definite) {
    await deps.db.emailOutbox.updateMany({
      where: { id: email.id, status: 'SENDING' },
      data: { status: 'UNCERTAIN', lastError: message },
    });
    await onState('UNCERTAIN', message);
    return uncertain(email.id, email.toEmail, message);
  }
  // Not sent: back in the queue with the reason; the caller's retry tries again after a while.
  await deps.db.emailOutbox.updateMany({
    where: { id: email.id, status: { in: ['SENDING', 'UNCERTAIN'] } },
    data: { status: 'PENDING', lastError: message },
  });
  await onState('PENDING', `Not sent yet, trying again: ${message}`);
  return ApplicationFailure.create({
    type: EmailFailureType.SendFailed,
    message: `Sending the email to ${email.toEmail} failed: ${message}`,
    nonRetryable: false,
  });
}

function uncertain(id: string, to: string, cause?: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: EmailFailureType.OutcomeUncertain,
    nonRetryable: true,
    message:
      `The email to ${to} may or may not have been sent${cause ? ` (${cause})` : ''}; ` +
      `it is not resent automatically. Check the mail provider for reference ${id} and resend by hand if it is missing.`,
  });
}

/**
 * Errors that prove the email did not leave: the provider answered, or was never reached. The
 * mailer's own request timeout counts too: a provider that does not answer within it is taken as
 * having failed (if it accepted the mail after all, the contact may get it twice; see docs).
 */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'ETIMEDOUT']);

function describeSendError(error: unknown): { definite: boolean; message: string } {
  const text = error instanceof Error ? error.message : String(error);
  if (typeof error !== 'object' || error === null) return { definite: false, message: text };
  const { code, response } = error as { code?: unknown; response?: { body?: unknown } };
  if (typeof code === 'number' && response) {
    return { definite: true, message: `provider answered ${code} ${text}${providerDetail(response.body)}` };
  }
  if (typeof code === 'string' && NOT_SENT_CODES.has(code)) return { definite: true, message: `${code}: ${text}` };
  return { definite: false, message: text };
}

function providerDetail(body: unknown): string {
  const errors = (body as { errors?: { message?: unknown }[] } | null | undefined)?.errors;
  const messages = Array.isArray(errors) ? errors.map((e) => e.message).filter((m) => typeof m === 'string') : [];
  return messages.length > 0 ? `: ${messages.join('; ')}` : '';
}
