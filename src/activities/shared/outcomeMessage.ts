// The words of the outcome email: what happened to which client, between which sites, how much is
// where, and, when it went wrong, what a person must now do. Pure: no I/O.
import type { FinalPhase, KindProgress, MoveError, MoveProgress, ReviewChanges } from '../../domain/move';
import { formatAtSite } from '../../domain/timeZones';

export interface OutcomeFacts {
  clientName: string;
  fromSite: string;
  toSite: string;
  /** The destination site's zone: times are shown as its local times. */
  timeZone: string;
  phase: FinalPhase;
  progress: MoveProgress;
  /** Where to see the move in Temporal Web, when known. */
  link: string | null;
}

export interface OutcomeMessage {
  subject: string;
  text: string;
  html: string;
}

const HEADLINE: Record<FinalPhase, string> = {
  COMPLETED: 'completed',
  ROLLED_BACK: 'rolled back',
  CANCELLED: 'cancelled',
  FAILED: 'FAILED: needs attention',
};

function summary(f: OutcomeFacts): string {
  switch (f.phase) {
    case 'COMPLETED':
      return `${f.clientName} has moved from ${f.fromSite} to ${f.toSite} and can use its services there now.`;
    case 'ROLLED_BACK':
      return `The move of ${f.clientName} could not be completed and was rolled back: the client is back at ${f.fromSite} as it was.`;
    case 'CANCELLED':
      return `The move of ${f.clientName} to ${f.toSite} was cancelled before anything moved; the client stays at ${f.fromSite}.`;
    case 'FAILED':
      return `The move of ${f.clientName} failed and the rollback could not restore everything. A person must put right the items below before the client is used again.`;
  }
}

/** "2 users added, 1 phone number removed: Ann Lee (user), +44207…" */
export function describeChanges(changes: ReviewChanges): string {
  const part = (counts: ReviewChanges['added'], verb: string) =>
    (
      [
        [counts.users, 'user'],
        [counts.phoneNumbers, 'phone number'],
        [counts.services, 'service'],
      ] as const
    )
      .filter(([n]) => n > 0)
      .map(([n, what]) => `${n} ${what}${n === 1 ? '' : 's'} ${verb}`);
  const parts = [...part(changes.added, 'added'), ...part(changes.removed, 'removed')];
  if (parts.length === 0) return 'nothing changed';
  const named = changes.items.map((i) => `${i.label} (${i.change})`).join(', ');
  return `${parts.join(', ')}${named ? `: ${named}` : ''}`;
}

const describeError = (e: MoveError): string =>
  `${e.type}: ${e.message}${e.item ? ` (${e.item.kind} ${e.item.label})` : ''}${e.step ? ` at ${e.step}` : ''}`;

/** Label and value rows shared by the text and the HTML. */
function rows(f: OutcomeFacts): [string, string][] {
  const { progress: p } = f;
  const count = (k: KindProgress) => `${k.done} of ${k.total} at ${f.toSite}`;
  const out: [string, string][] = [
    ['Client', f.clientName],
    ['From', f.fromSite],
    ['To', f.toSite],
    ['Outcome', f.phase],
    ['Scheduled for', formatAtSite(p.scheduledFor, f.timeZone)],
    ['Finished at', p.finishedAt ? formatAtSite(p.finishedAt, f.timeZone) : ''],
    ['Users', count(p.items.users)],
    ['Phone numbers', count(p.items.phoneNumbers)],
    ['Services', count(p.items.services)],
  ];
  if (p.cancelReason) out.push(['Cancel reason', p.cancelReason]);
  if (p.sinceReview) out.push(['Since your review', describeChanges(p.sinceReview)]);
  if (p.lastError && f.phase !== 'COMPLETED') out.push(['Last error', describeError(p.lastError)]);
  if (f.link) out.push(['Details', f.link]);
  return out;
}

export function composeOutcomeMessage(f: OutcomeFacts): OutcomeMessage {
  const subject = `Client site move ${HEADLINE[f.phase]}: ${f.clientName}, ${f.fromSite} to ${f.toSite}`;
  const table = rows(f);
  const needsHuman = f.progress.needsHuman.map(describeError);
  const text = [
    summary(f),
    '',
    ...table.map(([label, value]) => `${label}: ${value}`),
    ...(needsHuman.length > 0 ? ['', 'Needs a human:', ...needsHuman.map((line) => `- ${line}`)] : []),
  ].join('\n');
  const html = [
    `<p>${escapeHtml(summary(f))}</p>`,
    '<table>',
    ...table.map(
      ([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    ),
    '</table>',
    ...(needsHuman.length > 0
      ? ['<p><strong>Needs a human:</strong></p><ul>', ...needsHuman.map((l) => `<li>${escapeHtml(l)}</li>`), '</ul>']
      : []),
  ].join('\n');
  return { subject, text, html };
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
