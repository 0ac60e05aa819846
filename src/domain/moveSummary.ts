// A move in words for Temporal Web, so an operator reads it without opening JSON: the workflow's
// static summary and details (set when it starts), its current details (phase, counts, last error)
// and the summaries of its activities and its wait timer. Pure and deterministic (the workflow
// imports it): times are formatted from the arguments, never from a clock.
import {
  BATCHED_STEP_KIND,
  PROGRESS_KEY,
  isBatchedStep,
  type MoveError,
  type MoveProgress,
  type MoveStep,
} from './move';

/**
 * The zone times are shown in. Sites carry no time zone of their own; every site the operator runs is
 * in the UK. Temporal Web shows the timestamps of events in the viewer's own zone besides.
 */
export const MOVE_DISPLAY_TIME_ZONE = 'Europe/London';

/** What a person needs to recognise a move: names, not ids. */
export interface MoveDescription {
  moveId: string;
  clientName: string;
  sourceSiteName: string;
  destinationSiteName: string;
  /** ISO-8601; for a move-now, when it was asked for. */
  scheduledFor: string;
  moveNow: boolean;
  tariffName: string;
  minuteBundleName: string;
  spaceNames: string[];
  /** The T2 contact emailed the outcome, or null. */
  notifyName: string | null;
  requestedByName: string;
  /** The move's page for people (the web app's /moves/<id>), when its address is known. */
  movePageUrl: string | null;
}

const STEP_NAMES: Record<MoveStep | 'SNAPSHOT', string> = {
  SNAPSHOT: 'Read what moves',
  PROVISION_SERVICES: 'Provision services',
  REHOME_PHONE_NUMBERS: 'Re-home phone numbers',
  MOVE_USERS: 'Move users',
  APPLY_TARIFF_AND_BUNDLE: 'Apply tariff and bundle',
  ASSIGN_SPACES: 'Assign spaces',
  DECOMMISSION_SOURCE_SERVICES: 'Decommission source services',
};

const ROLLBACK_NAMES: Record<MoveStep, string> = {
  PROVISION_SERVICES: 'Roll back: remove provisioned services',
  REHOME_PHONE_NUMBERS: 'Roll back: restore phone numbers',
  MOVE_USERS: 'Roll back: restore users',
  APPLY_TARIFF_AND_BUNDLE: 'Roll back: restore tariff and bundle',
  ASSIGN_SPACES: 'Roll back: restore spaces',
  DECOMMISSION_SOURCE_SERVICES: 'Roll back: recommission source services',
};

/** "1 Dec 09:00 Europe/London": day, month and 24-hour time in the zone, as operators write it. */
export function formatMoveTime(iso: string, timeZone = MOVE_DISPLAY_TIME_ZONE): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('day')} ${part('month')} ${part('hour')}:${part('minute')} ${timeZone}`;
}

/** "Acme Analytics Ltd: London Shoreditch → Manchester Spinningfields, scheduled 1 Dec 09:00 Europe/London" */
export function moveStaticSummary(move: MoveDescription, timeZone = MOVE_DISPLAY_TIME_ZONE): string {
  const when = move.moveNow ? 'now' : `scheduled ${formatMoveTime(move.scheduledFor, timeZone)}`;
  return `${move.clientName}: ${move.sourceSiteName} → ${move.destinationSiteName}, ${when}`;
}

/** The choices made in the wizard, as Markdown (Temporal Web renders it), with the move's page. */
export function moveStaticDetails(move: MoveDescription, timeZone = MOVE_DISPLAY_TIME_ZONE): string {
  const lines = [
    `**Move** ${move.clientName} from ${move.sourceSiteName} to ${move.destinationSiteName}`,
    `**When** ${move.moveNow ? `now (asked ${formatMoveTime(move.scheduledFor, timeZone)})` : formatMoveTime(move.scheduledFor, timeZone)}`,
    `**Tariff** ${move.tariffName} · **Minute bundle** ${move.minuteBundleName}`,
    `**Spaces** ${move.spaceNames.length > 0 ? move.spaceNames.join(', ') : 'none chosen'}`,
    `**Outcome email** ${move.notifyName ?? 'none'} · **Requested by** ${move.requestedByName}`,
    move.movePageUrl
      ? `**Move page** [${move.movePageUrl}](${move.movePageUrl})`
      : `**Move** \`${move.moveId}\` (API: \`GET /api/client-site-moves/${move.moveId}\`)`,
  ];
  return lines.join('\n\n');
}

/** What the move is doing now, as Markdown for `setCurrentDetails`: phase, step, counts, last error. */
export function moveCurrentDetails(progress: MoveProgress, timeZone = MOVE_DISPLAY_TIME_ZONE): string {
  const { items } = progress;
  const lines = [
    `**${progress.phase}**${progress.currentStep ? ` · ${stepName(progress.currentStep, timeZone, progress)}` : ''}`,
    `Users ${items.users.done}/${items.users.total} · Phone numbers ${items.phoneNumbers.done}/${items.phoneNumbers.total} · Services ${items.services.done}/${items.services.total}`,
  ];
  if (progress.phase === 'SCHEDULED') lines.push(`Runs ${formatMoveTime(progress.scheduledFor, timeZone)}`);
  if (progress.decisionDeadline) {
    lines.push(
      `Waiting for retry or rollback; rolls back by itself at ${formatMoveTime(progress.decisionDeadline, timeZone)}`,
    );
  }
  if (progress.lastError) lines.push(`**Last error** ${errorLine(progress.lastError)}`);
  if (progress.needsHuman.length > 0) {
    lines.push(`**Needs a human** ${progress.needsHuman.map(errorLine).join('; ')}`);
  }
  return lines.join('\n\n');
}

/** A forward or rollback step, or one batch of it: "Move users: batch 3 of 20". */
export function stepActivitySummary(
  step: MoveStep | 'SNAPSHOT',
  options: { rollback?: boolean; batch?: { number: number; of: number } } = {},
): string {
  const name = options.rollback && step !== 'SNAPSHOT' ? ROLLBACK_NAMES[step] : STEP_NAMES[step];
  if (!options.batch) return name;
  const { number, of } = options.batch;
  return `${name}: batch ${number} of ${Math.max(number, of)}`;
}

/** How many calls a batched step makes for `total` items: at least one (it is called to learn there are none). */
export function batchCount(total: number, batchSize: number): number {
  return Math.max(1, Math.ceil(total / batchSize));
}

/** The items a batched step counts, e.g. `users` for MOVE_USERS; null for a single-call step. */
export function stepItems(step: MoveStep): keyof MoveProgress['items'] | null {
  return isBatchedStep(step) ? PROGRESS_KEY[BATCHED_STEP_KIND[step]] : null;
}

/** The durable timer of a scheduled move: "Wait until 1 Dec 09:00 Europe/London". */
export function waitTimerSummary(scheduledFor: string, timeZone = MOVE_DISPLAY_TIME_ZONE): string {
  return `Wait until ${formatMoveTime(scheduledFor, timeZone)}`;
}

/** The decision timer in NEEDS_ATTENTION: "Roll back by itself at 2 Dec 09:00 Europe/London unless decided". */
export function decisionTimerSummary(deadline: string, timeZone = MOVE_DISPLAY_TIME_ZONE): string {
  return `Roll back by itself at ${formatMoveTime(deadline, timeZone)} unless decided`;
}

function stepName(currentStep: string, timeZone: string, progress: MoveProgress): string {
  if (currentStep === 'WAITING') return waitTimerSummary(progress.scheduledFor, timeZone);
  const [prefix, step] = currentStep.startsWith('rollback:') ? ['rollback', currentStep.slice(9)] : ['', currentStep];
  if (!(step in STEP_NAMES)) return currentStep;
  return stepActivitySummary(step as MoveStep | 'SNAPSHOT', { rollback: prefix === 'rollback' });
}

function errorLine(error: MoveError): string {
  const where = [error.step, error.item?.label].filter(Boolean).join(', ');
  return `${error.type}${where ? ` (${where})` : ''}: ${error.message}`;
}
