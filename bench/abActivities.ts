// `npx tsx bench/abActivities.ts`: an A/B of the activities alone, for levers the database decides
// (indexes, storage settings, batch sizes). Two databases in one throwaway PostgreSQL, each migrated
// and seeded alike with one client; B also gets the SQL given. Runs alternate A, B, A, B..., so both
// meet the same machine load; each run is snapshot + forward steps, then the rollback.
import { readFile } from 'node:fs/promises';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createActivities } from '../src/activities';
import { createDb, type Db } from '../src/db/client';
import { migrateDatabase } from '../src/db/migrate';
import { ensureDatabase } from '../src/dev/databases';
import { startEmbeddedPostgres } from '../src/dev/embeddedPostgres';
import { freePort } from '../src/dev/ports';
import { seedDemoData } from '../src/dev/seed';
import { insertMove, noMail, runCompensations, runForwardSteps } from '../test/support/moveFixtures';
import { createClient } from './clients';
import { loadAverage, median, round, timed } from './measure';

interface Side {
  name: 'A' | 'B';
  db: Db;
  batchSize: number;
  forward: number[];
  rollback: number[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'b-sql': { type: 'string' },
      items: { type: 'string', default: '10000' },
      runs: { type: 'string', default: '5' },
      'batch-size': { type: 'string', default: '500' },
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
  });
  const sides: Side[] = [];
  try {
    for (const name of ['A', 'B'] as const) {
      const url = postgres.urlFor(`ab_${name.toLowerCase()}`);
      await ensureDatabase(url);
      await migrateDatabase(url);
      if (name === 'B' && values['b-sql']) {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(await readFile(values['b-sql'], 'utf8'));
        await client.end();
      }
      const db = createDb(url);
      await seedDemoData(db, { env: 'development' });
      await createClient(db, 'AB client', 'BRS-TQY', items);
      const sideBatch = name === 'B' && values['b-batch-size'] ? Number(values['b-batch-size']) : batchSize;
      sides.push({ name, db, batchSize: sideBatch, forward: [], rollback: [] });
    }
    const load = loadAverage();
    for (let run = 0; run < Number(values.runs); run++) {
      for (const side of run % 2 === 0 ? sides : [...sides].reverse()) {
        const activities = createActivities({ db: side.db, mailer: noMail });
        const move = await insertMove(side.db, { client: 'AB client', to: 'LDS-WEL' });
        const [, forward] = await timed(async () => {
          await activities.snapshotMoveItems({ moveId: move.moveId });
          await runForwardSteps(activities, move.moveId, side.batchSize);
        });
        const [, rollback] = await timed(() => runCompensations(activities, move.moveId, side.batchSize));
        await side.db.clientSiteMove.update({
          where: { id: move.moveId },
          data: { status: 'ROLLED_BACK', finishedAt: new Date() },
        });
        side.forward.push(forward);
        side.rollback.push(rollback);
      }
    }
    for (const side of sides) {
      console.log(
        `${side.name} (batch ${side.batchSize}): move ${round(median(side.forward))} ms ` +
          `[${side.forward.map((ms) => round(ms)).join(', ')}], rollback ${round(median(side.rollback))} ms`,
      );
    }
    console.log(
      `${items} items; load average ${load.join(' / ')} at the start, ${loadAverage().join(' / ')} at the end`,
    );
  } finally {
    await Promise.all(sides.map((side) => side.db.$disconnect()));
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
