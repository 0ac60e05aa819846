// The steps of a move, once: the order they run in (make-before-break), the activity that does each
// and the one that undoes it, the kind of item it carries in batches, and whether its batches count
// the kind's progress. The workflow, the activity contract and the tests all derive from this table:
// adding a step is one row here plus its two activities. Pure data, so workflow code imports it.
import type { ItemKind } from './move';

export interface MoveStepRow {
  step: string;
  /** What people read: Temporal Web's activity summaries, the dashboard, the web app. */
  title: string;
  undoTitle: string;
  /** The activity that does the step. */
  forward: string;
  /** The activity that undoes exactly what `forward` did (and nothing if it never ran). */
  compensation: string;
  /** The kind of item its activities carry, a batch per call; null: one call does the whole step. */
  batchedKind: ItemKind | null;
  /** Whether its batches set the kind's "done" count (one step per kind does). */
  countsProgress: boolean;
  /**
   * Rollback leaves this step in place when undoing another step failed: make-before-break in
   * reverse, so the client keeps the destination's services rather than having none at all.
   */
  keptWhenUndoFails?: { step: string; why: string };
}

export const MOVE_STEP_TABLE = [
  {
    step: 'PROVISION_SERVICES',
    title: 'Provision services at the destination',
    undoTitle: 'Remove the services provisioned at the destination',
    forward: 'provisionServices',
    compensation: 'removeProvisionedServices',
    batchedKind: 'SERVICE',
    countsProgress: true,
    keptWhenUndoFails: {
      step: 'DECOMMISSION_SOURCE_SERVICES',
      why: 'Destination services kept: the source services could not be restored',
    },
  },
  {
    step: 'REHOME_PHONE_NUMBERS',
    title: 'Re-home phone numbers',
    undoTitle: 'Give phone numbers back to the source site',
    forward: 'rehomePhoneNumbers',
    compensation: 'restorePhoneNumbers',
    batchedKind: 'PHONE_NUMBER',
    countsProgress: true,
  },
  {
    step: 'MOVE_USERS',
    title: 'Move users',
    undoTitle: 'Give users back to the source site',
    forward: 'moveUsers',
    compensation: 'restoreUsers',
    batchedKind: 'USER',
    countsProgress: true,
  },
  {
    // The client's site, tariff and bundle change in one statement (composite foreign keys).
    step: 'APPLY_TARIFF_AND_BUNDLE',
    title: 'Apply the tariff and minute bundle',
    undoTitle: 'Restore the original tariff and minute bundle',
    forward: 'applyTariffAndBundle',
    compensation: 'restoreTariffAndBundle',
    batchedKind: null,
    countsProgress: false,
  },
  {
    step: 'ASSIGN_SPACES',
    title: 'Assign spaces',
    undoTitle: 'Restore the original spaces',
    forward: 'assignSpaces',
    compensation: 'restoreSpaces',
    batchedKind: null,
    countsProgress: false,
  },
  {
    // The "break": the source services go last, once everything else is at the destination.
    step: 'DECOMMISSION_SOURCE_SERVICES',
    title: 'Decommission the source services',
    undoTitle: 'Recommission the source services',
    forward: 'decommissionSourceServices',
    compensation: 'recommissionSourceServices',
    batchedKind: 'SERVICE',
    countsProgress: false,
  },
] as const satisfies readonly MoveStepRow[];

export type StepRow = (typeof MOVE_STEP_TABLE)[number];
export type MoveStep = StepRow['step'];
export type BatchedStepRow = Extract<StepRow, { batchedKind: ItemKind }>;
export type SingleStepRow = Extract<StepRow, { batchedKind: null }>;
export type BatchedStep = BatchedStepRow['step'];

/** Activity names by role: the contract (src/activities/contract.ts) is checked against these. */
export type ForwardActivityName = StepRow['forward'];
export type CompensationActivityName = StepRow['compensation'];
export type BatchedActivityName = BatchedStepRow['forward'] | BatchedStepRow['compensation'];
export type SingleActivityName = SingleStepRow['forward'] | SingleStepRow['compensation'];

/** The forward steps in the order they run. */
export const MOVE_STEPS: readonly MoveStep[] = MOVE_STEP_TABLE.map((row) => row.step);

export function stepRow(step: MoveStep): StepRow {
  const row = MOVE_STEP_TABLE.find((r) => r.step === step);
  if (!row) throw new Error(`Unknown move step ${step}`);
  return row;
}

export function isBatched(row: StepRow): row is BatchedStepRow {
  return row.batchedKind !== null;
}
