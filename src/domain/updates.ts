// Why a move's update was refused. The workflow's validators throw these; the API maps their types
// to HTTP (phase → 409, time and reason → 422). Workflow-safe: no I/O.
import { ApplicationFailure } from '@temporalio/common';

export const UpdateRejectionType = {
  /** The move's phase does not allow the action (e.g. cancel while MOVING). */
  PhaseDoesNotAllow: 'PhaseDoesNotAllow',
  InvalidMoveTime: 'InvalidMoveTime',
  InvalidReason: 'InvalidReason',
} as const;
export type UpdateRejectionType = (typeof UpdateRejectionType)[keyof typeof UpdateRejectionType];

const reject = (type: UpdateRejectionType) => (message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

export const UpdateRejection = {
  phase: reject(UpdateRejectionType.PhaseDoesNotAllow),
  time: reject(UpdateRejectionType.InvalidMoveTime),
  reason: reject(UpdateRejectionType.InvalidReason),
};
