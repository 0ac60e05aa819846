// The dashboard task a move opens at its destination site. The API opens it in the transaction that
// records the move; the workflow's first activity opens it again, insert-if-missing, for a move an
// older API recorded. One place, so both write the same task.
import type { MoveProgress } from '../domain/move';
import { Prisma } from './client';

export interface MoveTaskInput {
  moveId: string;
  clientId: string;
  clientName: string;
  destinationSiteId: string;
  destinationSiteName: string;
  /** What the dashboard shows until the workflow first reports. */
  progress: MoveProgress;
}

/**
 * The INSERT of the move's open task unless it has one (never resetting progress reported since): a
 * statement of its own or a CTE of a larger one. Plain SQL: Prisma compiles every ORM call on the
 * event loop (docs/performance.md).
 */
export function insertMoveTask(task: MoveTaskInput): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO dashboard_task (id, site_id, client_id, move_id, title, phase, open, progress, updated_at)
    VALUES (gen_random_uuid(), ${task.destinationSiteId}::uuid, ${task.clientId}::uuid, ${task.moveId}::uuid,
            ${`Client site move: ${task.clientName} to ${task.destinationSiteName}`}, 'SCHEDULED', true,
            ${JSON.stringify(task.progress)}::jsonb, CURRENT_TIMESTAMP)
    ON CONFLICT DO NOTHING`;
}
