// `npx tsx bench/abActivities.ts`: an A/B of the activities alone against the floor, for levers in
// the activities' code or the database (indexes, storage settings, batch sizes). Two databases in one
// throwaway PostgreSQL (pg_stat_statements loaded), each migrated and seeded alike with one client.
// Each side may run another checkout's code (`--a-src`/`--b-src`: a project folder, e.g. an exported
// commit with node_modules linked), with that checkout's migrations; B may also get the SQL given.
// Runs alternate A, B, B, A..., so both meet the same machine load; each run is the floor (one SQL
// transaction, rolled back), then snapshot + forward steps, then the rollback, with the bookkeeping
// around them (markMoveScheduled, compareWithReview, finishMove) timed per activity but not in the
// ratio. Per activity it reports wall time and this process's CPU (Prisma's query compiler runs here).
import { readFile } from 'node:fs/promises';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { MoveActivities } from '../src/activities/contract';
import type { Db } from '../src/db/client';
import { ensureDatabase } from '../src/dev/databases';
import { startEmbeddedPostgres } from '../src/dev/embeddedPostgres';
import { freePort } from '../src/dev/ports';
import { seedDemoData } from '../src/dev/seed';
import { PROJECT_ROOT } from '../src/paths';
import { insertMove, noMail, progressFor, runCompensations, runForwardSteps } from '../test/support/moveFixtures';
import { createClient } from './clients';
import { loadAverage, median, readStatements, resetStatements, round, timed, type StatementStats } from './measure';
import { floorMove, type Subject } from './singleMoves';

/** What a side loads from its checkout. */
interface Checkout {
  createActivities: (deps: { db: Db; mailer: typeof noMail }) => MoveActivities;
  createDb: (url: string) => Db;
  migrateDatabase: (url: string) => Promise<string>;
}

interface Side {
  name: 'A' | 'B';
  src: string;
  db: Db;
  pool: pg.Pool;
  activities: MoveActivities;
  batchSize: number;
  floor: number[];
  forward: number[];
  rollback: number[];
  /** Milliseconds per activity name, summed over each run's calls: wall time and this process's CPU. */
  byActivity: Map<string, number[]>;
  cpuByActivity: Map<string, number[]>;
  sql?: StatementStats;
}

const SUBJECT: Subject = { client: 'AB client', items: 0, home: 'BRS-TQY', away: 'LDS-WEL', space: 12 };

async function loadCheckout(root: string): Promise<Checkout> {
  // Another checkout's modules have this tree's shapes (the A/B compares implementations, not contracts).
  const from = <T>(module: string) => import(path.join(root, 'src', module)) as Promise<T>;
  const [activities, client, migrate] = await Promise.all([
    from<Pick<Checkout, 'createActivities'>>('activities'),
    from<Pick<Checkout, 'createDb'>>('db/client'),
    from<Pick<Checkout, 'migrateDatabase'>>('db/migrate'),
  ]);
  return {
    createActivities: activities.createActivities,
    createDb: client.createDb,
    migrateDatabase: migrate.migrateDatabase,
  };
}

interface RunTimes {
  ms: Map<string, number>;
  cpuMs: Map<string, number>;
}

/**
 * Wraps every activity with a clock that adds its wall time and the process's CPU time to the side's
 * current run. Activities run one at a time here, so the process's CPU is the activity's own.
 */
function timedActivities(activities: MoveActivities, current: RunTimes): MoveActivities {
  const add = (times: Map<string, number>, name: string, ms: number) => times.set(name, (times.get(name) ?? 0) + ms);
  return Object.fromEntries(
    Object.entries(activities).map(([name, activity]) => [
      name,
      async (...args: unknown[]) => {
        const cpu = process.cpuUsage();
        const [result, ms] = await timed(() => (activity as (...a: unknown[]) => Promise<unknown>)(...args));
        const used = process.cpuUsage(cpu);
        add(current.ms, name, ms);
        add(current.cpuMs, name, (used.user + used.system) / 1000);
        return result;
      },
    ]),
  ) as unknown as MoveActivities;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'a-src': { type: 'string', default: PROJECT_ROOT },
      'b-src': { type: 'string', default: PROJECT_ROOT },
      'b-sql': { type: 'string' },
      items: { type: 'string', default: '10000' },
      runs: { type: 'string', default: '6' },
      'batch-size': { type: 'string', default: '2000' },
      'b-batch-size': { type: 'string' },
    },
  });
  const items = Number(values.items);
  const batchSize = Number(values['batch-size']);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'csm-bench-ab-'));
  await chmod(dir, 0o755);
  const postgres = await startEmbeddedPostgres({
    dir: path.join(dir, 'pg'),
    port: await freePort(),
    persistent: false,
    settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'top' },
  });
  const sides: Side[] = [];
  try {
    for (const name of ['A', 'B'] as const) {
      const src = path.resolve(name === 'A' ? values['a-src'] : values['b-src']);
      const checkout = await loadCheckout(src);
      const url = postgres.urlFor(`ab_${name.toLowerCase()}`);
      await ensureDatabase(url);
      await checkout.migrateDatabase(url);
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      if (name === 'B' && values['b-sql']) await pool.query(await readFile(values['b-sql'], 'utf8'));
      const db = checkout.createDb(url);
      await seedDemoData(db, { env: 'development' });
      await createClient(db, SUBJECT.client, SUBJECT.home, items);
      await pool.query('VACUUM ANALYZE');
      const sideBatch = name === 'B' && values['b-batch-size'] ? Number(values['b-batch-size']) : batchSize;
      sides.push({
        name,
        src,
        db,
        pool,
        activities: checkout.createActivities({ db, mailer: noMail }),
        batchSize: sideBatch,
        floor: [],
        forward: [],
        rollback: [],
        byActivity: new Map(),
        cpuByActivity: new Map(),
      });
    }
    const load = loadAverage();
    const where = { from: SUBJECT.home, to: SUBJECT.away };
    for (let run = 0; run < Number(values.runs); run++) {
      for (const side of run % 2 === 0 ? sides : [...sides].reverse()) {
        const floor = await floorMove(side, SUBJECT, where);
        const current: RunTimes = { ms: new Map(), cpuMs: new Map() };
        const activities = timedActivities(side.activities, current);
        const move = await insertMove(side.db, {
          client: SUBJECT.client,
          to: SUBJECT.away,
          targetSpaces: [SUBJECT.space],
        });
        await activities.markMoveScheduled({ moveId: move.moveId });
        await activities.compareWithReview({ moveId: move.moveId });
        await resetStatements(side.pool);
        const [, forward] = await timed(async () => {
          await activities.snapshotMoveItems({ moveId: move.moveId });
          await runForwardSteps(activities, move.moveId, side.batchSize);
        });
        side.sql = await readStatements(side.pool, 12);
        const [, rollback] = await timed(() => runCompensations(activities, move.moveId, side.batchSize));
        const progress = progressFor(move.moveId, 'ROLLED_BACK', { finishedAt: new Date().toISOString() });
        await activities.finishMove({ moveId: move.moveId, phase: 'ROLLED_BACK', progress });
        side.floor.push(floor.ms);
        side.forward.push(forward);
        side.rollback.push(rollback);
        for (const [name, ms] of current.ms) side.byActivity.set(name, [...(side.byActivity.get(name) ?? []), ms]);
        for (const [name, ms] of current.cpuMs) {
          side.cpuByActivity.set(name, [...(side.cpuByActivity.get(name) ?? []), ms]);
        }
      }
    }
    for (const side of sides) {
      const ratios = side.forward.map((ms, i) => ms / side.floor[i]!);
      console.log(
        `${side.name} (${path.relative(PROJECT_ROOT, side.src) || 'this tree'}, batch ${side.batchSize}): ` +
          `floor ${round(median(side.floor))} ms, activities ${round(median(side.forward))} ms ` +
          `[${side.forward.map((ms) => round(ms)).join(', ')}], ratio ${round(median(ratios), 2)} ` +
          `[${ratios.map((r) => round(r, 2)).join(', ')}], rollback ${round(median(side.rollback))} ms`,
      );
      console.log(
        '  per activity (median ms, wall / CPU): ' +
          [...side.byActivity]
            .map(
              ([name, times]) =>
                `${name} ${round(median(times), 1)} / ${round(median(side.cpuByActivity.get(name)!), 1)}`,
            )
            .join(', '),
      );
      const sql = side.sql!;
      console.log(`  last forward run: ${sql.calls} statements, ${sql.execMs} ms executing`);
      for (const top of sql.top) console.log(`    ${top.calls}x ${top.ms} ms ${top.rows} rows: ${top.query}`);
    }
    console.log(
      `${items} items; load average ${load.join(' / ')} at the start, ${loadAverage().join(' / ')} at the end`,
    );
  } finally {
    await Promise.all(sides.flatMap((side) => [side.db.$disconnect(), side.pool.end()]));
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
