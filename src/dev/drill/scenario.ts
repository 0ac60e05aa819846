// The scenario driver: starts batches of moves the way an operator does, through the public HTTP API
// (the wizard's options, then Finish with an Idempotency-Key, retried while the API is unreachable),
// moves clients back and forth between their home site and another, and waits for a batch to settle.
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import type { z } from 'zod';
import { ClientsResponse, MoveDetailSchema, MoveOptionsResponse, MoveSchema } from '../../api/schemas';
import { FINAL_PHASES, type MovePhase } from '../../domain/move';
import { DEMO_TOKENS } from '../../domain/tokens';
import { SEED_SITE_CODES } from '../seed';
import { ALL_SEEDED_CLIENTS } from './seed';

/** The contact every drill move emails (the demo's T2 Super Admin). */
export const DRILL_CONTACT_EMAIL = 'super.admin@t2.example';
export const EVERGREEN = 'Evergreen Health';
/** The 2,000-item client. */
export const LARGE_CLIENT = 'Acme Analytics Ltd';

export interface DrillMove {
  moveId: string;
  workflowId: string;
  clientId: string;
  clientName: string;
  /** Expected to stop in NEEDS_ATTENTION (a blocked number) until the drill unblocks it and retries. */
  expectsAttention: boolean;
  /** `now`, or an ISO time. */
  moveAt: string;
}

/** A small, seeded random source, so a run can be repeated with `--seed`. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${JSON.stringify(body)}`);
  }
}

/** The public HTTP API as a T2 Super Admin uses it. */
export class DrillApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string = DEMO_TOKENS.superAdmin,
  ) {}

  async call<S extends z.ZodType>(
    schema: S,
    method: 'GET' | 'POST',
    path: string,
    options: { body?: object; headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<z.output<S>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(options.body ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      body: options.body ? JSON.stringify(options.body) : undefined,
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const text = await response.text();
    const body: unknown = text ? JSON.parse(text) : null;
    if (!response.ok) throw new ApiError(response.status, body, `${method} ${path}`);
    return schema.parse(body);
  }

  clients(): Promise<z.output<typeof ClientsResponse>> {
    return this.call(ClientsResponse, 'GET', '/api/clients?limit=100');
  }

  options(clientId: string): Promise<z.output<typeof MoveOptionsResponse>> {
    return this.call(MoveOptionsResponse, 'GET', `/api/clients/${clientId}/site-move/options`);
  }

  start(body: object, idempotencyKey: string): Promise<z.output<typeof MoveSchema>> {
    return this.call(MoveSchema, 'POST', '/api/client-site-moves', {
      body,
      headers: { 'Idempotency-Key': idempotencyKey },
    });
  }

  move(moveId: string): Promise<z.output<typeof MoveDetailSchema>> {
    return this.call(MoveDetailSchema, 'GET', `/api/client-site-moves/${moveId}`, { timeoutMs: 10_000 });
  }

  retry(moveId: string): Promise<z.output<typeof MoveDetailSchema>> {
    return this.call(MoveDetailSchema, 'POST', `/api/client-site-moves/${moveId}/retry`, { body: {} });
  }
}

/**
 * Retries what an operator would retry: the API unreachable or answering 5xx (a restart, an outage).
 * A 4xx is an answer, and is thrown.
 */
export async function persistently<T>(what: string, call: () => Promise<T>, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const transient = !(error instanceof ApiError) || error.status >= 500;
      if (!transient || Date.now() > deadline) throw error;
      await delay(Math.min(500 * attempt, 3_000));
    }
  }
}

export interface BatchOptions {
  random: () => number;
  /** Most moves in the batch; every idle client moves when unset. */
  maxMoves?: number;
  /** Only these clients (by name), when set. */
  clients?: readonly string[];
  /** Share of moves scheduled ahead rather than moved now. */
  scheduledShare: number;
  /** Scheduled moves run this many seconds ahead (inclusive range). */
  aheadSeconds: [number, number];
}

/**
 * Starts a move for each idle (ACTIVE) client: to another site if it is at home, back home if not.
 * Each start is one wizard Finish, retried with the same Idempotency-Key until the API answers.
 */
export async function startBatch(api: DrillApi, options: BatchOptions): Promise<DrillMove[]> {
  const { items } = await persistently('list clients', () => api.clients());
  const idle = items
    .filter((c) => c.status === 'ACTIVE')
    .filter((c) => !options.clients || options.clients.includes(c.name))
    .slice(0, options.maxMoves);
  const moves: DrillMove[] = [];
  for (const client of idle) {
    const seed = ALL_SEEDED_CLIENTS.find((c) => c.name === client.name);
    if (!seed) continue;
    const scheduled = options.random() < options.scheduledShare;
    const [low, high] = options.aheadSeconds;
    const moveAt = scheduled
      ? new Date(Date.now() + (low + options.random() * (high - low)) * 1_000).toISOString()
      : 'now';
    moves.push(await startMove(api, client.id, client.site.code, seed, moveAt, options.random));
  }
  return moves;
}

async function startMove(
  api: DrillApi,
  clientId: string,
  currentSite: string,
  seed: (typeof ALL_SEEDED_CLIENTS)[number],
  moveAt: string,
  random: () => number,
): Promise<DrillMove> {
  const home = seed.site;
  const away = SEED_SITE_CODES[(SEED_SITE_CODES.indexOf(home) + 1) % SEED_SITE_CODES.length]!;
  const to = currentSite === home ? away : home;
  const key = `drill-${randomUUID()}`;
  // A space can be promised to another move between reading the options and starting: read again.
  for (let attempt = 1; ; attempt++) {
    const options = await persistently('move options', () => api.options(clientId));
    const destination = options.destinations.find((d) => d.site.code === to);
    const contact = options.notifyContacts.find((c) => c.email === DRILL_CONTACT_EMAIL);
    if (!destination || !contact) throw new Error(`No ${to} or no ${DRILL_CONTACT_EMAIL} in the options`);
    const space = destination.vacantSpaces[Math.floor(random() * destination.vacantSpaces.length)];
    const body = {
      clientId,
      destinationSiteId: destination.site.id,
      tariffId: (destination.tariffs.find((t) => t.name === seed.tariff) ?? destination.tariffs[0]!).id,
      minuteBundleId: seed.bundle === null ? null : (destination.minuteBundles[0]?.id ?? null),
      spaceIds: space ? [space.id] : [],
      moveAt,
      notifyOperatorId: contact.id,
    };
    try {
      const move = await persistently('start a move', () => api.start(body, key));
      return {
        moveId: move.id,
        workflowId: move.workflowId,
        clientId,
        clientName: seed.name,
        expectsAttention: (seed.blockedNumbers?.length ?? 0) > 0,
        moveAt,
      };
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 409 || attempt >= 5) throw error;
    }
  }
}

/** The carrier unblocks Evergreen Health's number (no API does this), then an operator retries its move. */
export async function unblockAndRetry(pool: pg.Pool, api: DrillApi, move: DrillMove): Promise<void> {
  await pool.query(`UPDATE phone_number SET status = 'ACTIVE' WHERE client_id = $1 AND status = 'BLOCKED'`, [
    move.clientId,
  ]);
  await persistently('retry the move', () => api.retry(move.moveId));
  move.expectsAttention = false;
}

export interface SettleState {
  moveId: string;
  status: MovePhase;
  /** The outbox row of the final phase's email, if any. */
  email: string | null;
  /** The email state the move's dashboard task shows. */
  taskEmail: string | null;
}

/** Every move's phase and the state of its outcome email, as the database has them. */
export async function readSettleStates(pool: pg.Pool, moveIds: string[]): Promise<SettleState[]> {
  const { rows } = await pool.query<SettleState>(
    `SELECT m.id AS "moveId", m.status::text AS status, o.status::text AS email,
            t.progress #>> '{email,state}' AS "taskEmail"
     FROM client_site_move m
     LEFT JOIN email_outbox o ON o.dedupe_key = 'move:' || m.id || ':' || m.status
     LEFT JOIN dashboard_task t ON t.move_id = m.id
     WHERE m.id = ANY($1::uuid[])`,
    [moveIds],
  );
  return rows;
}

const SETTLED_EMAIL = ['SENT', 'FAILED', 'UNCERTAIN'];

/** Final with its email dealt with (and shown on the task), or waiting for an operator as intended. */
export function isSettled(move: DrillMove, state: SettleState | undefined): boolean {
  if (!state) return false;
  if (move.expectsAttention) return state.status === 'NEEDS_ATTENTION';
  if (!(FINAL_PHASES as readonly string[]).includes(state.status)) return false;
  return state.email !== null && SETTLED_EMAIL.includes(state.email) && state.taskEmail === state.email;
}

/**
 * Waits until every move has settled; returns when, or the moves that had not when time ran out.
 * Database errors (it may be the fault) count as "not yet".
 */
export async function waitUntilSettled(
  pool: pg.Pool,
  moves: DrillMove[],
  timeoutMs: number,
): Promise<{ settledAt: Date | null; unsettled: string[] }> {
  const deadline = Date.now() + timeoutMs;
  let states = new Map<string, SettleState>();
  const unsettled = () => moves.filter((m) => !isSettled(m, states.get(m.moveId)));
  for (;;) {
    try {
      const read = await readSettleStates(
        pool,
        moves.map((m) => m.moveId),
      );
      states = new Map(read.map((s) => [s.moveId, s]));
      if (unsettled().length === 0) return { settledAt: new Date(), unsettled: [] };
    } catch {
      // The database may be the fault being injected; ask again.
    }
    if (Date.now() > deadline) return { settledAt: null, unsettled: unsettled().map((m) => m.moveId) };
    await delay(500);
  }
}

/** How many of the moves are MOVING (or rolling back) right now: a fault is meant to land in a batch. */
export async function movesInFlight(pool: pg.Pool, moves: DrillMove[]): Promise<number> {
  try {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM client_site_move WHERE id = ANY($1::uuid[]) AND status IN ('MOVING', 'ROLLING_BACK')`,
      [moves.map((m) => m.moveId)],
    );
    return rows[0]?.n ?? 0;
  } catch {
    return -1;
  }
}
