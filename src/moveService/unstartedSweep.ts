// The periodic sweep that settles moves whose start had an unknown outcome (503 start-outcome-unknown,
// or an API that died between recording a move and starting it) as soon as Temporal answers again,
// so such a move does not hold its client and its destination spaces until someone starts another
// move for that client. Every API instance runs it; settleUnstartedMove locks each move it settles
// and skips those another instance holds.
import type { ServiceLog } from './log';
import { findUnstartedMoves, settleUnstartedMove, type SettleDeps, type SettleOutcome } from './settleUnstartedMove';
import type { TemporalHealth } from './temporalHealth';

export const UNSTARTED_SWEEP_INTERVAL_MS = 15_000;

export interface UnstartedSweepDeps extends SettleDeps {
  log: ServiceLog & { info(details: object, message: string): void };
  /** When Temporal is known to be down, a round is skipped instead of waiting on it. */
  temporalHealth?: TemporalHealth;
  now?: () => Date;
}

export interface UnstartedSweep {
  /** One round: settles what it can, oldest first; stops at the first move Temporal does not answer for. */
  runOnce(): Promise<Record<SettleOutcome, number>>;
  /** Stops the timer and waits for a round in flight. */
  stop(): Promise<void>;
}

export function startUnstartedSweep(
  deps: UnstartedSweepDeps,
  intervalMs = UNSTARTED_SWEEP_INTERVAL_MS,
): UnstartedSweep {
  const now = deps.now ?? (() => new Date());
  let inFlight: Promise<void> | null = null;
  let stopped = false;

  const runOnce = async (): Promise<Record<SettleOutcome, number>> => {
    const counts: Record<SettleOutcome, number> = { adopted: 0, closed: 0, unknown: 0, skipped: 0 };
    if (deps.temporalHealth?.isDown()) return counts;
    const at = now();
    for (const { id } of await findUnstartedMoves(deps.db, at)) {
      const outcome = await settleUnstartedMove(deps, id, at);
      counts[outcome] += 1;
      if (outcome === 'adopted' || outcome === 'closed') {
        deps.log.info({ moveId: id, outcome }, 'Settled a move whose start had an unknown outcome');
      }
      // Temporal is not answering: the rest would only wait the same deadline each.
      if (outcome === 'unknown') break;
    }
    return counts;
  };

  const timer = setInterval(() => {
    // A round slower than the interval is not joined by another.
    if (stopped || inFlight) return;
    inFlight = runOnce()
      .then(() => undefined)
      .catch((error: unknown) => {
        // A database outage, most likely: the next round tries again.
        deps.log.warn({ err: error }, 'The sweep of unstarted moves failed; trying again next round');
      })
      .finally(() => (inFlight = null));
  }, intervalMs);
  // Never what keeps the process alive.
  timer.unref();

  return {
    runOnce,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}
