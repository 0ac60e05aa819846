// What the drill moves: the demo seed (Acme Analytics Ltd is the 2,000-item client, Evergreen Health
// has a blocked number) plus drill clients, small and of varied sizes, spread over the sites, and
// spare spaces, so more than 20 moves can run at once. Seeded into the drill's throwaway database.
import type { Db } from '../../db/client';
import { DEMO_CLIENTS, SEED_SITE_CODES, seedClient, seedDemoData, seedSpaces, type ClientSeed } from '../seed';

const DRILL_CLIENT_COUNT = 24;
/** Demo sites have spaces 1 to 12; the drill adds these. */
const FIRST_DRILL_SPACE = 13;
const LAST_DRILL_SPACE = 30;
/** Phone numbers are unique per client index; the demo uses 0 to 5. */
const FIRST_DRILL_INDEX = 10;

const pad = (n: number) => String(n).padStart(2, '0');

export const DRILL_CLIENTS: readonly ClientSeed[] = Array.from({ length: DRILL_CLIENT_COUNT }, (_, i) => ({
  name: `Drill Client ${pad(i + 1)}`,
  domain: `drill-${pad(i + 1)}.example`,
  site: SEED_SITE_CODES[i % SEED_SITE_CODES.length]!,
  tariff: 'Standard',
  // Some without a bundle: it is optional, and a move must carry that too.
  bundle: i % 4 === 3 ? null : '500 minutes',
  spaces: [FIRST_DRILL_SPACE + Math.floor(i / SEED_SITE_CODES.length)],
  users: 8 + ((i * 7) % 40),
  numbers: 4 + ((i * 5) % 24),
  services: 3 + (i % 9),
}));

/** Every client the drill knows, with what it was seeded with (the invariants count against it). */
export const ALL_SEEDED_CLIENTS: readonly ClientSeed[] = [...DEMO_CLIENTS, ...DRILL_CLIENTS];

export async function seedDrillData(db: Db): Promise<void> {
  await seedDemoData(db, { env: 'development' });
  for (const site of SEED_SITE_CODES) await seedSpaces(db, site, FIRST_DRILL_SPACE, LAST_DRILL_SPACE);
  for (const [i, client] of DRILL_CLIENTS.entries()) await seedClient(db, client, FIRST_DRILL_INDEX + i);
}
