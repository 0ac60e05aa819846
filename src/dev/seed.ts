// Demo data for development: sites, spaces, tariffs, bundles, five clients (one with 2,000+ items)
// and two operators with well-known tokens. Idempotent: every row has an id derived from its name
// and is only inserted when missing, so a restart never undoes a move made in the demo.
import { createHash } from 'node:crypto';
import { DEMO_TOKENS, hashToken } from '../domain/tokens';
import type { Db } from '../db/client';
import type { ServiceType } from '../generated/prisma/client';

/** A stable UUID (v5 layout) for a seed row, so re-seeding finds the same rows. */
export function seedId(name: string): string {
  const hex = createHash('sha1').update(`connect-site-move/seed/${name}`).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The two demo operators; the web app's sign-in page offers them in development. */
export const DEMO_OPERATORS = [
  {
    seedName: 'super-admin',
    name: 'Sam Super (demo)',
    email: 'super.admin@t2.example',
    role: 'T2_SUPER_ADMIN',
    token: DEMO_TOKENS.superAdmin,
  },
  {
    seedName: 'admin',
    name: 'Alex Admin (demo)',
    email: 'admin@t2.example',
    role: 'T2_ADMIN',
    token: DEMO_TOKENS.admin,
  },
] as const;

interface SiteSeed {
  code: string;
  name: string;
  phonePrefix: string;
  timeZone: string;
  /** Service types the site does not offer (the pre-move check warns about them). */
  lacks?: ServiceType[];
}

const SITES: SiteSeed[] = [
  { code: 'LDN-SHO', name: 'London Shoreditch', phonePrefix: '+44207', timeZone: 'Europe/London' },
  { code: 'MAN-SPF', name: 'Manchester Spinningfields', phonePrefix: '+44161', timeZone: 'Europe/London' },
  { code: 'BRS-TQY', name: 'Bristol Temple Quay', phonePrefix: '+44117', timeZone: 'Europe/London' },
  { code: 'LDS-WEL', name: 'Leeds Wellington Place', phonePrefix: '+44113', timeZone: 'Europe/London' },
  // Elsewhere, to prove times are the site's: 09:00 here is 08:00 in London.
  {
    code: 'AMS-ZUI',
    name: 'Amsterdam Zuidas',
    phonePrefix: '+3120',
    timeZone: 'Europe/Amsterdam',
    lacks: ['MAIL_HANDLING'],
  },
];

const TARIFFS = [
  { name: 'Standard', monthlyFeePence: 45_000 },
  { name: 'Premium', monthlyFeePence: 79_000 },
  { name: 'Enterprise', monthlyFeePence: 149_000 },
];

const BUNDLES = [
  { name: '500 minutes', minutes: 500, monthlyFeePence: 1_500 },
  { name: '2,000 minutes', minutes: 2_000, monthlyFeePence: 4_500 },
  { name: '10,000 minutes', minutes: 10_000, monthlyFeePence: 15_000 },
];

const SPACES_PER_SITE = 12;

interface ClientSeed {
  name: string;
  domain: string;
  site: string;
  tariff: string;
  /** Null: the client has no minute bundle (it is optional). */
  bundle: string | null;
  spaces: number[];
  users: number;
  numbers: number;
  services: number;
  /** Numbers (by index) seeded as BLOCKED: moving this client stops in NEEDS_ATTENTION. */
  blockedNumbers?: number[];
}

export const DEMO_CLIENTS: ClientSeed[] = [
  {
    name: 'Acme Analytics Ltd',
    domain: 'acme-analytics.example',
    site: 'LDN-SHO',
    tariff: 'Enterprise',
    bundle: '10,000 minutes',
    spaces: [1, 2, 3],
    users: 1_000,
    numbers: 700,
    services: 400,
  },
  {
    name: 'Brightwave Studios',
    domain: 'brightwave.example',
    site: 'LDN-SHO',
    tariff: 'Standard',
    bundle: '500 minutes',
    spaces: [4],
    users: 25,
    numbers: 15,
    services: 6,
  },
  {
    name: 'Cobalt Legal LLP',
    domain: 'cobalt-legal.example',
    site: 'MAN-SPF',
    tariff: 'Premium',
    bundle: '2,000 minutes',
    spaces: [1, 2],
    users: 60,
    numbers: 40,
    services: 10,
  },
  {
    name: 'Dune & Finch',
    domain: 'dunefinch.example',
    site: 'BRS-TQY',
    tariff: 'Standard',
    bundle: '500 minutes',
    spaces: [1],
    users: 3,
    numbers: 2,
    services: 2,
  },
  {
    name: 'Evergreen Health',
    domain: 'evergreen-health.example',
    site: 'MAN-SPF',
    tariff: 'Premium',
    bundle: '2,000 minutes',
    spaces: [3, 4],
    users: 120,
    numbers: 80,
    services: 20,
    blockedNumbers: [79],
  },
  {
    name: 'Gale & Moss',
    domain: 'galemoss.example',
    site: 'AMS-ZUI',
    tariff: 'Standard',
    bundle: null,
    spaces: [1],
    users: 4,
    numbers: 3,
    services: 3,
  },
];

const SERVICE_TYPES: ServiceType[] = ['INTERNET', 'VOICE', 'PRINTING', 'MEETING_ROOMS', 'MAIL_HANDLING', 'STORAGE'];

export interface SeedOptions {
  env: 'development' | 'test' | 'production';
}

export interface SeedSummary {
  inserted: number;
}

const spaceName = (n: number) => `Suite ${Math.ceil(n / 4)}.${String(((n - 1) % 4) + 1).padStart(2, '0')}`;

export async function seedDemoData(db: Db, options: SeedOptions): Promise<SeedSummary> {
  if (options.env === 'production') throw new Error('The demo seed never runs with NODE_ENV=production');
  let inserted = 0;
  const add = (result: { count: number }) => (inserted += result.count);

  add(
    await db.operator.createMany({
      skipDuplicates: true,
      data: DEMO_OPERATORS.map(({ seedName, name, email, role, token }) => ({
        id: seedId(`operator/${seedName}`),
        name,
        email,
        role,
        tokenHash: hashToken(token),
      })),
    }),
  );

  add(
    await db.site.createMany({
      skipDuplicates: true,
      data: SITES.map((s) => ({ id: seedId(`site/${s.code}`), code: s.code, name: s.name, timeZone: s.timeZone })),
    }),
  );
  add(
    await db.siteServiceType.createMany({
      skipDuplicates: true,
      data: SITES.flatMap((s) =>
        SERVICE_TYPES.filter((type) => !s.lacks?.includes(type)).map((type) => ({
          siteId: seedId(`site/${s.code}`),
          type,
        })),
      ),
    }),
  );
  for (const site of SITES) {
    const siteId = seedId(`site/${site.code}`);
    add(
      await db.space.createMany({
        skipDuplicates: true,
        data: Array.from({ length: SPACES_PER_SITE }, (_, i) => ({
          id: seedId(`space/${site.code}/${i + 1}`),
          siteId,
          name: spaceName(i + 1),
          capacity: 4 + ((i * 3) % 12),
        })),
      }),
    );
    add(
      await db.tariff.createMany({
        skipDuplicates: true,
        data: TARIFFS.map((t) => ({ id: seedId(`tariff/${site.code}/${t.name}`), siteId, ...t })),
      }),
    );
    add(
      await db.minuteBundle.createMany({
        skipDuplicates: true,
        data: BUNDLES.map((b) => ({ id: seedId(`bundle/${site.code}/${b.name}`), siteId, ...b })),
      }),
    );
  }

  for (const client of DEMO_CLIENTS) inserted += await seedClient(db, client);
  return { inserted };
}

async function seedClient(db: Db, c: ClientSeed): Promise<number> {
  const site = SITES.find((s) => s.code === c.site);
  if (!site) throw new Error(`Unknown seed site ${c.site}`);
  const clientId = seedId(`client/${c.name}`);
  const siteId = seedId(`site/${c.site}`);
  // The client and its spaces are inserted together, once: a client that already exists may have
  // moved since it was seeded, and its old spaces must stay released.
  let inserted = await db.$transaction(async (tx) => {
    const created = await tx.client.createMany({
      skipDuplicates: true,
      data: [
        {
          id: clientId,
          name: c.name,
          siteId,
          tariffId: seedId(`tariff/${c.site}/${c.tariff}`),
          minuteBundleId: c.bundle === null ? null : seedId(`bundle/${c.site}/${c.bundle}`),
        },
      ],
    });
    if (created.count === 0) return 0;
    const spaces = await tx.space.updateMany({
      where: { id: { in: c.spaces.map((n) => seedId(`space/${c.site}/${n}`)) }, clientId: null },
      data: { clientId },
    });
    return created.count + spaces.count;
  });
  // Items are only ever inserted when missing, never updated, so a moved item stays where it is.
  const index = DEMO_CLIENTS.indexOf(c);
  inserted += (
    await db.clientUser.createMany({
      skipDuplicates: true,
      data: Array.from({ length: c.users }, (_, i) => ({
        id: seedId(`user/${c.name}/${i}`),
        clientId,
        siteId,
        name: `${c.name.split(' ')[0]} User ${i + 1}`,
        email: `user${String(i + 1).padStart(4, '0')}@${c.domain}`,
      })),
    })
  ).count;
  inserted += (
    await db.phoneNumber.createMany({
      skipDuplicates: true,
      data: Array.from({ length: c.numbers }, (_, i) => ({
        id: seedId(`number/${c.name}/${i}`),
        // Per-site prefix, then the client's index and a running number: unique across the seed.
        number: `${site.phonePrefix}${index}${String(i).padStart(5, '0')}`,
        clientId,
        siteId,
        status: c.blockedNumbers?.includes(i) ? ('BLOCKED' as const) : ('ACTIVE' as const),
      })),
    })
  ).count;
  inserted += (
    await db.service.createMany({
      skipDuplicates: true,
      data: Array.from({ length: c.services }, (_, i) => {
        const type = SERVICE_TYPES[i % SERVICE_TYPES.length]!;
        return {
          id: seedId(`service/${c.name}/${i}`),
          clientId,
          siteId,
          type,
          name: `${type.replace('_', ' ').toLowerCase()} #${Math.floor(i / SERVICE_TYPES.length) + 1}`,
        };
      }),
    })
  ).count;
  return inserted;
}
