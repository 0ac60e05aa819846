import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__csmTestPostgres?.stop();
  if (process.env.TEST_TMP_DIR) await rm(process.env.TEST_TMP_DIR, { recursive: true, force: true });
}
