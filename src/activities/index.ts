// The move's activities over PostgreSQL (Prisma) and SendGrid. The worker passes real dependencies;
// tests pass their own database, mail sink and clock. One module per concern, wired here.
import type { Db } from '../db/client';
import type { Mailer } from '../mail/mailer';
import type { MoveActivities } from './contract';
import type { ActivityDeps } from './shared/deps';
import { finishMove } from './finishMove';
import { compareWithReview } from './compareWithReview';
import { deliverOutcomeEmail } from './deliverOutcomeEmail';
import { deliverWarningsEmail } from './deliverWarningsEmail';
import { preflightCheck } from './preflightCheck';
import { giveUpWarningsEmail, sendWarningsEmail, warningsNewsUntil } from './sendWarningsEmail';
import { giveUpOutcomeEmail, sendOutcomeEmail } from './sendOutcomeEmail';
import { rehomePhoneNumbers, restorePhoneNumbers } from './rehomePhoneNumbers';
import { recordProgress } from './recordProgress';
import { reportingOutages } from './shared/outage';
import { markMoveScheduled } from './markMoveScheduled';
import { decommissionSourceServices, recommissionSourceServices } from './decommissionSourceServices';
import { provisionServices, removeProvisionedServices } from './provisionServices';
import { snapshotMoveItems } from './snapshotMoveItems';
import { assignSpaces, restoreSpaces } from './assignSpaces';
import { applyTariffAndBundle, restoreTariffAndBundle } from './applyTariffAndBundle';
import { moveUsers, restoreUsers } from './moveUsers';

export type { ActivityDeps } from './shared/deps';

export interface CreateActivitiesDeps {
  db: Db;
  mailer: Mailer;
  temporalWebUrl?: string;
  temporal?: ActivityDeps['temporal'];
  now?: () => Date;
}

export function createActivities({ now = () => new Date(), ...rest }: CreateActivitiesDeps): MoveActivities {
  const deps: ActivityDeps = { ...rest, now };
  const activities: MoveActivities = {
    markMoveScheduled: (input) => markMoveScheduled(deps, input),
    recordProgress: (progress) => recordProgress(deps, progress),
    preflightCheck: (input) => preflightCheck(deps, input),
    sendWarningsEmail: (input) => sendWarningsEmail(deps, input),
    compareWithReview: (input) => compareWithReview(deps, input),
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
    deliverOutcomeEmail: (input) => deliverOutcomeEmail(deps, input),
    sendOutcomeEmail: (input) => sendOutcomeEmail(deps, input),
    giveUpOutcomeEmail: (input) => giveUpOutcomeEmail(deps, input),
    deliverWarningsEmail: (input) => deliverWarningsEmail(deps, input),
    giveUpWarningsEmail: (input) => giveUpWarningsEmail(deps, input),
    warningsNewsUntil: (input) => warningsNewsUntil(deps, input),
  };
  // Every activity reports an unreachable database the same way, for the workflow to wait out.
  return Object.fromEntries(
    Object.entries(activities).map(([name, activity]) => [
      name,
      reportingOutages(activity as (...args: unknown[]) => Promise<unknown>),
    ]),
  ) as unknown as MoveActivities;
}
