// A move's timeline: its audit trail (GET /events, oldest first: who did what, when) in the product's
// words, followed by what is still to come (when it moves, its end). Times are the destination site's.
import type { MoveDetail } from '../../../src/api/schemas';
import { isFinalPhase, type MoveActionKind } from '../../../src/domain/move';
import { formatAtSite, instantOfLocalTime } from '../../../src/domain/timeZones';
import type { MoveEvent } from '../api/moves';
import { PHASE_LABEL, stepLabel } from '../format/labels';

export interface TimelineEntry {
  key: string;
  /** What happened (or will). */
  label: string;
  /** Who acted: an operator's name, Temporal (Temporal Web or the CLI), or the system; null for what is to come. */
  who: string | null;
  /** ISO time; null for what has not happened yet and has no set time. */
  at: string | null;
  state: 'done' | 'current' | 'upcoming' | 'failed';
  detail?: string;
}

export const TEMPORAL_ACTOR = 'Temporal (Temporal Web or the CLI)';
export const SYSTEM_ACTOR = 'System';

const ACTION_LABEL: Record<MoveActionKind, string> = {
  reschedule: 'Rescheduled',
  'move-now': 'Asked to move now',
  cancel: 'Cancelled',
  retry: 'Asked to retry',
  rollback: 'Asked to roll back',
};

/** `complete`: the events are the whole trail so far (no later page left to load). */
export function moveTimeline(move: MoveDetail, events: MoveEvent[], complete: boolean): TimelineEntry[] {
  const zone = move.destinationSite.timeZone;
  const entries = events.map((event) => fromEvent(event, zone));
  if (!complete) return entries;
  const final = isFinalPhase(move.status);
  const last = entries.at(-1);
  if (!final && last && last.state === 'done') last.state = 'current';
  if (move.status === 'SCHEDULED') {
    entries.push({ key: 'moves', label: 'Moves', who: null, at: move.scheduledFor, state: 'upcoming' });
  }
  if (!final) entries.push({ key: 'finished', label: 'Finished', who: null, at: null, state: 'upcoming' });
  return entries;
}

function fromEvent(event: MoveEvent, zone: string): TimelineEntry {
  const who =
    event.actor === 'operator'
      ? (event.operator?.name ?? 'An operator')
      : event.actor === 'temporal'
        ? TEMPORAL_ACTOR
        : SYSTEM_ACTOR;
  const base = { key: event.id, who, at: event.at, state: 'done' as TimelineEntry['state'] };
  const { details } = event;
  switch (event.kind) {
    case 'requested':
      return { ...base, label: 'Move requested', detail: `For ${timeAtSite(details.moveAt, zone)}` };
    case 'scheduled':
      return { ...base, label: 'Scheduled', detail: event.summary };
    case 'phase-changed': {
      if (!event.phaseFrom || !event.phaseTo) return { ...base, label: event.summary };
      const step = text(details.currentStep);
      return {
        ...base,
        label: `${PHASE_LABEL[event.phaseFrom]} → ${PHASE_LABEL[event.phaseTo]}`,
        state: event.phaseTo === 'NEEDS_ATTENTION' || event.phaseTo === 'FAILED' ? 'failed' : 'done',
        detail: event.phaseTo === 'NEEDS_ATTENTION' && step ? `Stopped at: ${stepLabel(step)}` : undefined,
      };
    }
    case 'action': {
      if (!event.action) return { ...base, label: event.summary };
      // An operator's action records its request; one taken in Temporal, the workflow's words for it.
      const detail = text(details.detail);
      if (event.action === 'reschedule') {
        return { ...base, label: ACTION_LABEL.reschedule, detail: `To ${timeAtSite(details.moveAt ?? detail, zone)}` };
      }
      if (event.action === 'cancel') {
        const reason = text(details.reason) || detail;
        return { ...base, label: ACTION_LABEL.cancel, detail: reason ? `Reason: ${reason}` : undefined };
      }
      return { ...base, label: ACTION_LABEL[event.action] };
    }
    case 'finished':
      return {
        ...base,
        label: event.phaseTo ? PHASE_LABEL[event.phaseTo] : event.summary,
        state: event.phaseTo === 'FAILED' ? 'failed' : 'done',
      };
    case 'never-started':
      return { ...base, label: PHASE_LABEL.CANCELLED, detail: event.summary };
  }
}

/** A move time as recorded ("now", an ISO time, or a local time at the site) at the site, zone named. */
function timeAtSite(value: unknown, zone: string): string {
  const given = text(value);
  if (given === 'now') return 'Move Now';
  const local = instantOfLocalTime(given, zone);
  if (local.ok) return formatAtSite(local.at, zone);
  return Number.isNaN(Date.parse(given)) ? given || 'a time not recorded' : formatAtSite(given, zone);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
