// MoveProgress as the JSON the move row and its dashboard task keep.
import type { Prisma } from '../../db/client';
import { toJson } from '../../db/json';
import { scheduledProgress, type MoveProgress } from '../../domain/move';
import type { MoveRecord } from './moveRecord';

export { toJson };

export const progressJson = (progress: MoveProgress): Prisma.InputJsonObject => toJson(progress);

/** What the dashboard shows before the workflow first reports: scheduled, nothing moved yet. */
export function initialProgress(move: MoveRecord, now: Date): MoveProgress {
  return scheduledProgress(move.id, move.scheduledFor.toISOString(), move.notifyEmail !== null, now.toISOString());
}
