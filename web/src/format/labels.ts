// The product's words for the API's codes: phases, client statuses, roles, steps and email states.
import type { z } from 'zod';
import type { ClientStatus, OperatorRoleSchema } from '../../../src/api/schemas';
import {
  MOVE_STEPS,
  type EmailState,
  type ItemProgress,
  type MovePhase,
  type MoveStep,
} from '../../../src/domain/move';

export const PHASE_LABEL: Record<MovePhase, string> = {
  SCHEDULED: 'Scheduled',
  MOVING: 'Moving',
  NEEDS_ATTENTION: 'Needs attention',
  ROLLING_BACK: 'Rolling back',
  COMPLETED: 'Completed',
  ROLLED_BACK: 'Rolled back',
  CANCELLED: 'Cancelled',
  FAILED: 'Failed',
};

export const CLIENT_STATUS_LABEL: Record<z.infer<typeof ClientStatus>, string> = {
  ACTIVE: 'Active',
  ACTIVE_MOVE_SCHEDULED: 'Active - move scheduled',
  INACTIVE: 'Inactive',
};

export const ROLE_LABEL: Record<z.infer<typeof OperatorRoleSchema>, string> = {
  T2_SUPER_ADMIN: 'T2 Super Admin',
  T2_ADMIN: 'T2 Admin',
};

export const EMAIL_STATE_LABEL: Record<EmailState, string> = {
  NOT_REQUESTED: 'No email requested',
  PENDING: 'To be sent when the move finishes',
  SENT: 'Sent',
  FAILED: 'Could not be sent',
};

export const ITEM_KIND_LABEL: Record<keyof ItemProgress, string> = {
  users: 'Users',
  phoneNumbers: 'Phone numbers',
  services: 'Services',
};

const MOVE_STEP_LABEL: Record<MoveStep, string> = {
  PROVISION_SERVICES: 'Setting up services at the destination',
  REHOME_PHONE_NUMBERS: 'Moving phone numbers',
  MOVE_USERS: 'Moving users',
  APPLY_TARIFF_AND_BUNDLE: 'Applying the tariff and minute bundle',
  ASSIGN_SPACES: 'Assigning spaces',
  DECOMMISSION_SOURCE_SERVICES: 'Decommissioning services at the current site',
};

const OTHER_STEP_LABEL: Record<string, string> = {
  WAITING: 'Waiting for the move time',
  SNAPSHOT: 'Listing what moves',
  NOTIFY: 'Sending the confirmation email',
};

const isMoveStep = (step: string): step is MoveStep => (MOVE_STEPS as readonly string[]).includes(step);

/** A workflow step (`PROVISION_SERVICES`, `rollback:MOVE_USERS`, `WAITING`, ...) in words. */
export function stepLabel(step: string | null): string {
  if (step === null) return 'Finished';
  if (step.startsWith('rollback:')) {
    const undone = step.slice('rollback:'.length);
    return `Rolling back: ${isMoveStep(undone) ? MOVE_STEP_LABEL[undone].toLowerCase() : undone}`;
  }
  if (isMoveStep(step)) return MOVE_STEP_LABEL[step];
  return OTHER_STEP_LABEL[step] ?? step;
}
