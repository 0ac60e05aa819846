// What one statement costs the process that sends it, by way of sending: Prisma's `$queryRaw` and
// `$executeRaw`, an interactive Prisma transaction, and the same on the pg pool (src/db/plainSql.ts).
// CPU and wall time per call, on a throwaway embedded PostgreSQL: `npx tsx bench/statementCost.ts`.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Prisma, createDb } from '../src/db/client';
import { plainRows, plainSql, plainTransaction, type SqlTx } from '../src/db/plainSql';
import { startEmbeddedPostgres } from '../src/dev/embeddedPostgres';
import { freePort } from '../src/dev/ports';
import { loadAverage } from './measure';

const CALLS = 3_000;
const TX_OPTIONS = { timeout: 60_000, maxWait: 10_000 };

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'csm-statement-cost-'));
  await chmod(dir, 0o755);
  const postgres = await startEmbeddedPostgres({
    dir: path.join(dir, 'pg'),
    port: await freePort(),
    persistent: false,
  });
  const db = createDb(postgres.urlFor('postgres'), 2);
  try {
    await db.$executeRaw`CREATE TABLE t (id text PRIMARY KEY, n int, at timestamptz, doc jsonb)`;
    await db.$executeRaw`INSERT INTO t SELECT 'k' || g, g, now(), '{"a": 1}' FROM generate_series(1, 1000) g`;
    const key = (i: number) => `k${(i % 1000) + 1}`;
    const read = (i: number) => Prisma.sql`SELECT id, n, at, doc FROM t WHERE id = ${key(i)}`;
    const threeInATransaction = async (tx: SqlTx, i: number) => {
      await tx.$queryRaw`SELECT id FROM t WHERE id = ${key(i)} FOR NO KEY UPDATE`;
      await tx.$executeRaw`UPDATE t SET n = n + 1 WHERE id = ${key(i)}`;
      await tx.$queryRaw`SELECT n, at FROM t WHERE id = ${key(i)}`;
    };
    const ways: Record<string, (i: number) => Promise<unknown>> = {
      'Prisma $queryRaw': (i) => db.$queryRaw(read(i)),
      'pool, plainRows': (i) => plainRows(db, read(i)),
      'pool, plainRows prepared': (i) => plainRows(db, read(i), 'statement_cost_read'),
      'Prisma $executeRaw': (i) => db.$executeRaw`UPDATE t SET n = n + 1 WHERE id = ${key(i)}`,
      'pool, plainSql $executeRaw': (i) => plainSql(db).$executeRaw`UPDATE t SET n = n + 1 WHERE id = ${key(i)}`,
      'Prisma transaction of 3': (i) => db.$transaction((tx) => threeInATransaction(tx, i), TX_OPTIONS),
      'pool, plainTransaction of 3': (i) => plainTransaction(db, TX_OPTIONS, (tx) => threeInATransaction(tx, i)),
    };
    console.log(`${CALLS} calls each, after 300 to warm up; load average ${loadAverage().join(' / ')}`);
    for (const [name, call] of Object.entries(ways)) {
      for (let i = 0; i < 300; i++) await call(i);
      const cpuBefore = process.cpuUsage();
      const began = performance.now();
      for (let i = 0; i < CALLS; i++) await call(i);
      const cpu = process.cpuUsage(cpuBefore);
      const wallMs = (performance.now() - began) / CALLS;
      const cpuMs = (cpu.user + cpu.system) / 1000 / CALLS;
      console.log(`${name.padEnd(28)} wall ${wallMs.toFixed(3)} ms, CPU ${cpuMs.toFixed(3)} ms per call`);
    }
  } finally {
    await db.$disconnect();
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
