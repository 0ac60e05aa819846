// `npm run db:seed`: inserts the demo data where missing: into the embedded database, or into the one
// DATABASE_URL names only with SEED_DEMO_DATA=true (the demo tokens are well known); never with
// NODE_ENV=production.
import { loadConfig } from '../config';
import { createDb } from '../db/client';
import { seedDemoData } from './seed';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.seedDemoData) {
    throw new Error(
      config.env === 'production'
        ? 'Not seeding: the demo data and its well-known tokens never go into a NODE_ENV=production database.'
        : 'Not seeding: DATABASE_URL names a database of your own, and the demo data brings well-known tokens. ' +
            'Set SEED_DEMO_DATA=true to seed it anyway.',
    );
  }
  const db = createDb(config.database.url);
  try {
    const { inserted } = await seedDemoData(db, { env: config.env });
    console.log(`Seed: ${inserted} rows inserted (0 means it was already there).`);
  } finally {
    await db.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
