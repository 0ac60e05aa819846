// Applies the committed migrations with the Prisma CLI (`migrate deploy`): a no-op when up to date.
import { spawn } from 'node:child_process';
import { PROJECT_ROOT as ROOT } from '../paths';

export class MigrationError extends Error {}

export async function migrateDatabase(databaseUrl: string): Promise<string> {
  const cli = require.resolve('prisma/build/index.js', { paths: [ROOT] });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'migrate', 'deploy'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolve(output);
      const reason = output
        .split('\n')
        .filter((l) => /error|P\d{4}|can't reach/i.test(l))
        .join(' ');
      reject(new MigrationError(`prisma migrate deploy failed (exit ${code}): ${reason || output.trim()}`));
    });
  });
}
