// The faults the drill injects while a batch of moves is in flight. Each one says when it is over
// (the part is back, or the last blow has landed), which is where "time to recover" starts.
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type pg from 'pg';
import { RETRY_AFTER_SECONDS, type MailMode } from './mailFront';
import { movesInFlight, type DrillMove } from './scenario';
import type { DrillTopology, PostgresStop } from './topology';

export interface FaultContext {
  topology: DrillTopology;
  /** To see which worker runs an activity (describe), never to steer a move. */
  temporal: Client;
  pool: pg.Pool;
  random: () => number;
  /** The batch this fault hits. */
  moves: DrillMove[];
  /** When the batch was started (ms since the epoch). */
  startedAt: number;
  /** Something worth knowing about this fault, for the report. */
  note(line: string): void;
  /** These moves lived through a process being killed (their email may be UNCERTAIN). */
  crashed(moves: DrillMove[]): void;
}

export interface Fault {
  /** As the report's table names it. */
  name: string;
  /** Injects the fault; resolves when it is over. */
  inject(context: FaultContext): Promise<void>;
}

const seconds = (ms: number) => `${(ms / 1_000).toFixed(1)} s`;
const sinceStart = (context: FaultContext) => `+${seconds(Date.now() - context.startedAt)}`;

/**
 * Until `offsetMs` after the batch started, then, for `moving`, until at least one move is MOVING
 * (at most a minute more). Returns how many are.
 */
async function inFlightAt(context: FaultContext, offsetMs: number, when: When = 'moving'): Promise<number> {
  const wait = context.startedAt + offsetMs - Date.now();
  if (wait > 0) await delay(wait);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const moving = await movesInFlight(context.pool, context.moves);
    if (when === 'now' || moving > 0 || Date.now() > deadline) return moving;
    await delay(200);
  }
}

/**
 * `moving`: once a move of the batch is MOVING (as the database shows it); `now`: at once (a fault
 * that follows another in the same batch, whose moves are held up by the first).
 */
export type When = 'moving' | 'now';

/** The worker slot whose worker runs one of the batch's activities right now, once there is one. */
async function busyWorkerSlot(context: FaultContext): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const move of context.moves) {
      const described = await context.temporal.workflow
        .getHandle(move.workflowId)
        .describe()
        .catch(() => null);
      for (const activity of described?.raw.pendingActivities ?? []) {
        // A worker's identity is pid@host (the SDK's default).
        const pid = Number(activity.lastWorkerIdentity?.split('@')[0]);
        const slot = context.topology.workers.findIndex((w) => w.pid === pid);
        if (slot >= 0 && activity.state === STARTED) return slot;
      }
    }
    await delay(100);
  }
  throw new Error('No activity of the batch ran on a worker within a minute');
}

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

const randomBetween = (random: () => number, [low, high]: [number, number]) => low + random() * (high - low);

export const noFault: Fault = {
  name: 'none (baseline)',
  inject: () => Promise.resolve(),
};

/**
 * SIGKILLs a worker `times` times at random moments, never both at once: the other worker goes on
 * and a new one starts. `busy`: the worker running one of the batch's activities (mid-batch).
 */
export function workerKills(
  times: number,
  windowSeconds: [number, number],
  target: 'random' | 'busy' = 'random',
): Fault {
  return {
    name: `worker SIGKILL x${times}`,
    async inject(context) {
      const offsets = Array.from({ length: times }, () => randomBetween(context.random, windowSeconds) * 1_000).sort(
        (a, b) => a - b,
      );
      for (const offset of offsets) {
        await context.topology.workersRunning();
        const moving = await inFlightAt(context, offset);
        const slot =
          target === 'busy'
            ? await busyWorkerSlot(context)
            : Math.floor(context.random() * context.topology.workers.length);
        await context.topology.killWorker(slot);
        context.crashed(context.moves);
        context.note(
          `killed worker-${slot + 1}${target === 'busy' ? ' (running an activity of the batch)' : ''} at ${sinceStart(context)} with ${moving} moves MOVING`,
        );
      }
    },
  };
}

/** Stops the Temporal server (SIGTERM: graceful; SIGKILL: at once) and starts it on the same SQLite file. */
export function temporalRestart(
  signal: 'SIGTERM' | 'SIGKILL',
  windowSeconds: [number, number],
  when: When = 'moving',
): Fault {
  return {
    name: `Temporal restart (${signal})`,
    async inject(context) {
      const moving = await inFlightAt(context, randomBetween(context.random, windowSeconds) * 1_000, when);
      const stopped = Date.now();
      await context.topology.temporal.signal(signal);
      await context.topology.startTemporal();
      context.note(
        `${signal} at ${sinceStart(context)} with ${moving} moves MOVING; serving again after ${seconds(Date.now() - stopped)}`,
      );
    },
  };
}

/** Stops PostgreSQL (fast: sessions ended, checkpoint; immediate: no checkpoint, recovery on start) for a while. */
export function postgresStop(
  mode: PostgresStop,
  downSeconds: number,
  windowSeconds: [number, number],
  when: When = 'moving',
): Fault {
  return {
    name: `PostgreSQL down ${downSeconds} s (${mode})`,
    async inject(context) {
      const moving = await inFlightAt(context, randomBetween(context.random, windowSeconds) * 1_000, when);
      const stopped = Date.now();
      await context.topology.stopPostgres(mode);
      context.note(`${mode} shutdown at ${sinceStart(context)} with ${moving} moves MOVING`);
      await delay(downSeconds * 1_000 - (Date.now() - stopped));
      const starting = Date.now();
      await context.topology.startPostgres();
      context.note(`accepting connections again ${seconds(Date.now() - starting)} after the start`);
    },
  };
}

/**
 * The mail provider fails in `mode` from the start of the batch, then works again: after `seconds`,
 * or once it has refused (or held) its first send.
 */
export function mailOutage(mode: Exclude<MailMode, 'ok'>, until: { seconds: number } | 'first-refusal'): Fault {
  const label: Record<typeof mode, string> = {
    '500': 'answers 500',
    '429': 'answers 429 + Retry-After',
    hangs: 'hangs',
    down: 'down (port closed)',
  };
  return {
    name: `mail ${label[mode]} ${until === 'first-refusal' ? 'until it refused a send' : `for ${until.seconds / 60} min`}`,
    async inject(context) {
      const { mail } = context.topology;
      const before = mail.attempts()[mode];
      const earlyBefore = mail.earlyRetries();
      await mail.setMode(mode);
      const from = Date.now();
      if (until === 'first-refusal') {
        // Bounded: a batch that never sends leaves the provider failing no longer than this.
        const deadline = Date.now() + 5 * 60_000;
        while (mail.attempts()[mode] === before && Date.now() < deadline) await delay(100);
      } else {
        await delay(until.seconds * 1_000);
      }
      await mail.setMode('ok');
      const early = mail.earlyRetries() - earlyBefore;
      context.note(
        `mail ${mode} for ${seconds(Date.now() - from)}: ${mail.attempts()[mode] - before} send attempts reached the provider meanwhile` +
          (mode === '429' ? `, ${early} of them sooner than the Retry-After (${RETRY_AFTER_SECONDS} s) asked` : ''),
      );
    },
  };
}

/** Every process SIGKILLed at once (the mail provider is outside and stays up), then all started again. */
export function powerCut(windowSeconds: [number, number]): Fault {
  return {
    name: 'power cut (every process SIGKILLed)',
    async inject(context) {
      const moving = await inFlightAt(context, randomBetween(context.random, windowSeconds) * 1_000);
      await context.topology.powerCut();
      context.crashed(context.moves);
      const starting = Date.now();
      context.note(`cut at ${sinceStart(context)} with ${moving} moves MOVING`);
      await context.topology.powerOn();
      context.note(`everything up again after ${seconds(Date.now() - starting)}`);
    },
  };
}

/** Several faults in one batch, one after the other (the short drill in `npm test`). */
export function inSequence(name: string, faults: Fault[]): Fault {
  return {
    name,
    async inject(context) {
      for (const fault of faults) await fault.inject(context);
    },
  };
}

/** A fault that lasts while others are injected: started, then awaited at the end. */
export function alongside(name: string, background: Fault, foreground: Fault): Fault {
  return {
    name,
    async inject(context) {
      const running = background.inject(context);
      await foreground.inject(context);
      await running;
    },
  };
}
