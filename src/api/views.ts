// Database rows as the API shows them. Typed by the response schemas, so a view that drifts from
// the spec does not compile.
import type { Prisma } from '../db/client';
import { temporalWebLink } from '../domain/temporalWeb';
import { formatAtSite, localTimeAt } from '../domain/timeZones';
import { storedProgress, type ProgressReading } from '../moveService/readProgress';
import type { DashboardTask, Move, MoveDetail } from './schemas';

/** A site as the API shows it (SiteRef). */
export const siteRefSelect = { id: true, code: true, name: true, timeZone: true } satisfies Prisma.SiteSelect;

export const moveInclude = {
  client: { select: { id: true, name: true } },
  sourceSite: { select: siteRefSelect },
  destinationSite: { select: siteRefSelect },
  tariff: { select: { id: true, name: true } },
  minuteBundle: { select: { id: true, name: true } },
  spaces: { where: { role: 'TARGET' }, select: { space: { select: { id: true, name: true } } } },
  notifyOperator: { select: { id: true, name: true, email: true } },
  requestedBy: { select: { id: true, name: true } },
  task: { select: { progress: true } },
} satisfies Prisma.ClientSiteMoveInclude;

export type MoveRow = Prisma.ClientSiteMoveGetPayload<{ include: typeof moveInclude }>;

export interface LinkContext {
  /** Temporal Web's base URL, when configured. */
  temporalWebUrl?: string;
  namespace: string;
}

const iso = (d: Date) => d.toISOString();
const atSite = (at: Date | string, timeZone: string) => ({
  localTime: localTimeAt(at, timeZone),
  timeZone,
  text: formatAtSite(at, timeZone),
});
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export function moveView(row: MoveRow, links: LinkContext): Move {
  return {
    id: row.id,
    workflowId: row.workflowId,
    runId: row.runId,
    status: row.status,
    client: row.client,
    sourceSite: row.sourceSite,
    destinationSite: row.destinationSite,
    tariff: row.tariff,
    minuteBundle: row.minuteBundle,
    spaces: row.spaces.map((s) => s.space).sort((a, b) => a.name.localeCompare(b.name)),
    moveNow: row.moveNow,
    scheduledFor: iso(row.scheduledFor),
    scheduledAtSite: atSite(row.scheduledFor, row.destinationSite.timeZone),
    notifyOperator: row.notifyOperator,
    requestedBy: row.requestedBy,
    startedAt: isoOrNull(row.startedAt),
    finishedAt: isoOrNull(row.finishedAt),
    lastError: row.lastError,
    cancelReason: row.cancelReason,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    links: {
      self: `/api/client-site-moves/${row.id}`,
      temporalWeb: links.temporalWebUrl ? temporalWebLink(links.temporalWebUrl, row, links.namespace) : null,
    },
  };
}

/** The move with its progress; when Temporal answered, its phase is the freshest status there is. */
export function moveDetailView(row: MoveRow, links: LinkContext, reading: ProgressReading): MoveDetail {
  const move = moveView(row, links);
  const live = reading.source === 'temporal' ? reading.progress : null;
  // The outcome email is delivered after the workflow's last word; its state lives in the database.
  const email = (reading.source === 'database' ? reading.progress : storedProgress(row.task?.progress))?.email;
  return {
    ...move,
    status: live?.phase ?? move.status,
    scheduledFor: live?.scheduledFor ?? move.scheduledFor,
    scheduledAtSite: live ? atSite(live.scheduledFor, row.destinationSite.timeZone) : move.scheduledAtSite,
    progress: reading.progress && email ? { ...reading.progress, email } : reading.progress,
    progressSource: reading.source,
  };
}

export const taskInclude = {
  client: { select: { id: true, name: true } },
  move: {
    select: {
      workflowId: true,
      runId: true,
      sourceSite: { select: siteRefSelect },
      destinationSite: { select: siteRefSelect },
    },
  },
} satisfies Prisma.DashboardTaskInclude;

export type TaskRow = Prisma.DashboardTaskGetPayload<{ include: typeof taskInclude }>;

export function taskView(row: TaskRow, reading: ProgressReading): DashboardTask {
  const live = reading.source === 'temporal' ? reading.progress : null;
  return {
    id: row.id,
    moveId: row.moveId,
    client: row.client,
    sourceSite: row.move.sourceSite,
    destinationSite: row.move.destinationSite,
    title: row.title,
    phase: live?.phase ?? row.phase,
    open: row.open,
    progress: reading.progress,
    progressSource: reading.source,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    closedAt: isoOrNull(row.closedAt),
  };
}
