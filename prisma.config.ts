// Prisma CLI configuration: the offline JS schema engine over adapter-pg (see prisma/cliAdapter.ts).
import { defineConfig } from 'prisma/config';
import { cliAdapterFactory, unrefLongTimers } from './prisma/cliAdapter';
import { loadConfig } from './src/config';

unrefLongTimers();

// The schema's `url = env("DATABASE_URL")` must resolve, or the CLI falls back to downloading native
// engines; without DATABASE_URL it names the embedded development database that `npm start` runs.
const databaseUrl = loadConfig().database.url;
process.env.DATABASE_URL ??= databaseUrl;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // DATABASE_URL, or the embedded development database that `npm start` runs.
  adapter: () => Promise.resolve(cliAdapterFactory(databaseUrl)),
});
