// Fails fast, in one line, when the configured database cannot be reached (start-up and CLIs).
import pg from 'pg';

export class DatabaseUnreachableError extends Error {}

/** Fails fast, in one line, when the configured database cannot be reached. */
export async function checkDatabaseReachable(url: string, timeoutMs = 5_000): Promise<void> {
  const target = new URL(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DatabaseUnreachableError(
      `Cannot reach the database in DATABASE_URL (${target.hostname}:${target.port || 5432}/${decodeURIComponent(target.pathname.replace(/^\//, ''))}): ${reason}. ` +
        'Start that server, correct DATABASE_URL, or unset it to use the embedded PostgreSQL.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
