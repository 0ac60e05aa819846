// `npm run bench`: timings, which do not belong in tests. On a throwaway embedded PostgreSQL and a
// throwaway Temporal dev server: the activities over the 2,000-item demo client and a synthetic
// 10,000-item client (per batch size), and a whole move through Temporal with a real worker.
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../src/activities';
import { createDb, type Db } from '../src/db/client';
import { ensureDatabase } from '../src/dev/databases';
import { startEmbeddedPostgres } from '../src/dev/embeddedPostgres';
import { migrateDatabase } from '../src/db/migrate';
import { seedDemoData, seedId } from '../src/dev/seed';
import { moveWorkflowId } from '../src/domain/move';
import { freePort } from '../src/dev/ports';
import { readTemporalTool } from '../src/dev/tools';
import { clientSiteMove } from '../src/workflows/clientSiteMove';
import { MOVE_SEARCH_ATTRIBUTES } from '../src/workflows/searchAttributes';
import { moveWorkflowOptions } from '../src/workflows/startOptions';
import { insertMove, moveInputFor, noMail, runCompensations, runForwardSteps } from '../test/support/moveFixtures';

const rows: string[][] = [['benchmark', 'items', 'batch', 'snapshot ms', 'forward ms', 'rollback ms', 'notes']];

async function time<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = process.hrtime.bigint();
  const result = await work();
  return [result, Number(process.hrtime.bigint() - started) / 1e6];
}

/** A client of `size` items split 50/30/20 between users, numbers and services, at Bristol. */
async function createSyntheticClient(db: Db, size: number): Promise<string> {
  const name = `Synthetic ${size} ${randomUUID().slice(0, 8)}`;
  const siteId = seedId('site/BRS-TQY');
  const client = await db.client.create({
    data: {
      // Named like a seed client, so the test fixtures find it by name.
      id: seedId(`client/${name}`),
      name,
      siteId,
      tariffId: seedId('tariff/BRS-TQY/Standard'),
      minuteBundleId: seedId('bundle/BRS-TQY/500 minutes'),
    },
  });
  const users = Math.round(size * 0.5);
  const numbers = Math.round(size * 0.3);
  const services = size - users - numbers;
  const prefix = String(Math.floor(Math.random() * 900) + 100);
  await db.clientUser.createMany({
    data: Array.from({ length: users }, (_, i) => ({
      clientId: client.id,
      siteId,
      name: `User ${i}`,
      email: `u${i}@synthetic.example`,
    })),
  });
  await db.phoneNumber.createMany({
    data: Array.from({ length: numbers }, (_, i) => ({
      clientId: client.id,
      siteId,
      number: `+44117${prefix}${String(i).padStart(5, '0')}`,
    })),
  });
  await db.service.createMany({
    data: Array.from({ length: services }, (_, i) => ({
      clientId: client.id,
      siteId,
      type: 'INTERNET' as const,
      name: `svc ${i}`,
    })),
  });
  return name;
}

async function benchActivities(
  db: Db,
  clientName: string,
  items: number,
  batchSize: number,
  to: string,
): Promise<void> {
  const activities = createActivities({ db, mailer: noMail });
  const move = await insertMove(db, { client: clientName, to });
  const [, snapshotMs] = await time(() => activities.snapshotMoveItems({ moveId: move.moveId }));
  const [, forwardMs] = await time(() => runForwardSteps(activities, move.moveId, batchSize));
  const [, rollbackMs] = await time(() => runCompensations(activities, move.moveId, batchSize));
  // Give the client back its ACTIVE state so the next run can move it again.
  await db.clientSiteMove.update({
    where: { id: move.moveId },
    data: { status: 'ROLLED_BACK', finishedAt: new Date() },
  });
  rows.push([
    `activities: ${clientName}`,
    String(items),
    String(batchSize),
    fmt(snapshotMs),
    fmt(forwardMs),
    fmt(rollbackMs),
    '',
  ]);
}

async function benchWorkflow(db: Db, databaseUrl: string): Promise<void> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: readTemporalTool('temporalCli') },
      searchAttributes: MOVE_SEARCH_ATTRIBUTES,
    },
  });
  try {
    const taskQueue = 'bench';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../src/workflows'),
      activities: createActivities({ db: createDb(databaseUrl), mailer: noMail }),
    });
    const move = await insertMove(db, { client: 'Acme Analytics Ltd', to: 'LDS-WEL' });
    const [result, ms] = await worker.runUntil(() =>
      time(() => env.client.workflow.execute(clientSiteMove, moveWorkflowOptions(moveInputFor(move), taskQueue))),
    );
    const history = await env.client.workflow.getHandle(moveWorkflowId(move.clientId)).fetchHistory();
    rows.push([
      'workflow (dev server, real worker): Acme',
      '2100',
      '500',
      '',
      fmt(ms),
      '',
      `${result.phase}, ${history.events?.length ?? 0} history events`,
    ]);
  } finally {
    await env.teardown();
  }
}

const fmt = (ms: number) => ms.toFixed(0);

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'csm-bench-'));
  await chmod(dir, 0o755);
  const postgres = await startEmbeddedPostgres({
    dir: path.join(dir, 'pg'),
    port: await freePort(),
    persistent: false,
  });
  const url = postgres.urlFor('bench');
  try {
    await ensureDatabase(url);
    await migrateDatabase(url);
    const db = createDb(url);
    await seedDemoData(db, { env: 'development' });
    for (const batch of [100, 500, 2_000]) await benchActivities(db, 'Acme Analytics Ltd', 2_100, batch, 'MAN-SPF');
    for (const batch of [500, 2_000]) {
      const name = await createSyntheticClient(db, 10_000);
      await benchActivities(db, name, 10_000, batch, 'LDN-SHO');
    }
    await benchWorkflow(db, url);
    await db.$disconnect();
  } finally {
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  console.log(`\n${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
