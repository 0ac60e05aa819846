// Tells the chosen T2 contact what the pre-move check found before the move runs, once per set of
// warnings (the outbox keys the email by the set's digest), through the same at-most-once outbox as
// the outcome email.
import { formatAtSite } from '../domain/timeZones';
import type { EmailOutcome, WarningsEmailInput, WarningsGiveUpInput } from './contract';
import type { ActivityDeps } from './shared/deps';
import { loadMove } from './shared/moveRecord';
import { escapeHtml } from './shared/outcomeMessage';
import { sendThroughOutbox } from './shared/outbox';

export async function sendWarningsEmail(deps: ActivityDeps, input: WarningsEmailInput): Promise<EmailOutcome> {
  const move = await loadMove(deps.db, input.moveId, false);
  if (!move.notifyEmail || input.warnings.length === 0) return { state: 'NOT_REQUESTED' };
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
 * Delivery gave up (the move is due, or the outcome is uncertain): the row becomes FAILED with the
 * reason, unless it was sent or is UNCERTAIN. A row never written (the database was down throughout)
 * stays unwritten: there is nothing to show.
 */
export async function giveUpWarningsEmail(deps: ActivityDeps, input: WarningsGiveUpInput): Promise<void> {
  await deps.db.emailOutbox.updateMany({
    where: {
      dedupeKey: warningsEmailKey(input.moveId, input.digest),
      status: { in: ['PENDING', 'SENDING', 'FAILED'] },
    },
    data: { status: 'FAILED', lastError: input.reason },
  });
}

function warningsEmailKey(moveId: string, digest: string): string {
  return `move:${moveId}:warnings:${digest}`;
}
