// A move's life as a list of events with their times, built from the move and its live progress.
// A list (not fixed slots) so that other sources, such as the move's audit trail, can be merged in.
import type { MoveDetail } from '../../../src/api/schemas';
import { isFinalPhase, type MovePhase } from '../../../src/domain/move';
import { PHASE_LABEL } from '../format/labels';

export interface TimelineEvent {
  key: string;
  label: string;
  /** ISO time; null for what has not happened yet (or whose time is not recorded). */
  at: string | null;
  state: 'done' | 'current' | 'upcoming' | 'failed';
  detail?: string;
}

const FINAL_STATE: Record<
  Extract<MovePhase, 'COMPLETED' | 'ROLLED_BACK' | 'CANCELLED' | 'FAILED'>,
  TimelineEvent['state']
> = {
  COMPLETED: 'done',
  ROLLED_BACK: 'done',
  CANCELLED: 'done',
  FAILED: 'failed',
};

export function moveTimeline(move: MoveDetail): TimelineEvent[] {
  const phase = move.status;
  const progress = move.progress;
  const startedAt = progress?.startedAt ?? move.startedAt;
  const finishedAt = progress?.finishedAt ?? move.finishedAt;
  const lastError = progress?.lastError ?? null;
  const events: TimelineEvent[] = [
    { key: 'requested', label: `Requested by ${move.requestedBy.name}`, at: move.createdAt, state: 'done' },
  ];

  if (phase === 'CANCELLED' && !startedAt) {
    events.push({ key: 'scheduled', label: 'Was scheduled for', at: move.scheduledFor, state: 'done' });
  } else {
    events.push({
      key: 'scheduled',
      label: move.moveNow ? 'Move Now' : 'Scheduled for',
      at: move.scheduledFor,
      state: phase === 'SCHEDULED' ? 'current' : 'done',
    });
    events.push({
      key: 'started',
      label: 'Started moving',
      at: startedAt,
      state: startedAt ? (phase === 'MOVING' ? 'current' : 'done') : 'upcoming',
    });
  }
  if (
    lastError &&
    (phase === 'NEEDS_ATTENTION' || phase === 'ROLLING_BACK' || phase === 'ROLLED_BACK' || phase === 'FAILED')
  ) {
    events.push({
      key: 'needs-attention',
      label: 'Stopped: needs attention',
      at: lastError.at,
      state: phase === 'NEEDS_ATTENTION' ? 'current' : 'done',
      detail:
        lastError.item && !lastError.message.includes(lastError.item.label)
          ? `${lastError.message} (${lastError.item.label})`
          : lastError.message,
    });
  }
  if (phase === 'ROLLING_BACK') events.push({ key: 'rolling-back', label: 'Rolling back', at: null, state: 'current' });
  if (isFinalPhase(phase)) {
    events.push({
      key: 'finished',
      label: PHASE_LABEL[phase],
      at: finishedAt,
      state: FINAL_STATE[phase],
      detail: phase === 'CANCELLED' && move.cancelReason ? `Reason: ${move.cancelReason}` : undefined,
    });
  } else {
    events.push({ key: 'finished', label: 'Finished', at: null, state: 'upcoming' });
  }
  return events;
}
