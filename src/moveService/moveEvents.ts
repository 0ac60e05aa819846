// The move's audit trail, readable: every phase change and every action on it, oldest first, with who
// acted. The entries are written where each fact happens (the API for an operator's request, the
// workflow's activities for what Temporal did); this only reads and words them.
import type { Db } from '../db/client';
import { MOVE_ACTIONS, MOVE_PHASES, type MoveActionKind, type MovePhase } from '../domain/move';

export const EVENT_ACTORS = ['operator', 'temporal', 'system'] as const;
export type EventActor = (typeof EVENT_ACTORS)[number];

export const EVENT_KINDS = ['requested', 'scheduled', 'action', 'phase-changed', 'finished', 'never-started'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface MoveEvent {
  id: string;
  at: string;
  /** operator: through the API; temporal: in Temporal Web or the CLI; system: the workflow itself. */
  actor: EventActor;
  operator: { id: string; name: string } | null;
  kind: EventKind;
  action: MoveActionKind | null;
  phaseFrom: MovePhase | null;
  phaseTo: MovePhase | null;
  /** What changed, in words. */
  summary: string;
  details: Record<string, unknown>;
}

export async function readMoveEvents(
  db: Db,
  moveId: string,
  window: { offset: number; limit: number },
): Promise<{ items: MoveEvent[]; total: number }> {
  const where = { moveId };
  const [total, rows] = await Promise.all([
    db.auditEntry.count({ where }),
    db.auditEntry.findMany({
      where,
      include: { actor: { select: { id: true, name: true } } },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      skip: window.offset,
      take: window.limit,
    }),
  ]);
  return {
    total,
    items: rows.map((row) => {
      const details = isRecord(row.details) ? row.details : {};
      return {
        id: row.id.toString(),
        at: row.at.toISOString(),
        operator: row.actor,
        ...describe(row.action, details, row.actor?.name ?? null),
        details,
      };
    }),
  };
}

type Described = Pick<MoveEvent, 'actor' | 'kind' | 'action' | 'phaseFrom' | 'phaseTo' | 'summary'>;

const ACTION_WORDS: Record<MoveActionKind, (detail: string | null) => string> = {
  reschedule: (detail) => `Rescheduled to ${detail ?? 'a new time'}`,
  'move-now': () => 'Asked to move now',
  cancel: (detail) => (detail ? `Cancelled: “${detail}”` : 'Cancelled'),
  retry: () => 'Asked to retry the step that stopped',
  rollback: () => 'Asked to roll the move back',
};

function describe(auditAction: string, details: Record<string, unknown>, operatorName: string | null): Described {
  const none = { action: null, phaseFrom: null, phaseTo: null } as const;
  const by = operatorName ? `${operatorName}: ` : '';
  if (auditAction === 'MOVE_REQUESTED') {
    return {
      ...none,
      actor: 'operator',
      kind: 'requested',
      summary: `${by}Move requested for ${text(details.moveAt)}`,
    };
  }
  if (auditAction === 'MOVE_SCHEDULED') {
    return {
      ...none,
      actor: 'system',
      kind: 'scheduled',
      phaseTo: 'SCHEDULED',
      summary: 'Client marked “Active - move scheduled”; dashboard task opened at the destination',
    };
  }
  if (auditAction === 'PHASE_CHANGED') {
    const from = phase(details.from);
    const to = phase(details.to);
    return {
      ...none,
      actor: 'system',
      kind: 'phase-changed',
      phaseFrom: from,
      phaseTo: to,
      summary: `${from ?? '?'} → ${to ?? '?'}`,
    };
  }
  if (auditAction === 'MOVE_NEVER_STARTED') {
    return {
      ...none,
      actor: 'system',
      kind: 'never-started',
      phaseTo: 'CANCELLED',
      summary: 'Closed as cancelled: its workflow never started',
    };
  }
  const operatorAction = /^OPERATOR_(.+)$/.exec(auditAction);
  const temporalAction = /^TEMPORAL_(.+)$/.exec(auditAction);
  const named = operatorAction ?? temporalAction;
  if (named) {
    const action = actionKind(named[1] ?? '');
    const detail =
      action === 'cancel'
        ? text(details.reason ?? details.detail)
        : action === 'reschedule'
          ? typeof details.localTime === 'string' && typeof details.timeZone === 'string'
            ? `${details.localTime} (${details.timeZone})`
            : text(details.moveAt ?? details.detail)
          : null;
    return {
      ...none,
      actor: operatorAction ? 'operator' : 'temporal',
      kind: 'action',
      action,
      phaseTo: phase(details.phaseAfter),
      summary: `${operatorAction ? by : 'In Temporal: '}${action ? ACTION_WORDS[action](detail) : auditAction}`,
    };
  }
  const finished = /^MOVE_(.+)$/.exec(auditAction);
  const finalPhase = phase(finished?.[1]);
  if (finalPhase) {
    return { ...none, actor: 'system', kind: 'finished', phaseTo: finalPhase, summary: `Move ${finalPhase}` };
  }
  return { ...none, actor: 'system', kind: 'phase-changed', summary: auditAction };
}

function actionKind(name: string): MoveActionKind | null {
  const kind = name.toLowerCase().replace('_', '-');
  return (MOVE_ACTIONS as readonly string[]).includes(kind) ? (kind as MoveActionKind) : null;
}

function phase(value: unknown): MovePhase | null {
  return typeof value === 'string' && (MOVE_PHASES as readonly string[]).includes(value) ? (value as MovePhase) : null;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
