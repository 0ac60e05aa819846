// What on-call would see during a fault: the API's answers about a move in flight (sampled every two
// seconds) and what the workers and the API wrote to their logs meanwhile.
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ApiError, type DrillApi, type DrillMove } from './scenario';

export interface ApiObservation {
  samples: number;
  /** HTTP status (or `no answer`) → how many times. */
  answers: Record<string, number>;
  /** Answers whose progress came from the database (Temporal did not answer in time). */
  fromDatabase: number;
  /** Answers that showed a step waiting out an outage (`progress.outage`). */
  showingOutage: number;
  slowestMs: number;
}

/** Samples `GET /api/client-site-moves/:id` for the batch's moves in turn until stopped. */
export function observeApi(api: DrillApi, moves: () => DrillMove[], intervalMs = 2_000): () => Promise<ApiObservation> {
  const seen: ApiObservation = { samples: 0, answers: {}, fromDatabase: 0, showingOutage: 0, slowestMs: 0 };
  let stopped = false;
  const count = (answer: string) => (seen.answers[answer] = (seen.answers[answer] ?? 0) + 1);
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const batch = moves();
      const move = batch[i % Math.max(1, batch.length)];
      if (move) {
        const started = performance.now();
        try {
          const answer = await api.move(move.moveId);
          count('200');
          if (answer.progressSource === 'database') seen.fromDatabase += 1;
          if (answer.progress?.outage) seen.showingOutage += 1;
        } catch (error) {
          count(error instanceof ApiError ? String(error.status) : 'no answer');
        }
        seen.samples += 1;
        seen.slowestMs = Math.max(seen.slowestMs, Math.round(performance.now() - started));
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return seen;
  };
}

/** Log lines on-call would search for, by what they mean. */
const LOG_SIGNS: Record<string, RegExp> = {
  'step waiting out an outage': /held up by an outage/,
  'dashboard mirror behind': /Dashboard mirror is behind/,
  'step failed for good (NEEDS_ATTENTION)': /failed for good; waiting for an operator/,
  'email not delivered (gave up)': /Outcome email not delivered/,
  'activity attempt failed': /Activity failed|activity.*failed/i,
  // Not DatabaseUnavailable (a PostgreSQL outage): the gRPC status the SDK logs while Temporal is away.
  'worker could not reach Temporal': /tcp connect error|transport error|code: Unavailable/,
  'API request failed (5xx)': /"statusCode":5\d\d|"status":5\d\d/,
};

/** Remembers where each log file ends, then counts the signs in what was written after. */
export async function watchLogs(logDir: string): Promise<() => Promise<Record<string, number>>> {
  const sizes = new Map<string, number>();
  const files = async () => (await readdir(logDir)).filter((f) => f.endsWith('.log'));
  for (const file of await files()) sizes.set(file, (await stat(path.join(logDir, file))).size);
  return async () => {
    const counts: Record<string, number> = {};
    for (const file of await files()) {
      const from = sizes.get(file) ?? 0;
      const handle = await open(path.join(logDir, file), 'r');
      try {
        const { size } = await handle.stat();
        const buffer = Buffer.alloc(Math.max(0, size - from));
        await handle.read(buffer, 0, buffer.length, from);
        for (const line of buffer.toString().split('\n')) {
          for (const [sign, pattern] of Object.entries(LOG_SIGNS)) {
            if (pattern.test(line)) counts[sign] = (counts[sign] ?? 0) + 1;
          }
        }
      } finally {
        await handle.close();
      }
    }
    return counts;
  };
}
