// Tells the chosen T2 contact what the pre-move check found before the move runs, once per set of
// warnings (the outbox keys the email by the set's digest), through the same at-most-once outbox as
// the outcome email.
import { warningsEmailWorkflowId } from '../domain/move';
import { formatAtSite } from '../domain/timeZones';
import type { EmailOutcome, WarningsEmailInput, WarningsGiveUpInput, WarningsNewsInput } from './contract';
import type { ActivityDeps } from './shared/deps';
import { loadMove, type MoveRecord } from './shared/moveRecord';
import { escapeHtml } from './shared/outcomeMessage';
import { sendThroughOutbox } from './shared/outbox';
import { plainSql } from '../db/plainSql';

export async function sendWarningsEmail(deps: ActivityDeps, input: WarningsEmailInput): Promise<EmailOutcome> {
  const move = await loadMove(plainSql(deps.db), input.moveId, false, {
    emailWorkflowId: warningsEmailWorkflowId(input.moveId, input.digest),
  });
  if (!move.notifyEmail || input.warnings.length === 0) return { state: 'NOT_REQUESTED' };
  // News only while the move waits to run: a mail outage can outlast the wait, and a move that has
  // started, finished or been cancelled meanwhile is not to be told "it has not started yet".
  if (!stillWaiting(move)) {
    await giveUpWarningsEmail(deps, { moveId: move.id, digest: input.digest, reason: NO_LONGER_NEWS });
    return { state: 'NOT_REQUESTED' };
  }
  const when = formatAtSite(move.scheduledFor, move.destinationTimeZone);
  const subject = `Client site move of ${move.clientName} (${when}): ${input.warnings.length} warning(s) before it runs`;
  const intro =
    `The move of ${move.clientName} from ${move.sourceSiteName} to ${move.destinationSiteName}, scheduled for ` +
    `${when}, has not started yet. The pre-move check found what could stop or surprise it:`;
  await sendThroughOutbox(deps, {
    dedupeKey: warningsEmailKey(move.id, input.digest),
    moveId: move.id,
    toEmail: move.notifyEmail,
    subject,
    text: [intro, '', ...input.warnings.map((w) => `- ${w.message}`)].join('\n'),
    html: [
      `<p>${escapeHtml(intro)}</p><ul>`,
      ...input.warnings.map((w) => `<li>${escapeHtml(w.message)}</li>`),
      '</ul>',
    ].join('\n'),
  });
  return { state: 'SENT' };
}

/**
 * Delivery gave up (the move is due, it no longer waits, or the outcome is uncertain): a row not sent
 * becomes FAILED with the reason; one an attempt is still sending becomes UNCERTAIN (that attempt may
 * yet deliver it); SENT and UNCERTAIN stay. A row never written (the database was down throughout)
 * stays unwritten: there is nothing to show.
 */
export async function giveUpWarningsEmail(deps: ActivityDeps, input: WarningsGiveUpInput): Promise<void> {
  const dedupeKey = warningsEmailKey(input.moveId, input.digest);
  const stillSending = `${input.reason} (an attempt was still sending it)`;
  await plainSql(deps.db).$executeRaw`
    UPDATE email_outbox
    SET status = CASE WHEN status = 'SENDING' THEN 'UNCERTAIN'::"EmailStatus" ELSE 'FAILED'::"EmailStatus" END,
        last_error = CASE WHEN status = 'SENDING' THEN ${stillSending} ELSE ${input.reason} END
    WHERE dedupe_key = ${dedupeKey} AND status IN ('PENDING', 'SENDING', 'FAILED')`;
}

export async function warningsNewsUntil(deps: ActivityDeps, input: WarningsNewsInput): Promise<string | null> {
  const move = await loadMove(plainSql(deps.db), input.moveId, false, {
    emailWorkflowId: warningsEmailWorkflowId(input.moveId, input.digest),
  });
  return stillWaiting(move) ? move.scheduledFor.toISOString() : null;
}

function warningsEmailKey(moveId: string, digest: string): string {
  return `move:${moveId}:warnings:${digest}`;
}

const NO_LONGER_NEWS = 'Not sent: the move no longer waits to run, so its warnings are no longer news';

/** Scheduled, or held by the pre-move check, and not started. */
function stillWaiting(move: MoveRecord): boolean {
  return (move.status === 'SCHEDULED' || move.status === 'NEEDS_ATTENTION') && move.startedAt === null;
}
