// The email outbox: one row per email, named by its dedupe key, so each email is sent at most once.
// The row is claimed (written as SENDING, or PENDING or FAILED -> SENDING) before the send and marked
// SENT after it, so a row found in SENDING means an earlier attempt stopped mid-send and nobody knows
// whether the mail left: it becomes UNCERTAIN and is never resent automatically (a duplicate is worse
// than a person checking). A send the provider refused, or that got no answer within the mailer's
// request timeout, goes back to PENDING with the reason, for the caller's retry (no sooner than the
// provider's Retry-After, when it gave one).
import { ApplicationFailure } from '@temporalio/common';
import { EmailFailureType } from '../../domain/errors';
import type { EmailState } from '../../domain/move';
import type { EmailStatus } from '../../generated/prisma/client';
import type { SentEmail } from '../../mail/mailer';
import type { ActivityDeps } from './deps';
import { plainSql } from '../../db/plainSql';

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
  // Queued and claimed in one statement: a new row goes in already claimed (SENDING, first attempt); a
  // row queued before is claimed if it waits to be sent (PENDING or FAILED). The claim cannot see a row
  // the insert adds, so a row is never both inserted and claimed.
  const [claimed] = await db.$queryRaw<ClaimedEmail[]>`
    WITH queued AS (
      INSERT INTO email_outbox (id, dedupe_key, move_id, to_email, subject, text, html, status, attempts)
      VALUES (gen_random_uuid(), ${email.dedupeKey}, ${email.moveId}::uuid, ${email.toEmail}, ${email.subject},
              ${email.text}, ${email.html}, 'SENDING', 1)
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING id, to_email, subject, text, html
    ), reclaimed AS (
      UPDATE email_outbox SET status = 'SENDING', attempts = attempts + 1
      WHERE dedupe_key = ${email.dedupeKey} AND status IN ('PENDING', 'FAILED')
      RETURNING id, to_email, subject, text, html
    )
    SELECT id, to_email AS "toEmail", subject, text, html FROM queued
    UNION ALL SELECT id, to_email, subject, text, html FROM reclaimed`;
  if (!claimed) return settleUnclaimed(deps, email.dedupeKey, onState);

  let sent: SentEmail;
  try {
    sent = await deps.mailer.send({ ...claimed, to: claimed.toEmail, reference: claimed.id });
  } catch (error) {
    throw await recordSendError(deps, claimed, error, onState);
  }
  // UNCERTAIN too: a slow attempt that a retry already gave up on did send after all.
  await db.$executeRaw`
    UPDATE email_outbox
    SET status = 'SENT', sent_at = ${deps.now()}, provider_message_id = ${sent.providerMessageId}, last_error = NULL
    WHERE id = ${claimed.id}::uuid AND status IN ('SENDING', 'UNCERTAIN')`;
  await onState('SENT', null);
}

/** Nothing to claim: sent already, or an earlier attempt's outcome is unknown. */
async function settleUnclaimed(deps: ActivityDeps, dedupeKey: string, onState: EmailStateListener): Promise<void> {
  const [row] = await plainSql(deps.db).$queryRaw<{ id: string; status: EmailStatus; toEmail: string }[]>`
    SELECT id, status::text AS status, to_email AS "toEmail" FROM email_outbox WHERE dedupe_key = ${dedupeKey}`;
  // Only a move's deletion takes a row away (its emails go with it).
  if (!row) throw new Error(`Email ${dedupeKey} is no longer in the outbox`);
  if (row.status === 'SENT') return onState('SENT', null);
  if (row.status === 'SENDING') {
    const lastError = 'An earlier attempt stopped while sending; it is unknown whether the email left';
    await plainSql(deps.db).$executeRaw`
      UPDATE email_outbox SET status = 'UNCERTAIN', last_error = ${lastError}
      WHERE id = ${row.id}::uuid AND status = 'SENDING'`;
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
  const { definite, message, retryAfterMs } = describeSendError(error);
  if (!definite) {
    await plainSql(deps.db).$executeRaw`
      UPDATE email_outbox SET status = 'UNCERTAIN', last_error = ${message}
      WHERE id = ${email.id}::uuid AND status = 'SENDING'`;
    await onState('UNCERTAIN', message);
    return uncertain(email.id, email.toEmail, message);
  }
  // Not sent: back in the queue with the reason; the caller's retry tries again after a while.
  await plainSql(deps.db).$executeRaw`
    UPDATE email_outbox SET status = 'PENDING', last_error = ${message}
    WHERE id = ${email.id}::uuid AND status IN ('SENDING', 'UNCERTAIN')`;
  await onState('PENDING', `Not sent yet, trying again: ${message}`);
  return ApplicationFailure.create({
    type: EmailFailureType.SendFailed,
    message: `Sending the email to ${email.toEmail} failed: ${message}`,
    nonRetryable: false,
    // The provider said when to come back (429, 503): the next attempt waits that long, not less.
    ...(retryAfterMs === null ? {} : { nextRetryDelay: retryAfterMs }),
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

interface SendError {
  definite: boolean;
  message: string;
  /** How long the provider asked us to wait before trying again (its Retry-After), if it said. */
  retryAfterMs: number | null;
}

function describeSendError(error: unknown): SendError {
  const text = error instanceof Error ? error.message : String(error);
  if (typeof error !== 'object' || error === null) return { definite: false, message: text, retryAfterMs: null };
  const { code, response } = error as { code?: unknown; response?: { body?: unknown; headers?: unknown } };
  if (typeof code === 'number' && response) {
    return {
      definite: true,
      message: `provider answered ${code} ${text}${providerDetail(response.body)}`,
      retryAfterMs: retryAfter(response.headers),
    };
  }
  if (typeof code === 'string' && NOT_SENT_CODES.has(code)) {
    return { definite: true, message: `${code}: ${text}`, retryAfterMs: null };
  }
  return { definite: false, message: text, retryAfterMs: null };
}

/** A provider's wait is honoured up to an hour; beyond that the workflow's own backoff decides. */
const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** The Retry-After header (seconds, or an HTTP date) in milliseconds from now; null when absent or unusable. */
export function retryAfter(headers: unknown, now = Date.now()): number | null {
  const value = (headers as Record<string, unknown> | null | undefined)?.['retry-after'];
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1_000 : Date.parse(text) - now;
  return Number.isFinite(ms) && ms > 0 && ms <= MAX_RETRY_AFTER_MS ? ms : null;
}

function providerDetail(body: unknown): string {
  const errors = (body as { errors?: { message?: unknown }[] } | null | undefined)?.errors;
  const messages = Array.isArray(errors) ? errors.map((e) => e.message).filter((m) => typeof m === 'string') : [];
  return messages.length > 0 ? `: ${messages.join('; ')}` : '';
}
