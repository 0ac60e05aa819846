// The database itself: migrations, the demo seed, and the constraints that keep bad states out.
import { migrateDatabase } from '../../src/db/migrate';
import { DEMO_CLIENTS, seedDemoData, seedId } from '../../src/dev/seed';
import { hashToken } from '../../src/domain/tokens';
import { createTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemoData(database.db, { env: 'development' });
});
afterAll(() => database.drop());

const countAll = async () => ({
  operators: await database.db.operator.count(),
  sites: await database.db.site.count(),
  spaces: await database.db.space.count(),
  clients: await database.db.client.count(),
  users: await database.db.clientUser.count(),
  numbers: await database.db.phoneNumber.count(),
  services: await database.db.service.count(),
  occupied: await database.db.space.count({ where: { clientId: { not: null } } }),
});

describe('migrations', () => {
  it('are a no-op on an up-to-date database', async () => {
    const output = await migrateDatabase(database.url);
    expect(output).toContain('No pending migrations to apply');
  });
});

describe('demo seed', () => {
  it('has 3+ sites, a client for each demo and one with 2,000+ users, numbers and services', async () => {
    const counts = await countAll();
    expect(counts.sites).toBeGreaterThanOrEqual(3);
    expect(counts.clients).toBe(DEMO_CLIENTS.length);
    const biggest = await database.db.client.findUniqueOrThrow({
      where: { id: seedId(`client/${DEMO_CLIENTS[0]!.name}`) },
      include: { _count: { select: { users: true, phoneNumbers: true, services: true } } },
    });
    const { users, phoneNumbers, services } = biggest._count;
    expect(users + phoneNumbers + services).toBeGreaterThanOrEqual(2_000);
    for (const site of await database.db.site.findMany({ include: { _count: true } })) {
      expect(site._count.spaces).toBeGreaterThan(0);
      expect(site._count.tariffs).toBeGreaterThan(0);
      expect(site._count.minuteBundles).toBeGreaterThan(0);
    }
  });

  it('seeds the two demo operators with hashed tokens', async () => {
    const superAdmin = await database.db.operator.findUnique({ where: { tokenHash: hashToken('dev-super-admin') } });
    const admin = await database.db.operator.findUnique({ where: { tokenHash: hashToken('dev-admin') } });
    expect(superAdmin?.role).toBe('T2_SUPER_ADMIN');
    expect(admin?.role).toBe('T2_ADMIN');
    expect(await database.db.operator.count({ where: { tokenHash: 'dev-super-admin' } })).toBe(0);
  });

  it('is idempotent: a second run inserts nothing and changes no counts', async () => {
    const before = await countAll();
    const again = await seedDemoData(database.db, { env: 'development' });
    expect(again.inserted).toBe(0);
    expect(await countAll()).toEqual(before);
  });

  it('never undoes a change made after seeding (a moved item stays moved)', async () => {
    const user = await database.db.clientUser.findFirstOrThrow({ where: { clientId: seedId('client/Dune & Finch') } });
    const otherSite = await database.db.site.findFirstOrThrow({ where: { id: { not: user.siteId } } });
    await database.db.clientUser.update({ where: { id: user.id }, data: { siteId: otherSite.id } });
    await seedDemoData(database.db, { env: 'development' });
    expect((await database.db.clientUser.findUniqueOrThrow({ where: { id: user.id } })).siteId).toBe(otherSite.id);
    await database.db.clientUser.update({ where: { id: user.id }, data: { siteId: user.siteId } });
  });

  it('refuses to run in production', async () => {
    await expect(seedDemoData(database.db, { env: 'production' })).rejects.toThrow(
      /never runs with NODE_ENV=production/,
    );
  });
});

describe('constraints', () => {
  const someNumber = () => database.db.phoneNumber.findFirstOrThrow();

  it('reject a duplicate phone number', async () => {
    const existing = await someNumber();
    await expect(
      database.db.phoneNumber.create({
        data: { number: existing.number, clientId: existing.clientId, siteId: existing.siteId },
      }),
    ).rejects.toMatchObject({ code: 'P2002' });
  });

  it('reject a phone number that is not E.164', async () => {
    const existing = await someNumber();
    await expect(
      database.db.phoneNumber.create({
        data: { number: '020 7946 0000', clientId: existing.clientId, siteId: existing.siteId },
      }),
    ).rejects.toThrow(/phone_number_e164/);
  });

  it('reject a client whose tariff belongs to another site', async () => {
    const client = await database.db.client.findFirstOrThrow();
    const foreignTariff = await database.db.tariff.findFirstOrThrow({ where: { siteId: { not: client.siteId } } });
    await expect(
      database.db.client.update({ where: { id: client.id }, data: { tariffId: foreignTariff.id } }),
    ).rejects.toThrow();
  });

  it('reject a second active move for the same client', async () => {
    const client = await database.db.client.findFirstOrThrow({ include: { site: true } });
    const destination = await database.db.site.findFirstOrThrow({ where: { id: { not: client.siteId } } });
    const tariff = await database.db.tariff.findFirstOrThrow({ where: { siteId: destination.id } });
    const bundle = await database.db.minuteBundle.findFirstOrThrow({ where: { siteId: destination.id } });
    const operator = await database.db.operator.findFirstOrThrow();
    const move = () =>
      database.db.clientSiteMove.create({
        data: {
          clientId: client.id,
          requestedById: operator.id,
          sourceSiteId: client.siteId,
          destinationSiteId: destination.id,
          tariffId: tariff.id,
          minuteBundleId: bundle.id,
          moveNow: true,
          scheduledFor: new Date(),
          workflowId: `wf-${client.id}`,
        },
      });
    const first = await move();
    await expect(move()).rejects.toMatchObject({ code: 'P2002' });
    await database.db.clientSiteMove.delete({ where: { id: first.id } });
  });

  it('reject a move whose destination is its source', async () => {
    const client = await database.db.client.findFirstOrThrow();
    const operator = await database.db.operator.findFirstOrThrow();
    await expect(
      database.db.clientSiteMove.create({
        data: {
          clientId: client.id,
          requestedById: operator.id,
          sourceSiteId: client.siteId,
          destinationSiteId: client.siteId,
          tariffId: client.tariffId,
          minuteBundleId: client.minuteBundleId,
          moveNow: true,
          scheduledFor: new Date(),
          workflowId: 'wf-same-site',
        },
      }),
    ).rejects.toThrow(/client_site_move_changes_site/);
  });
});
