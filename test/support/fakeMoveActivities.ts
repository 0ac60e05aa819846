// Local activities for workflow tests: the MoveActivities contract over an in-memory client, with
// failures and gates the test controls. It records every call, so tests can assert the order in
// which the workflow moved and compensated.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { BatchInput, BatchResult, FinishInput, MoveActivities } from '../../src/activities/contract';
import type { MoveFailureDetails } from '../../src/domain/errors';
import type { ItemKind, ItemProgress, MoveProgress } from '../../src/domain/move';

export type ActivityName = keyof MoveActivities;

export interface FailureSpec {
  /** How many calls fail before calls succeed again (Infinity: every call). */
  times: number;
  type: string;
  nonRetryable: boolean;
  item?: MoveFailureDetails['item'];
}

export interface FakeOptions {
  totals?: Partial<Record<ItemKind, number>>;
  failures?: Partial<Record<ActivityName, FailureSpec>>;
}

interface KindState {
  total: number;
  moved: number;
}

/** A promise the test opens; an activity waiting on it heartbeats, so cancellation reaches it. */
export class Gate {
  private release!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  reached = false;
  private reachedResolve!: () => void;
  readonly whenReached = new Promise<void>((resolve) => (this.reachedResolve = resolve));
  open(): void {
    this.release();
  }
  markReached(): void {
    this.reached = true;
    this.reachedResolve();
  }
}

export function createFakeMoveActivities(options: FakeOptions = {}) {
  const calls: ActivityName[] = [];
  const progressLog: MoveProgress[] = [];
  const finished: FinishInput[] = [];
  const emails: FinishInput[] = [];
  const gates = new Map<ActivityName, Gate>();
  // Copies: the fake counts failures down, and specs are often shared between tests.
  const failures = new Map(
    (Object.entries(options.failures ?? {}) as [ActivityName, FailureSpec][]).map(([name, spec]) => [
      name,
      { ...spec },
    ]),
  );
  const state: Record<ItemKind, KindState> = {
    SERVICE: { total: options.totals?.SERVICE ?? 3, moved: 0 },
    PHONE_NUMBER: { total: options.totals?.PHONE_NUMBER ?? 4, moved: 0 },
    USER: { total: options.totals?.USER ?? 5, moved: 0 },
  };
  let decommissioned = 0;

  /** Every call passes through here: it is logged, may wait on a gate, and may fail. */
  async function enter(name: ActivityName): Promise<void> {
    calls.push(name);
    const gate = gates.get(name);
    if (gate) {
      gate.markReached();
      let open = false;
      void gate.opened.then(() => (open = true));
      while (!open) {
        Context.current().heartbeat();
        await Context.current().sleep(20);
      }
    }
    const failure = failures.get(name);
    if (failure && failure.times > 0) {
      failure.times -= 1;
      const details: MoveFailureDetails = { item: failure.item ?? null, moreFailedItems: 0 };
      throw ApplicationFailure.create({
        type: failure.type,
        message: `${name} failed (${failure.type})`,
        nonRetryable: failure.nonRetryable,
        details: [details],
      });
    }
  }

  const batch = (kind: ItemKind, batchSize: number, direction: 'forward' | 'back'): BatchResult => {
    const s = state[kind];
    const left = direction === 'forward' ? s.total - s.moved : s.moved;
    const processed = Math.min(batchSize, left);
    s.moved += direction === 'forward' ? processed : -processed;
    const remaining = left - processed;
    return { processed, remaining, done: s.moved };
  };
  const decommission = (batchSize: number, direction: 'forward' | 'back'): BatchResult => {
    const left = direction === 'forward' ? state.SERVICE.moved - decommissioned : decommissioned;
    const processed = Math.min(batchSize, left);
    decommissioned += direction === 'forward' ? processed : -processed;
    return { processed, remaining: left - processed, done: decommissioned };
  };

  const snapshot = (): ItemProgress => ({
    users: { total: state.USER.total, done: state.USER.moved },
    phoneNumbers: { total: state.PHONE_NUMBER.total, done: state.PHONE_NUMBER.moved },
    services: { total: state.SERVICE.total, done: state.SERVICE.moved },
  });

  const activities: MoveActivities = {
    markMoveScheduled: async () => enter('markMoveScheduled'),
    recordProgress: async (progress) => {
      await enter('recordProgress');
      progressLog.push(progress);
    },
    snapshotMoveItems: async () => {
      await enter('snapshotMoveItems');
      return snapshot();
    },
    provisionServices: async ({ batchSize }: BatchInput) => {
      await enter('provisionServices');
      return batch('SERVICE', batchSize, 'forward');
    },
    rehomePhoneNumbers: async ({ batchSize }) => {
      await enter('rehomePhoneNumbers');
      return batch('PHONE_NUMBER', batchSize, 'forward');
    },
    moveUsers: async ({ batchSize }) => {
      await enter('moveUsers');
      return batch('USER', batchSize, 'forward');
    },
    applyTariffAndBundle: async () => enter('applyTariffAndBundle'),
    assignSpaces: async () => enter('assignSpaces'),
    decommissionSourceServices: async ({ batchSize }) => {
      await enter('decommissionSourceServices');
      return decommission(batchSize, 'forward');
    },
    removeProvisionedServices: async ({ batchSize }) => {
      await enter('removeProvisionedServices');
      return batch('SERVICE', batchSize, 'back');
    },
    restorePhoneNumbers: async ({ batchSize }) => {
      await enter('restorePhoneNumbers');
      return batch('PHONE_NUMBER', batchSize, 'back');
    },
    restoreUsers: async ({ batchSize }) => {
      await enter('restoreUsers');
      return batch('USER', batchSize, 'back');
    },
    restoreTariffAndBundle: async () => enter('restoreTariffAndBundle'),
    restoreSpaces: async () => enter('restoreSpaces'),
    recommissionSourceServices: async ({ batchSize }) => {
      await enter('recommissionSourceServices');
      return decommission(batchSize, 'back');
    },
    finishMove: async (input) => {
      await enter('finishMove');
      finished.push(input);
    },
    sendOutcomeEmail: async (input) => {
      await enter('sendOutcomeEmail');
      emails.push(input);
      return { state: 'SENT' };
    },
  };

  return {
    activities,
    calls,
    progressLog,
    finished,
    emails,
    state,
    /** Makes every later call of `name` wait until the returned gate is opened. */
    gate(name: ActivityName): Gate {
      const gate = new Gate();
      gates.set(name, gate);
      return gate;
    },
    ungate(name: ActivityName): void {
      gates.get(name)?.open();
      gates.delete(name);
    },
    /** The distinct activities called, in first-call order, from the given list only. */
    order(names: readonly ActivityName[]): ActivityName[] {
      return calls.filter((c, i) => names.includes(c) && calls.indexOf(c) === i);
    },
  };
}

export type FakeMoveActivities = ReturnType<typeof createFakeMoveActivities>;

/** The forward activity and the compensation of each step, as the workflow pairs them. */
export const STEP_ACTIVITIES = {
  PROVISION_SERVICES: { forward: 'provisionServices', compensation: 'removeProvisionedServices' },
  REHOME_PHONE_NUMBERS: { forward: 'rehomePhoneNumbers', compensation: 'restorePhoneNumbers' },
  MOVE_USERS: { forward: 'moveUsers', compensation: 'restoreUsers' },
  APPLY_TARIFF_AND_BUNDLE: { forward: 'applyTariffAndBundle', compensation: 'restoreTariffAndBundle' },
  ASSIGN_SPACES: { forward: 'assignSpaces', compensation: 'restoreSpaces' },
  DECOMMISSION_SOURCE_SERVICES: { forward: 'decommissionSourceServices', compensation: 'recommissionSourceServices' },
} as const satisfies Record<string, { forward: ActivityName; compensation: ActivityName }>;

export const COMPENSATIONS: ActivityName[] = Object.values(STEP_ACTIVITIES).map((s) => s.compensation);
