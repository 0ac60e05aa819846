// What Temporal Web shows on a move's run page (its "current details"), in words an operator reads
// without opening JSON: the phase, the step, the counts, what it waits for and the last error. Pure:
// the workflow calls it at every phase and batch.
import type { KindProgress, MoveProgress } from './move';
import { MOVE_STEP_TABLE } from './steps';

const count = (label: string, kind: KindProgress) => `${label} ${kind.done}/${kind.total}`;

/** The workflow's other steps, in words. */
const OTHER_STEPS: Record<string, string> = {
  WAITING: 'Waiting for the move time',
  PREFLIGHT: 'Checking the move can still run',
  SNAPSHOT: 'Listing what moves',
};

/** A step in words: "MOVE_USERS" → "Move users", "rollback:MOVE_USERS" → "Undo: Give users back…". */
export function stepTitle(currentStep: string | null): string | null {
  if (currentStep === null) return null;
  const undo = currentStep.startsWith('rollback:');
  const step = undo ? currentStep.slice('rollback:'.length) : currentStep;
  const row = MOVE_STEP_TABLE.find((r) => r.step === step);
  if (!row) return OTHER_STEPS[currentStep] ?? currentStep;
  return undo ? `Undo: ${row.undoTitle}` : row.title;
}

export function currentDetails(progress: MoveProgress): string {
  const { items } = progress;
  const lines = [
    `**${progress.phase}**${progress.currentStep ? ` · ${stepTitle(progress.currentStep)}` : ''}`,
    [count('users', items.users), count('phone numbers', items.phoneNumbers), count('services', items.services)].join(
      ' · ',
    ),
  ];
  if (progress.phase === 'SCHEDULED') lines.push(`Scheduled for ${progress.scheduledFor}`);
  if (progress.outage) {
    lines.push(
      `Waiting out an outage (${progress.outage.type}) until ${progress.outage.givesUpAt}: ${progress.outage.message}`,
    );
  }
  if (progress.decisionDeadline)
    lines.push(`Needs an operator: retry or roll back before ${progress.decisionDeadline}`);
  if (progress.lastError) {
    const item = progress.lastError.item ? ` (${progress.lastError.item.label})` : '';
    lines.push(`Last error: ${progress.lastError.type}${item}: ${progress.lastError.message}`);
  }
  if (progress.needsHuman.length > 0) lines.push(`Needs a human: ${progress.needsHuman.length} item(s) not undone`);
  return lines.join('\n\n');
}
