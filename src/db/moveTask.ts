// The dashboard task a move opens at its destination site. The API opens it in the transaction that
// records the move; the workflow's first activity opens it again, insert-if-missing, for a move an
// older API recorded. One place, so both write the same task.
import type { MoveProgress } from '../domain/move';
import type { Prisma } from './client';
import { toJson } from './json';

export interface MoveTaskInput {
  moveId: string;
  clientId: string;
  clientName: string;
  destinationSiteId: string;
  destinationSiteName: string;
  /** What the dashboard shows until the workflow first reports. */
  progress: MoveProgress;
}

/** Inserts the move's open task unless it has one: never resets progress reported since. */
export async function openMoveTask(tx: Prisma.TransactionClient, task: MoveTaskInput): Promise<void> {
  await tx.dashboardTask.createMany({
    skipDuplicates: true,
    data: [
      {
        siteId: task.destinationSiteId,
        clientId: task.clientId,
        moveId: task.moveId,
        title: `Client site move: ${task.clientName} to ${task.destinationSiteName}`,
        phase: 'SCHEDULED',
        open: true,
        progress: toJson(task.progress),
      },
    ],
  });
}
