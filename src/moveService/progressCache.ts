// Temporal's answers to the progress query, shared within the API process: concurrent reads of one
// run share one query in flight, and an answer younger than a short max age is reused, so a dashboard
// polled by many operators (or a move read under load) asks Temporal once per run per max age instead
// of once per request. An update the API sends to a run drops its answer, so the caller's next read
// asks again and shows the change.
import type { MoveProgress } from '../domain/move';

export interface WorkflowRun {
  workflowId: string;
  runId: string;
}

interface Entry {
  /** When the query was sent: the answer shows the run as it was at this moment or later. */
  askedAt: number;
  answer: Promise<MoveProgress>;
  /** False while the query is in flight. */
  settled: boolean;
}

export class ProgressCache {
  private readonly entries = new Map<string, Entry>();
  private lastSweep: number;

  /**
   * @param maxAgeMs how old a reused answer may be (from when its query was sent); 0 reuses none, but
   * reads that arrive while a query is in flight still share it.
   */
  constructor(
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSweep = now();
  }

  /** The run's progress: a query in flight or a fresh answer if there is one, else `ask()`'s. */
  read(run: WorkflowRun, ask: () => Promise<MoveProgress>): Promise<MoveProgress> {
    const at = this.now();
    this.sweep(at);
    const key = keyOf(run);
    const kept = this.entries.get(key);
    if (kept && (!kept.settled || at - kept.askedAt < this.maxAgeMs)) return kept.answer;

    const entry: Entry = { askedAt: at, answer: ask(), settled: false };
    this.entries.set(key, entry);
    entry.answer.then(
      () => {
        entry.settled = true;
      },
      () => {
        // A failure is never reused: the next read asks again. (Only this entry: one a later read
        // made after a forget() is not this one's to drop.)
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.answer;
  }

  /**
   * Drops what is kept for the run (call it once an update to it has returned, applied or not). A
   * query in flight keeps answering the reads that share it, but its answer is not kept.
   */
  forget(run: WorkflowRun): void {
    this.entries.delete(keyOf(run));
  }

  /** Answers past their age are dropped at most once per max age, so runs never read again do not pile up. */
  private sweep(at: number): void {
    if (at - this.lastSweep < this.maxAgeMs) return;
    this.lastSweep = at;
    for (const [key, entry] of this.entries) {
      if (entry.settled && at - entry.askedAt >= this.maxAgeMs) this.entries.delete(key);
    }
  }
}

const keyOf = (run: WorkflowRun) => `${run.workflowId}\u0000${run.runId}`;
