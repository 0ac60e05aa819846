// The invariants a move must keep through any fault short of losing a database, checked in SQL on
// the drill's database, against the workflows' own `progress` query, and against the mail that
// reached the provider. Each check returns what broke it, in words that name the client and move.
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import { ACTIVE_PHASES, outcomeEmailKey, type ItemProgress, type MoveProgress } from '../../domain/move';
import type { SinkMessage } from '../mailSink';
import { progressQuery } from '../../workflows/clientSiteMove';
import type { DrillMove } from './scenario';
import { ALL_SEEDED_CLIENTS } from './seed';

export const INVARIANTS = {
  settled: 'every move final, or in NEEDS_ATTENTION where intended',
  itemsAtClientSite: "every user, phone number and active service at exactly one site, the client's",
  noDuplicateServices: 'no service duplicated, none lost',
  moveItems: 'move items of a completed move done, of a rolled-back move undone',
  spaces: 'no space held by two clients; spaces where the client is',
  clientStatus: 'client ACTIVE unless its move is in NEEDS_ATTENTION or FAILED',
  taskPhase: "every dashboard task's phase equals its move's",
  progress: "the database's copy of each move equals the workflow's progress",
  email: 'one email per final move reached the mail server, or its email state says why not',
} as const;
export type InvariantName = keyof typeof INVARIANTS;

export interface Violation {
  invariant: InvariantName;
  detail: string;
}

export interface CheckScope {
  pool: pg.Pool;
  temporal: Client;
  /** Every move the drill started so far. */
  moves: readonly DrillMove[];
  /** The moves whose workflow `progress` is compared with the database (querying all is slow). */
  progressOf: readonly DrillMove[];
  /** Mail that reached the provider. */
  delivered: readonly SinkMessage[];
  /** Moves that lived through a process being killed: only their email may be UNCERTAIN. */
  crashed: ReadonlySet<string>;
}

export async function checkInvariants(scope: CheckScope): Promise<Violation[]> {
  const sql = (invariant: InvariantName, text: string, describe: (row: Record<string, unknown>) => string) =>
    rowsOf(scope.pool, text).then((rows) => rows.map((row) => ({ invariant, detail: describe(row) })));
  const checks = await Promise.all([
    notSettled(scope),
    ...SQL_CHECKS.map(([invariant, text, describe]) => sql(invariant, text, describe)),
    itemCounts(scope.pool),
    progressMatches(scope),
    emailsDelivered(scope),
  ]);
  return checks.flat();
}

async function rowsOf(pool: pg.Pool, text: string): Promise<Record<string, unknown>[]> {
  return (await pool.query<Record<string, unknown>>(text)).rows;
}

const ACTIVE = `(${ACTIVE_PHASES.map((p) => `'${p}'`).join(', ')})`;

/**
 * Each client's latest move (the one that says where it should be), and the clients a person must
 * look at (NEEDS_ATTENTION, or FAILED: a rollback that could not finish), whose items may be anywhere.
 */
const LATEST = `
  latest AS (
    SELECT DISTINCT ON (client_id) id, client_id, status, source_site_id, destination_site_id
    FROM client_site_move ORDER BY client_id, created_at DESC, id
  ),
  settled_clients AS (
    SELECT c.* FROM client c LEFT JOIN latest l ON l.client_id = c.id
    WHERE l.id IS NULL OR l.status NOT IN ('NEEDS_ATTENTION', 'FAILED', 'SCHEDULED', 'MOVING', 'ROLLING_BACK')
  )`;

type SqlCheck = [InvariantName, string, (row: Record<string, unknown>) => string];

const SQL_CHECKS: SqlCheck[] = [
  [
    'itemsAtClientSite',
    `WITH ${LATEST}
     SELECT c.name, x.kind, count(*)::int AS n, min(s.code) AS site, min(cs.code) AS client_site
     FROM settled_clients c JOIN site cs ON cs.id = c.site_id
     JOIN (
       SELECT 'user' AS kind, client_id, site_id FROM client_user
       UNION ALL SELECT 'phone number', client_id, site_id FROM phone_number
       UNION ALL SELECT 'active service', client_id, site_id FROM service WHERE status = 'ACTIVE'
     ) x ON x.client_id = c.id AND x.site_id <> c.site_id
     JOIN site s ON s.id = x.site_id
     GROUP BY c.name, x.kind`,
    (r) => `${str(r.name)}: ${num(r.n)} ${str(r.kind)}(s) at ${str(r.site)}, not at the client's ${str(r.client_site)}`,
  ],
  [
    'itemsAtClientSite',
    `WITH ${LATEST}
     SELECT c.name, l.id, l.status, s.code AS at, w.code AS want
     FROM latest l JOIN client c ON c.id = l.client_id JOIN site s ON s.id = c.site_id
     JOIN site w ON w.id = CASE WHEN l.status = 'COMPLETED' THEN l.destination_site_id ELSE l.source_site_id END
     WHERE l.status IN ('COMPLETED', 'ROLLED_BACK', 'CANCELLED') AND c.site_id <> w.id`,
    (r) =>
      `${str(r.name)} is at ${str(r.at)} after its move ${str(r.id)} ended ${str(r.status)}; expected ${str(r.want)}`,
  ],
  [
    'noDuplicateServices',
    // Mid-move (and so in NEEDS_ATTENTION) a client has both: services are made before they break.
    `WITH ${LATEST}
     SELECT c.name, s.type, s.name AS service, count(*)::int AS n
     FROM service s JOIN settled_clients c ON c.id = s.client_id
     WHERE s.status = 'ACTIVE' GROUP BY c.name, s.type, s.name HAVING count(*) > 1`,
    (r) => `${str(r.name)} has ${num(r.n)} active copies of ${str(r.type)} service "${str(r.service)}"`,
  ],
  [
    'moveItems',
    `SELECT m.id, c.name, m.status, count(mi.id)::int AS items,
            count(*) FILTER (WHERE mi.status <> 'MOVED')::int AS not_moved,
            count(*) FILTER (WHERE mi.kind = 'SERVICE' AND (mi.new_item_id IS NULL OR mi.decommissioned_at IS NULL))::int AS services_half_done,
            count(*) FILTER (WHERE mi.status = 'MOVED')::int AS moved,
            count(*) FILTER (WHERE mi.new_item_id IS NOT NULL OR mi.decommissioned_at IS NOT NULL)::int AS traces
     FROM client_site_move m JOIN client c ON c.id = m.client_id LEFT JOIN move_item mi ON mi.move_id = m.id
     WHERE m.status IN ('COMPLETED', 'ROLLED_BACK', 'CANCELLED')
     GROUP BY m.id, c.name, m.status
     HAVING (m.status = 'COMPLETED' AND (count(mi.id) = 0 OR count(*) FILTER (WHERE mi.status <> 'MOVED') > 0
               OR count(*) FILTER (WHERE mi.kind = 'SERVICE' AND (mi.new_item_id IS NULL OR mi.decommissioned_at IS NULL)) > 0))
         OR (m.status <> 'COMPLETED' AND (count(*) FILTER (WHERE mi.status = 'MOVED') > 0
               OR count(*) FILTER (WHERE mi.new_item_id IS NOT NULL OR mi.decommissioned_at IS NOT NULL) > 0))`,
    (r) =>
      r.status === 'COMPLETED'
        ? `${str(r.name)}'s COMPLETED move ${str(r.id)}: ${num(r.not_moved)} of ${num(r.items)} items not MOVED, ${num(r.services_half_done)} services not provisioned and decommissioned`
        : `${str(r.name)}'s ${str(r.status)} move ${str(r.id)}: ${num(r.moved)} items still MOVED, ${num(r.traces)} services provisioned or decommissioned`,
  ],
  [
    'spaces',
    `WITH ${LATEST}
     SELECT c.name, sp.name AS space, s.code AS at, cs.code AS client_site
     FROM space sp JOIN settled_clients c ON c.id = sp.client_id
     JOIN site s ON s.id = sp.site_id JOIN site cs ON cs.id = c.site_id
     WHERE sp.site_id <> c.site_id`,
    (r) => `${str(r.name)} holds ${str(r.space)} at ${str(r.at)} but is at ${str(r.client_site)}`,
  ],
  [
    'spaces',
    `WITH ${LATEST}
     SELECT c.name, l.id, l.status, ms.role, sp.name AS space, holder.name AS holder
     FROM latest l JOIN client c ON c.id = l.client_id
     JOIN client_site_move_space ms ON ms.move_id = l.id JOIN space sp ON sp.id = ms.space_id
     LEFT JOIN client holder ON holder.id = sp.client_id
     WHERE (l.status = 'COMPLETED' AND ms.role = 'TARGET' AND sp.client_id IS DISTINCT FROM l.client_id)
        OR (l.status = 'COMPLETED' AND ms.role = 'ORIGINAL' AND sp.client_id = l.client_id)
        OR (l.status = 'ROLLED_BACK' AND ms.role = 'ORIGINAL' AND sp.client_id IS DISTINCT FROM l.client_id)
        OR (l.status IN ('ROLLED_BACK', 'CANCELLED') AND ms.role = 'TARGET' AND sp.client_id = l.client_id)`,
    (r) =>
      `${str(r.name)}'s ${str(r.status)} move ${str(r.id)}: ${str(r.role).toLowerCase()} space ${str(r.space)} is held by ${r.holder === null ? 'nobody' : str(r.holder)}`,
  ],
  [
    'spaces',
    `SELECT sp.name AS space, s.code AS site, count(*)::int AS n
     FROM client_site_move_space ms JOIN client_site_move m ON m.id = ms.move_id
     JOIN space sp ON sp.id = ms.space_id JOIN site s ON s.id = sp.site_id
     WHERE ms.role = 'TARGET' AND m.status IN ${ACTIVE}
     GROUP BY sp.name, s.code HAVING count(*) > 1`,
    (r) => `space ${str(r.space)} at ${str(r.site)} is promised to ${num(r.n)} unfinished moves`,
  ],
  [
    'clientStatus',
    `WITH ${LATEST}
     SELECT c.name, c.status, l.status AS move_status
     FROM client c LEFT JOIN latest l ON l.client_id = c.id
     WHERE c.status::text <> CASE WHEN l.status IN ${ACTIVE} OR l.status = 'FAILED' THEN 'ACTIVE_MOVE_SCHEDULED' ELSE 'ACTIVE' END`,
    (r) =>
      `${str(r.name)} is ${str(r.status)} while its latest move is ${r.move_status === null ? 'none' : str(r.move_status)}`,
  ],
  [
    'taskPhase',
    `SELECT m.id, c.name, m.status, t.phase, t.open
     FROM client_site_move m JOIN client c ON c.id = m.client_id
     LEFT JOIN dashboard_task t ON t.move_id = m.id
     WHERE m.run_id IS NOT NULL
       AND (t.id IS NULL OR t.phase <> m.status OR t.open <> (m.status IN ${ACTIVE}))`,
    (r) =>
      r.phase === null
        ? `${str(r.name)}'s move ${str(r.id)} (${str(r.status)}) has no dashboard task`
        : `${str(r.name)}'s move ${str(r.id)} is ${str(r.status)} but its task says ${str(r.phase)}${r.open ? ' (open)' : ' (closed)'}`,
  ],
];

function notSettled(scope: CheckScope): Promise<Violation[]> {
  return rowsOf(
    scope.pool,
    `SELECT m.id, c.name, m.status FROM client_site_move m JOIN client c ON c.id = m.client_id
     WHERE m.status IN ${ACTIVE}`,
  ).then((rows) =>
    rows
      .filter((r) => {
        const move = scope.moves.find((m) => m.moveId === r.id);
        return !(move?.expectsAttention && r.status === 'NEEDS_ATTENTION');
      })
      .map((r) => ({ invariant: 'settled', detail: `${str(r.name)}'s move ${str(r.id)} is still ${str(r.status)}` })),
  );
}

/** Nothing lost, nothing made up: each client not in the middle of a move has what it was seeded with. */
async function itemCounts(pool: pg.Pool): Promise<Violation[]> {
  const rows = await rowsOf(
    pool,
    `WITH ${LATEST}
     SELECT c.name,
       (SELECT count(*) FROM client_user u WHERE u.client_id = c.id)::int AS users,
       (SELECT count(*) FROM phone_number p WHERE p.client_id = c.id)::int AS numbers,
       (SELECT count(*) FROM service s WHERE s.client_id = c.id AND s.status = 'ACTIVE')::int AS services
     FROM settled_clients c`,
  );
  const violations: Violation[] = [];
  for (const row of rows) {
    const seed = ALL_SEEDED_CLIENTS.find((c) => c.name === row.name);
    if (!seed) continue;
    const want = { users: seed.users, numbers: seed.numbers, services: seed.services };
    for (const [kind, count] of Object.entries(want)) {
      if (row[kind] !== count) {
        violations.push({
          invariant: kind === 'services' ? 'noDuplicateServices' : 'itemsAtClientSite',
          detail: `${str(row.name)} has ${num(row[kind])} ${kind === 'services' ? 'active services' : kind}; it was seeded with ${count}`,
        });
      }
    }
  }
  return violations;
}

interface StoredMove {
  id: string;
  name: string;
  workflow_id: string;
  run_id: string | null;
  status: string;
  task_phase: string | null;
  task_items: ItemProgress | null;
  counts: Record<string, number> | null;
}

const PROGRESS_KINDS = { users: 'USER', phoneNumbers: 'PHONE_NUMBER', services: 'SERVICE' } as const;

/** The workflow's `progress` (phase, counts) against the move row, its task and its move items. */
async function progressMatches(scope: CheckScope): Promise<Violation[]> {
  const ids = scope.progressOf.map((m) => m.moveId);
  if (ids.length === 0) return [];
  const { rows } = await scope.pool.query<StoredMove>(
    `SELECT m.id, c.name, m.workflow_id, m.run_id, m.status::text, t.phase::text AS task_phase,
            t.progress -> 'items' AS task_items,
            (SELECT jsonb_object_agg(kind, n) FROM (
               SELECT kind::text, count(*)::int AS n FROM move_item WHERE move_id = m.id GROUP BY kind) k) AS counts
     FROM client_site_move m JOIN client c ON c.id = m.client_id LEFT JOIN dashboard_task t ON t.move_id = m.id
     WHERE m.id = ANY($1::uuid[])`,
    [ids],
  );
  const violations: Violation[] = [];
  const say = (row: StoredMove, what: string): void => {
    violations.push({ invariant: 'progress', detail: `${row.name}'s move ${row.id}: ${what}` });
  };
  await forEachLimited(rows, 4, async (row) => {
    if (row.run_id === null) return say(row, 'no run id recorded');
    let progress: MoveProgress;
    try {
      progress = await scope.temporal.workflow.getHandle(row.workflow_id, row.run_id).query(progressQuery);
    } catch (error) {
      return say(row, `the progress query failed: ${(error as Error).message.split('\n')[0]}`);
    }
    if (progress.phase !== row.status) say(row, `workflow says ${progress.phase}, the move row ${row.status}`);
    if (progress.phase !== row.task_phase) say(row, `workflow says ${progress.phase}, the task ${row.task_phase}`);
    for (const [key, kind] of Object.entries(PROGRESS_KINDS) as [keyof ItemProgress, string][]) {
      const live = progress.items[key];
      const stored = row.task_items?.[key];
      if (!stored || stored.total !== live.total || stored.done !== live.done) {
        say(
          row,
          `${key}: workflow ${live.done}/${live.total}, task ${stored ? `${stored.done}/${stored.total}` : 'none'}`,
        );
      }
      const items = row.counts?.[kind] ?? 0;
      if (live.total !== items) say(row, `${key}: workflow counts ${live.total}, the move has ${items} items`);
    }
  });
  return violations;
}

interface OutboxRow {
  id: string | null;
  move_id: string;
  name: string;
  move_status: string;
  dedupe_key: string;
  status: string;
  last_error: string | null;
  task_email: { state?: string; error?: string | null } | null;
}

/** The outbox also holds each move's warnings emails (the pre-move check): `move:<id>:warnings:<digest>`. */
const WARNINGS_KEY = /^move:[^:]+:warnings:/;

/**
 * Exactly one outcome email per final move reached the mail server (none lost, none twice), or the
 * move's email state says why not: FAILED with the reason, UNCERTAIN only for a move that lived
 * through a crash. Warnings emails: none twice, and one marked SENT arrived. No mail without a row.
 */
async function emailsDelivered(scope: CheckScope): Promise<Violation[]> {
  const { rows } = await scope.pool.query<OutboxRow>(
    `SELECT o.id, m.id AS move_id, c.name, m.status::text AS move_status, o.dedupe_key, o.status::text, o.last_error,
            t.progress -> 'email' AS task_email
     FROM client_site_move m JOIN client c ON c.id = m.client_id
     LEFT JOIN email_outbox o ON o.move_id = m.id
     LEFT JOIN dashboard_task t ON t.move_id = m.id
     WHERE m.status NOT IN ${ACTIVE} AND m.notify_operator_id IS NOT NULL`,
  );
  const received = new Map<string, number>();
  for (const message of scope.delivered) {
    const reference = message.customArgs.reference ?? '';
    received.set(reference, (received.get(reference) ?? 0) + 1);
  }
  const violations: Violation[] = [];
  const say = (row: OutboxRow, what: string): void => {
    violations.push({ invariant: 'email', detail: `${row.name}'s ${row.move_status} move ${row.move_id}: ${what}` });
  };
  const outcomes = new Map<string, number>();
  for (const row of rows) {
    outcomes.set(row.move_id, outcomes.get(row.move_id) ?? 0);
    if (row.id === null) continue;
    const count = received.get(row.id) ?? 0;
    received.delete(row.id);
    if (WARNINGS_KEY.test(row.dedupe_key)) {
      if (row.status === 'SENT' && count !== 1)
        say(row, `warnings email SENT, and the mail server received it ${count} times`);
      if (row.status !== 'SENT' && count > (row.status === 'UNCERTAIN' ? 1 : 0)) {
        say(row, `warnings email ${row.status}, yet the mail server received it ${count} times`);
      }
      continue;
    }
    outcomes.set(row.move_id, outcomes.get(row.move_id)! + 1);
    if (row.dedupe_key !== outcomeEmailKey(row.move_id, row.move_status)) say(row, `an email for ${row.dedupe_key}`);
    const shown = row.task_email?.state;
    if (shown !== row.status) say(row, `the outbox says ${row.status}, the move's email state ${shown ?? 'nothing'}`);
    if (row.status === 'SENT' && count !== 1) say(row, `SENT, and the mail server received it ${count} times`);
    if (row.status === 'FAILED') {
      if (count !== 0) say(row, `FAILED, yet the mail server received it ${count} times`);
      if (!row.last_error || !row.task_email?.error) say(row, 'FAILED without a reason on the move');
    }
    if (row.status === 'UNCERTAIN') {
      if (!scope.crashed.has(row.move_id)) say(row, 'UNCERTAIN although no process crashed while it was sent');
      if (count > 1) say(row, `UNCERTAIN, and the mail server received it ${count} times`);
    }
    if (row.status === 'PENDING' || row.status === 'SENDING') say(row, `still ${row.status}: not delivered yet`);
  }
  for (const [moveId, count] of outcomes) {
    if (count !== 1) {
      const what = count === 0 ? 'no outcome email in the outbox' : `${count} outcome emails in the outbox`;
      violations.push({ invariant: 'email', detail: `move ${moveId}: ${what}` });
    }
  }
  // Mail of moves still active (a move waiting in NEEDS_ATTENTION has had its warnings email) has a row too.
  const { rows: others } = await scope.pool.query<{ id: string }>(`SELECT id FROM email_outbox`);
  for (const { id } of others) received.delete(id);
  for (const [reference, count] of received) {
    violations.push({
      invariant: 'email',
      detail: `${count} email(s) with reference ${reference} match no outbox row`,
    });
  }
  return violations;
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

const str = (value: unknown): string =>
  typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value);
const num = (value: unknown): number => Number(value);
