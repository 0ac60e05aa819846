// `npm run db:migrate`: applies committed migrations to DATABASE_URL, or to the embedded
// development database (which `npm start` runs) when DATABASE_URL is unset.
import { loadConfig } from '../config';
import { checkDatabaseReachable } from './reachable';
import { migrateDatabase } from './migrate';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.database.embedded) {
    await checkDatabaseReachable(config.database.url).catch(() => {
      throw new Error(
        `The embedded development database (127.0.0.1:${config.database.embeddedPort}) is not running: ` +
          'start it with `npm start` in another terminal (it migrates by itself), or set DATABASE_URL.',
      );
    });
  } else {
    await checkDatabaseReachable(config.database.url);
  }
  process.stdout.write(await migrateDatabase(config.database.url));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
