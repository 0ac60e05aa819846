// A fresh, migrated PostgreSQL database per caller (a copy of the template globalSetup migrated).
import { randomBytes } from 'node:crypto';
import { createDb, type Db } from '../../src/db/client';
import { dropDatabase, ensureDatabase, withDatabase } from '../../src/dev/databases';
import { testEnv } from './env';

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `csm_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(testEnv('TEST_PG_ADMIN_URL'), name);
  // Copying a template fails while another copy of it is being made; such a clash is short.
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureDatabase(url, testEnv('TEST_TEMPLATE_DATABASE'));
      break;
    } catch (error) {
      if (attempt >= 20 || !/being accessed by other users/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
  const db = createDb(url);
  return {
    url,
    db,
    drop: async () => {
      await db.$disconnect();
      await dropDatabase(url);
    },
  };
}
