// `npm run db:migrate`: applies committed migrations to DATABASE_URL, or to the embedded
// development database (which `npm start` runs) when DATABASE_URL is unset.
import { loadConfig } from '../config';
import { checkDatabaseReachable } from './databases';
import { migrateDatabase } from './migrate';

async function main(): Promise<void> {
  const config = loadConfig();
  await checkDatabaseReachable(config.database.url).catch((error: Error) => {
    throw new Error(config.database.embedded ? `${error.message} (is \`npm start\` running?)` : error.message);
  });
  process.stdout.write(await migrateDatabase(config.database.url));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
