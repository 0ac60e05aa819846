// The product's words for the API's codes: phases, client statuses, roles, steps and email states.
import type { z } from 'zod';
import type { ClientStatus, OperatorRoleSchema } from '../../../src/api/schemas';
import type { EmailState, ItemProgress, MovePhase, SubjectKind } from '../../../src/domain/move';
import { stepTitle } from '../../../src/domain/moveSummary';

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
  PENDING: 'Not sent yet (sent when the move finishes, retried through mail outages)',
  SENT: 'Sent',
  FAILED: 'Could not be sent',
  UNCERTAIN: 'May not have been sent: check with the mail provider',
};

export const ITEM_KIND_LABEL: Record<keyof ItemProgress, string> = {
  users: 'Users',
  phoneNumbers: 'Phone numbers',
  services: 'Services',
};

/** What a failure or a finding is about. */
export const SUBJECT_KIND_LABEL: Record<SubjectKind, string> = {
  USER: 'User',
  PHONE_NUMBER: 'Phone number',
  SERVICE: 'Service',
  SPACE: 'Space',
  CLIENT: 'Client',
  SERVICE_TYPE: 'Kind of service',
};

/** A workflow step (`PROVISION_SERVICES`, `rollback:MOVE_USERS`, `WAITING`, ...) in words. */
export function stepLabel(step: string | null): string {
  return stepTitle(step) ?? 'Finished';
}
