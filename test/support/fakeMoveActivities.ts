// Local activities for workflow tests: the MoveActivities contract over an in-memory client, with
// failures and gates the test controls. It records every call, so tests can assert the order in
// which the workflow moved and compensated.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { deliverOutcomeEmail } from '../../src/activities/deliverOutcomeEmail';
import { deliverWarningsEmail } from '../../src/activities/deliverWarningsEmail';
import { ApplicationFailure } from '@temporalio/common';
import type {
  BatchInput,
  StepRef,
  BatchResult,
  EmailGiveUpInput,
  FinishInput,
  MoveActivities,
  PreflightResult,
  WarningsEmailInput,
  WarningsGiveUpInput,
} from '../../src/activities/contract';
import type { MoveFailureDetails } from '../../src/domain/errors';
import type { ItemKind, ItemProgress, MoveProgress, ReviewChanges } from '../../src/domain/move';
import {
  MOVE_STEP_TABLE,
  isBatched,
  type BatchedStepRow,
  type CompensationActivityName,
  type ForwardActivityName,
} from '../../src/domain/steps';

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

/** How long a held activity takes to stop once cancelled. */
const CANCEL_CLEANUP_MS = 300;

/** When each activity call began and ended (in the order they happened), for tests of overlap. */
export interface TimelineEntry {
  name: ActivityName;
  at: 'start' | 'end';
}

export function createFakeMoveActivities(options: FakeOptions = {}) {
  const calls: ActivityName[] = [];
  const timeline: TimelineEntry[] = [];
  const progressLog: MoveProgress[] = [];
  const finished: FinishInput[] = [];
  const emails: FinishInput[] = [];
  const emailsGivenUp: EmailGiveUpInput[] = [];
  let emailWorkflows: { client: Client; taskQueue: string } | null = null;
  /** What the pre-move check finds and what changed since the review: tests set them as they go. */
  let preflight: PreflightResult = { problems: [], warnings: [] };
  let sinceReview: ReviewChanges | null = null;
  const warningEmails: WarningsEmailInput[] = [];
  const warningsGivenUp: WarningsGiveUpInput[] = [];
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
  /** Items each batched step that does not count progress (decommissioning) has done. */
  const extraDone = new Map<string, number>();

  /** Every call passes through here: it is logged, may wait on a gate, and may fail. */
  async function enter(name: ActivityName): Promise<void> {
    calls.push(name);
    const gate = gates.get(name);
    if (gate) {
      gate.markReached();
      let open = false;
      void gate.opened.then(() => (open = true));
      try {
        while (!open) {
          Context.current().heartbeat();
          await Context.current().sleep(20);
        }
      } catch (error) {
        // Cancelled while held: a real step would finish its batch's transaction first, so this
        // one takes a moment to stop, as real cancellation does.
        await new Promise((resolve) => setTimeout(resolve, CANCEL_CLEANUP_MS));
        throw error;
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

  /**
   * One batch of a step, forward or back. A step that counts progress moves its kind's items; one
   * that does not (decommissioning) works through the items the counting step of its kind moved.
   */
  const batch = (row: BatchedStepRow, batchSize: number, direction: 'forward' | 'back'): BatchResult => {
    const kind = state[row.batchedKind];
    const done = row.countsProgress ? kind.moved : (extraDone.get(row.step) ?? 0);
    const available = row.countsProgress ? kind.total : kind.moved;
    const left = direction === 'forward' ? available - done : done;
    const processed = Math.min(batchSize, left);
    const now = done + (direction === 'forward' ? processed : -processed);
    if (row.countsProgress) kind.moved = now;
    else extraDone.set(row.step, now);
    return { processed, remaining: left - processed, done: now };
  };

  const snapshot = (): ItemProgress => ({
    users: { total: state.USER.total, done: state.USER.moved },
    phoneNumbers: { total: state.PHONE_NUMBER.total, done: state.PHONE_NUMBER.moved },
    services: { total: state.SERVICE.total, done: state.SERVICE.moved },
  });

  const stepActivities = Object.fromEntries(
    MOVE_STEP_TABLE.flatMap((row) =>
      (['forward', 'back'] as const).map((direction) => {
        const name: ActivityName = direction === 'forward' ? row.forward : row.compensation;
        // A step handed the progress to mirror writes it with its own work, as the real ones do.
        const run = isBatched(row)
          ? async ({ batchSize, mirror }: BatchInput) => {
              await enter(name);
              if (mirror) progressLog.push(mirror);
              return batch(row, batchSize, direction);
            }
          : async ({ mirror }: StepRef) => {
              await enter(name);
              if (mirror) progressLog.push(mirror);
            };
        return [name, run];
      }),
    ),
  ) as unknown as Pick<MoveActivities, ForwardActivityName | CompensationActivityName>;

  const activities: MoveActivities = {
    ...stepActivities,
    markMoveScheduled: async () => enter('markMoveScheduled'),
    recordProgress: async (progress) => {
      await enter('recordProgress');
      progressLog.push(progress);
    },
    preflightCheck: async () => {
      await enter('preflightCheck');
      return structuredClone(preflight);
    },
    sendWarningsEmail: async (input) => {
      await enter('sendWarningsEmail');
      warningEmails.push(input);
      return { state: 'SENT' };
    },
    compareWithReview: async () => {
      await enter('compareWithReview');
      return sinceReview;
    },
    snapshotMoveItems: async ({ mirror }) => {
      await enter('snapshotMoveItems');
      if (mirror) progressLog.push(mirror);
      return snapshot();
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
    // The real thing: the email's own workflow starts on the test's server and queue.
    deliverOutcomeEmail: async (input) => {
      await enter('deliverOutcomeEmail');
      if (!emailWorkflows) throw new Error('createFakeMoveActivities: no Temporal client to start email workflows');
      await deliverOutcomeEmail({ temporal: emailWorkflows }, input);
    },
    giveUpOutcomeEmail: async (input) => {
      await enter('giveUpOutcomeEmail');
      emailsGivenUp.push(input);
    },
    // The real thing, as for the outcome email: the warnings email's own workflow starts on the
    // test's server and queue, and calls sendWarningsEmail above.
    deliverWarningsEmail: async (input) => {
      await enter('deliverWarningsEmail');
      if (!emailWorkflows) throw new Error('createFakeMoveActivities: no Temporal client to start email workflows');
      await deliverWarningsEmail({ temporal: emailWorkflows }, input);
    },
    giveUpWarningsEmail: async (input) => {
      await enter('giveUpWarningsEmail');
      warningsGivenUp.push(input);
    },
    // What the database says of the move is what was last mirrored there.
    warningsNewsUntil: async ({ moveId }) => {
      await enter('warningsNewsUntil');
      const last = progressLog.filter((p) => p.moveId === moveId).at(-1);
      const waiting = last && ['SCHEDULED', 'NEEDS_ATTENTION'].includes(last.phase) && last.startedAt === null;
      return waiting ? last.scheduledFor : null;
    },
  };

  const timed = Object.fromEntries(
    Object.entries(activities).map(([name, activity]) => [
      name,
      async (...args: unknown[]) => {
        timeline.push({ name: name as ActivityName, at: 'start' });
        try {
          return await (activity as (...a: unknown[]) => Promise<unknown>)(...args);
        } finally {
          timeline.push({ name: name as ActivityName, at: 'end' });
        }
      },
    ]),
  ) as unknown as MoveActivities;

  return {
    activities: timed,
    calls,
    timeline,
    progressLog,
    finished,
    emails,
    emailsGivenUp,
    state,
    warningEmails,
    warningsGivenUp,
    /** What the pre-move check finds from now on. */
    preflightFinds(result: Partial<PreflightResult>): void {
      preflight = { problems: [], warnings: [], ...result };
    },
    /** What compareWithReview reports. */
    changedSinceReview(changes: ReviewChanges | null): void {
      sinceReview = changes;
    },
    /** From now on, calls of `name` fail as `spec` says (replacing any earlier spec for it). */
    fail(name: ActivityName, spec: FailureSpec): void {
      failures.set(name, { ...spec });
    },
    /** Where deliverOutcomeEmail starts the email's workflow: the test's client and worker queue. */
    startsEmailWorkflowsOn(client: Client, taskQueue: string): void {
      emailWorkflows = { client, taskQueue };
    },
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

/** Every compensation activity, from the step table. */
export const COMPENSATIONS: ActivityName[] = MOVE_STEP_TABLE.map((row) => row.compensation);
