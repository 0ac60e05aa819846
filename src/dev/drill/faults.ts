// The faults the drill injects while a batch of moves is in flight. Each one says when it is over
// (the part is back, or the last blow has landed), which is where "time to recover" starts.
import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { ACTIVE_PHASES } from '../../domain/move';
import type { MailMode } from './mailFront';
import { movesInFlight, type DrillMove } from './scenario';
import type { DrillTopology, PostgresStop } from './topology';

export interface FaultContext {
  topology: DrillTopology;
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

const ACTIVE = `(${ACTIVE_PHASES.map((p) => `'${p}'`).join(', ')})`;
const seconds = (ms: number) => `${(ms / 1_000).toFixed(1)} s`;
const sinceStart = (context: FaultContext) => `+${seconds(Date.now() - context.startedAt)}`;

/** Until `offsetMs` after the batch started, then until at least one move is MOVING (at most a minute more). */
async function inFlightAt(context: FaultContext, offsetMs: number): Promise<number> {
  const wait = context.startedAt + offsetMs - Date.now();
  if (wait > 0) await delay(wait);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const moving = await movesInFlight(context.pool, context.moves);
    if (moving > 0 || Date.now() > deadline) return moving;
    await delay(200);
  }
}

const randomBetween = (random: () => number, [low, high]: [number, number]) => low + random() * (high - low);

export const noFault: Fault = {
  name: 'none (baseline)',
  inject: () => Promise.resolve(),
};

/** SIGKILLs a worker `times` times at random moments; the other worker goes on and a new one starts. */
export function workerKills(times: number, windowSeconds: [number, number]): Fault {
  return {
    name: `worker SIGKILL x${times}`,
    async inject(context) {
      const offsets = Array.from({ length: times }, () => randomBetween(context.random, windowSeconds) * 1_000).sort(
        (a, b) => a - b,
      );
      for (const offset of offsets) {
        // Never both at once: the other worker goes on while this one's replacement starts.
        await context.topology.workersRunning();
        const moving = await inFlightAt(context, offset);
        const slot = Math.floor(context.random() * context.topology.workers.length);
        await context.topology.killWorker(slot);
        context.crashed(context.moves);
        context.note(`killed worker-${slot + 1} at ${sinceStart(context)} with ${moving} moves MOVING`);
      }
      await context.topology.workersRunning();
    },
  };
}

/** Stops the Temporal server (SIGTERM: graceful; SIGKILL: at once) and starts it on the same SQLite file. */
export function temporalRestart(signal: 'SIGTERM' | 'SIGKILL', windowSeconds: [number, number]): Fault {
  return {
    name: `Temporal restart (${signal})`,
    async inject(context) {
      const moving = await inFlightAt(context, randomBetween(context.random, windowSeconds) * 1_000);
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
export function postgresStop(mode: PostgresStop, downSeconds: number, windowSeconds: [number, number]): Fault {
  return {
    name: `PostgreSQL down ${downSeconds} s (${mode})`,
    async inject(context) {
      const moving = await inFlightAt(context, randomBetween(context.random, windowSeconds) * 1_000);
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
 * The mail provider fails in `mode` from the moment the batch is in flight, for `downSeconds`, or
 * (when null) until every move is final, then works again.
 */
export function mailOutage(mode: Exclude<MailMode, 'ok'>, downSeconds: number | null): Fault {
  const label: Record<typeof mode, string> = {
    '500': 'answers 500',
    '429': 'answers 429 + Retry-After',
    hangs: 'hangs',
    down: 'down (port closed)',
  };
  return {
    name: `mail ${label[mode]} ${downSeconds === null ? 'until the moves are final' : `for ${downSeconds / 60} min`}`,
    async inject(context) {
      const { mail } = context.topology;
      const before = mail.attempts()[mode];
      await mail.setMode(mode);
      const from = Date.now();
      if (downSeconds !== null) await delay(downSeconds * 1_000);
      else await untilFinal(context);
      await mail.setMode('ok');
      context.note(
        `${mode} for ${seconds(Date.now() - from)}: ${mail.attempts()[mode] - before} send attempts reached the provider meanwhile`,
      );
    },
  };
}

/** Until every move of the batch is final (or waiting for an operator as intended). */
async function untilFinal(context: FaultContext): Promise<void> {
  const waiting = context.moves.filter((m) => !m.expectsAttention).map((m) => m.moveId);
  for (;;) {
    const open = await context.pool
      .query<{ n: number }>(
        `SELECT count(*)::int AS n FROM client_site_move WHERE id = ANY($1::uuid[]) AND status IN ${ACTIVE}`,
        [waiting],
      )
      .then(
        ({ rows }) => rows[0]?.n ?? 0,
        () => 1, // the database may be down too: not final as far as anyone can tell
      );
    if (open === 0) return;
    await delay(500);
  }
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
