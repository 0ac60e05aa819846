// A move in words, so an operator reads it in Temporal Web without opening JSON: the workflow's
// static summary and details (set when it starts), its current details (phase, step, counts, what it
// waits for, last error) and the summaries of its activities and timers. Step names come from the
// step table. Pure and deterministic (the workflow imports it): times are formatted from the
// arguments, never from a clock, in the site's time zone.
import type { MoveError, MoveProgress } from './move';
import { MOVE_STEP_TABLE, stepRow, type MoveStep } from './steps';
import { PROGRESS_KEY } from './move';
import { formatterFor } from './timeZones';

/** Where times are shown when the move names no site zone (moves started before sites had one). */
export const DEFAULT_TIME_ZONE = 'Europe/London';

/** What a person needs to recognise a move: names, not ids. */
export interface MoveDescription {
  moveId: string;
  clientName: string;
  sourceSiteName: string;
  destinationSiteName: string;
  /** The destination site's IANA zone: the move's times are its local times. */
  timeZone: string;
  /** ISO-8601; for a move-now, when it was asked for. */
  scheduledFor: string;
  moveNow: boolean;
  tariffName: string;
  /** Null: no minute bundle at the destination. */
  minuteBundleName: string | null;
  spaceNames: string[];
  /** The T2 contact emailed the outcome, or null. */
  notifyName: string | null;
  requestedByName: string;
  /** The move's page for people (the web app's /moves/<id>), when its address is known. */
  movePageUrl: string | null;
}

/** The workflow's other steps, in words. */
const OTHER_STEPS: Record<string, string> = {
  WAITING: 'Waiting for the move time',
  PREFLIGHT: 'Checking the move can still run',
  SNAPSHOT: 'Listing what moves',
};

/** A step in words: "MOVE_USERS" → "Move users", "rollback:MOVE_USERS" → "Undo: give users back…". */
export function stepTitle(currentStep: string | null): string | null {
  if (currentStep === null) return null;
  const undo = currentStep.startsWith('rollback:');
  const step = undo ? currentStep.slice('rollback:'.length) : currentStep;
  const row = MOVE_STEP_TABLE.find((r) => r.step === step);
  if (!row) return OTHER_STEPS[currentStep] ?? currentStep;
  return undo ? `Undo: ${lowerFirst(row.undoTitle)}` : row.title;
}

/** "1 Dec 09:00 Europe/London": day, month and 24-hour time in the zone, as operators write it. */
export function formatMoveTime(iso: string, timeZone = DEFAULT_TIME_ZONE): string {
  const parts = formatterFor('moveTime', timeZone).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('day')} ${part('month')} ${part('hour')}:${part('minute')} ${timeZone}`;
}

/** "Acme Analytics Ltd: London Shoreditch → Manchester Spinningfields, scheduled 1 Dec 09:00 Europe/London" */
export function moveStaticSummary(move: MoveDescription): string {
  const when = move.moveNow ? 'now' : `scheduled ${formatMoveTime(move.scheduledFor, move.timeZone)}`;
  return `${move.clientName}: ${move.sourceSiteName} → ${move.destinationSiteName}, ${when}`;
}

/** The choices made in the wizard, as Markdown (Temporal Web renders it), with the move's page. */
export function moveStaticDetails(move: MoveDescription): string {
  const at = (iso: string) => formatMoveTime(iso, move.timeZone);
  const lines = [
    `**Move** ${move.clientName} from ${move.sourceSiteName} to ${move.destinationSiteName}`,
    `**When** ${move.moveNow ? `now (asked ${at(move.scheduledFor)})` : at(move.scheduledFor)}`,
    `**Tariff** ${move.tariffName} · **Minute bundle** ${move.minuteBundleName ?? 'none'}`,
    `**Spaces** ${move.spaceNames.length > 0 ? move.spaceNames.join(', ') : 'none chosen'}`,
    `**Outcome email** ${move.notifyName ?? 'none'} · **Requested by** ${move.requestedByName}`,
    move.movePageUrl
      ? `**Move page** [${move.movePageUrl}](${move.movePageUrl})`
      : `**Move** \`${move.moveId}\` (API: \`GET /api/client-site-moves/${move.moveId}\`)`,
  ];
  return lines.join('\n\n');
}

/** What the move is doing now, as Markdown for `setCurrentDetails`: phase, step, counts, what it waits for. */
export function moveCurrentDetails(progress: MoveProgress, timeZone = DEFAULT_TIME_ZONE): string {
  const { items } = progress;
  const step = progress.currentStep === 'WAITING' ? waitTimerSummary(progress.scheduledFor, timeZone) : null;
  const lines = [
    `**${progress.phase}**${progress.currentStep ? ` · ${step ?? stepTitle(progress.currentStep)}` : ''}`,
    `Users ${items.users.done}/${items.users.total} · Phone numbers ${items.phoneNumbers.done}/${items.phoneNumbers.total} · Services ${items.services.done}/${items.services.total}`,
  ];
  if (progress.phase === 'SCHEDULED') lines.push(`Runs ${formatMoveTime(progress.scheduledFor, timeZone)}`);
  if (progress.outage) {
    lines.push(
      `**Waiting out an outage** ${progress.outage.type}: ${progress.outage.message}; asks an operator at ${formatMoveTime(progress.outage.givesUpAt, timeZone)} if it lasts`,
    );
  }
  if (progress.decisionDeadline) {
    lines.push(
      `Waiting for retry or rollback; rolls back by itself at ${formatMoveTime(progress.decisionDeadline, timeZone)}`,
    );
  }
  if (progress.lastError) lines.push(`**Last error** ${errorLine(progress.lastError)}`);
  if (progress.warnings.length > 0) {
    lines.push(`**Warnings** ${progress.warnings.map((w) => w.message).join('; ')}`);
  }
  if (progress.needsHuman.length > 0) {
    lines.push(`**Needs a human** ${progress.needsHuman.map(errorLine).join('; ')}`);
  }
  return lines.join('\n\n');
}

/** A forward or undo step, or one batch of it: "Move users: batch 3 of 20". */
export function stepActivitySummary(
  step: MoveStep,
  options: { undo?: boolean; batch?: { number: number; of: number } } = {},
): string {
  const name = stepTitle(options.undo ? `rollback:${step}` : step) ?? step;
  if (!options.batch) return name;
  const { number, of } = options.batch;
  return `${name}: batch ${number} of ${Math.max(number, of)}`;
}

/** How many calls a batched step makes for `total` items: at least one (it is called to learn there are none). */
export function batchCount(total: number, batchSize: number): number {
  return Math.max(1, Math.ceil(total / batchSize));
}

/** The items a batched step carries, e.g. `users` for MOVE_USERS; null for a single-call step. */
export function stepItems(step: MoveStep): keyof MoveProgress['items'] | null {
  const { batchedKind } = stepRow(step);
  return batchedKind === null ? null : PROGRESS_KEY[batchedKind];
}

/** The durable timer of a scheduled move: "Wait until 1 Dec 09:00 Europe/London". */
export function waitTimerSummary(scheduledFor: string, timeZone = DEFAULT_TIME_ZONE): string {
  return `Wait until ${formatMoveTime(scheduledFor, timeZone)}`;
}

/** The decision timer in NEEDS_ATTENTION: "Roll back by itself at 2 Dec 09:00 Europe/London unless decided". */
export function decisionTimerSummary(deadline: string, timeZone = DEFAULT_TIME_ZONE): string {
  return `Roll back by itself at ${formatMoveTime(deadline, timeZone)} unless decided`;
}

function errorLine(error: MoveError): string {
  const where = [error.step, error.item?.label].filter(Boolean).join(', ');
  return `${error.type}${where ? ` (${where})` : ''}: ${error.message}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
