// `npm run db:seed`: inserts the demo data where missing (never with NODE_ENV=production).
import { loadConfig } from '../config';
import { createDb } from '../db/client';
import { seedDemoData } from './seed';

async function main(): Promise<void> {
  const config = loadConfig();
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
