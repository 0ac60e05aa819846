// The move's activities over PostgreSQL (Prisma) and SendGrid. The worker passes real dependencies;
// tests pass their own database, mail sink and clock. One module per concern, wired here.
import type { Db } from '../db/client';
import type { Mailer } from '../mail/mailer';
import type { MoveActivities } from './contract';
import type { ActivityDeps } from './deps';
import { finishMove } from './finishMove';
import { sendOutcomeEmail } from './outcomeEmail';
import { rehomePhoneNumbers, restorePhoneNumbers } from './phoneNumbers';
import { recordProgress } from './recordProgress';
import { markMoveScheduled } from './scheduleMove';
import {
  decommissionSourceServices,
  provisionServices,
  recommissionSourceServices,
  removeProvisionedServices,
} from './services';
import { snapshotMoveItems } from './snapshotMoveItems';
import { assignSpaces, restoreSpaces } from './spaces';
import { applyTariffAndBundle, restoreTariffAndBundle } from './tariffAndBundle';
import { moveUsers, restoreUsers } from './users';

export type { ActivityDeps } from './deps';
export { EmailFailureType } from './outcomeEmail';

export interface CreateActivitiesDeps {
  db: Db;
  mailer: Mailer;
  temporalWebUrl?: string;
  now?: () => Date;
}

export function createActivities({ now = () => new Date(), ...rest }: CreateActivitiesDeps): MoveActivities {
  const deps: ActivityDeps = { ...rest, now };
  return {
    markMoveScheduled: (input) => markMoveScheduled(deps, input),
    recordProgress: (progress) => recordProgress(deps, progress),
    snapshotMoveItems: (input) => snapshotMoveItems(deps, input),

    provisionServices: (input) => provisionServices(deps, input),
    rehomePhoneNumbers: (input) => rehomePhoneNumbers(deps, input),
    moveUsers: (input) => moveUsers(deps, input),
    applyTariffAndBundle: (input) => applyTariffAndBundle(deps, input),
    assignSpaces: (input) => assignSpaces(deps, input),
    decommissionSourceServices: (input) => decommissionSourceServices(deps, input),

    removeProvisionedServices: (input) => removeProvisionedServices(deps, input),
    restorePhoneNumbers: (input) => restorePhoneNumbers(deps, input),
    restoreUsers: (input) => restoreUsers(deps, input),
    restoreTariffAndBundle: (input) => restoreTariffAndBundle(deps, input),
    restoreSpaces: (input) => restoreSpaces(deps, input),
    recommissionSourceServices: (input) => recommissionSourceServices(deps, input),

    finishMove: (input) => finishMove(deps, input),
    sendOutcomeEmail: (input) => sendOutcomeEmail(deps, input),
  };
}
