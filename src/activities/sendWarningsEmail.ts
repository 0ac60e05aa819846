// Tells the chosen T2 contact what the pre-move check found before the move runs, once per set of
// warnings (the outbox keys the email by the set's digest), through the same at-most-once outbox as
// the outcome email.
import { formatAtSite } from '../domain/timeZones';
import type { EmailOutcome, WarningsEmailInput } from './contract';
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
    dedupeKey: `move:${move.id}:warnings:${input.digest}`,
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
