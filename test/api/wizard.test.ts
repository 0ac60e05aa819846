// The wizard's reads over the demo seed: sites, clients, the first step's choices and the three
// review steps. Responses are checked against the same schemas the OpenAPI document shows.
import { randomUUID } from 'node:crypto';
import { ClientsResponse, MoveOptionsResponse, MovePreviewResponse, SitesResponse } from '../../src/api/schemas';
import { moveWorkflowId } from '../../src/domain/move';
import {
  ADMIN,
  PROBLEM,
  SUPER_ADMIN_ID,
  api,
  bundleIdOf,
  clientIdOf,
  siteIdOf,
  spaceIdOf,
  startApiHarness,
  tariffIdOf,
  type ApiHarness,
} from './harness';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'unreachable' });
});
afterAll(() => harness.close());

// Reads are open to any operator: these run as the T2_ADMIN.
const get = (path: string) => api(harness.app, ADMIN).get(path);

it('GET /api/sites lists the sites by name', async () => {
  const sites = SitesResponse.parse((await get('/api/sites').expect(200)).body);
  expect(sites.items.map((s) => s.code)).toEqual(['AMS-ZUI', 'BRS-TQY', 'LDS-WEL', 'LDN-SHO', 'MAN-SPF']);
});

describe('GET /api/clients', () => {
  it('lists clients by name with their site, tariff and bundle', async () => {
    const clients = ClientsResponse.parse((await get('/api/clients').expect(200)).body);
    expect(clients.page).toEqual({ limit: 20, offset: 0, total: await harness.db.client.count(), nextOffset: null });
    expect(clients.items[0]).toMatchObject({
      name: 'Acme Analytics Ltd',
      status: 'ACTIVE',
      site: { code: 'LDN-SHO' },
      tariff: { name: 'Enterprise' },
      minuteBundle: { name: '10,000 minutes' },
    });
    // A minute bundle is optional.
    expect(clients.items.find((c) => c.name === 'Gale & Moss')?.minuteBundle).toBeNull();
  });

  it('filters by site and pages', async () => {
    const manchester = ClientsResponse.parse((await get(`/api/clients?siteId=${siteIdOf('MAN-SPF')}`)).body);
    expect(manchester.items.map((c) => c.name)).toEqual(['Cobalt Legal LLP', 'Evergreen Health']);
    const page = ClientsResponse.parse((await get('/api/clients?limit=2&offset=2')).body);
    expect(page.items.map((c) => c.name)).toEqual(['Cobalt Legal LLP', 'Dune & Finch']);
    expect(page.page.nextOffset).toBe(4);
  });

  it('400 for a malformed site id', async () => {
    const res = await get('/api/clients?siteId=MAN');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: `${PROBLEM}validation-failed`, errors: [{ field: 'siteId' }] });
  });
});

describe('GET /api/clients/:clientId/site-move/options', () => {
  it('offers every other site with its tariffs, bundles and vacant spaces, and the T2 contacts', async () => {
    const options = MoveOptionsResponse.parse(
      (await get(`/api/clients/${clientIdOf('Evergreen Health')}/site-move/options`).expect(200)).body,
    );
    expect(options.client).toMatchObject({ name: 'Evergreen Health', site: { code: 'MAN-SPF' } });
    expect(options.activeMoveId).toBeNull();
    expect(options.destinations.map((d) => d.site.code)).toEqual(['AMS-ZUI', 'BRS-TQY', 'LDS-WEL', 'LDN-SHO']);
    for (const d of options.destinations) {
      expect(d.tariffs.map((t) => t.name)).toEqual(['Standard', 'Premium', 'Enterprise']);
      expect(d.minuteBundles.map((b) => b.minutes)).toEqual([500, 2_000, 10_000]);
    }
    const london = options.destinations.find((d) => d.site.code === 'LDN-SHO')!;
    // Spaces 1 to 3 are Acme's and 4 is Brightwave's.
    const occupied = [1, 2, 3, 4].map((n) => spaceIdOf('LDN-SHO', n));
    expect(london.vacantSpaces).toHaveLength(8);
    for (const id of occupied) expect(london.vacantSpaces.map((s) => s.id)).not.toContain(id);
    expect(options.notifyContacts.map((c) => c.email).sort()).toEqual(['admin@t2.example', 'super.admin@t2.example']);
  });

  it("stops offering a space another client's scheduled move has been promised, and names a client's own active move", async () => {
    const clientId = clientIdOf('Dune & Finch');
    const move = await harness.db.clientSiteMove.create({
      data: {
        clientId,
        requestedById: SUPER_ADMIN_ID,
        sourceSiteId: siteIdOf('BRS-TQY'),
        destinationSiteId: siteIdOf('LDN-SHO'),
        tariffId: tariffIdOf('LDN-SHO', 'Standard'),
        minuteBundleId: bundleIdOf('LDN-SHO', '500 minutes'),
        moveNow: false,
        scheduledFor: new Date(Date.now() + 86_400_000),
        workflowId: moveWorkflowId(clientId),
        spaces: { create: [{ spaceId: spaceIdOf('LDN-SHO', 5), role: 'TARGET' }] },
      },
    });
    try {
      const evergreen = MoveOptionsResponse.parse(
        (await get(`/api/clients/${clientIdOf('Evergreen Health')}/site-move/options`)).body,
      );
      const london = evergreen.destinations.find((d) => d.site.code === 'LDN-SHO')!;
      expect(london.vacantSpaces.map((s) => s.id)).not.toContain(spaceIdOf('LDN-SHO', 5));
      expect(london.vacantSpaces).toHaveLength(7);
      const dune = MoveOptionsResponse.parse((await get(`/api/clients/${clientId}/site-move/options`)).body);
      expect(dune.activeMoveId).toBe(move.id);
    } finally {
      await harness.db.clientSiteMove.delete({ where: { id: move.id } });
    }
  });

  it('404 for an unknown client, 400 for a malformed id', async () => {
    const missing = await get(`/api/clients/${randomUUID()}/site-move/options`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ type: `${PROBLEM}client-not-found` });
    const malformed = await get('/api/clients/evergreen/site-move/options');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ errors: [{ field: 'clientId' }] });
  });
});

describe('GET /api/clients/:clientId/site-move/preview', () => {
  const preview = async (query = '') =>
    MovePreviewResponse.parse(
      (await get(`/api/clients/${clientIdOf('Evergreen Health')}/site-move/preview${query}`).expect(200)).body,
    );

  it('lists the users, phone numbers (flagging blocked ones) and live services, with counts', async () => {
    const p = await preview();
    expect(p.client.name).toBe('Evergreen Health');
    expect({
      users: p.users.count,
      numbers: p.phoneNumbers.count,
      blocked: p.phoneNumbers.blocked,
      services: p.services.count,
    }).toEqual({ users: 120, numbers: 80, blocked: 1, services: 20 });
    expect(p.users.items).toHaveLength(120);
    expect(p.phoneNumbers.items.filter((n) => n.status === 'BLOCKED')).toHaveLength(1);
    expect(p.services.items).toHaveLength(20);
  });

  it('pages each list while the counts stay totals', async () => {
    const p = await preview('?limit=10&offset=115');
    expect([p.users.items.length, p.phoneNumbers.items.length, p.services.items.length]).toEqual([5, 0, 0]);
    expect(p.users.count).toBe(120);
  });

  it('leaves decommissioned services out: they do not move', async () => {
    const service = await harness.db.service.findFirstOrThrow({ where: { clientId: clientIdOf('Evergreen Health') } });
    await harness.db.service.update({
      where: { id: service.id },
      data: { status: 'DECOMMISSIONED', decommissionedAt: new Date() },
    });
    try {
      const p = await preview();
      expect(p.services.count).toBe(19);
      expect(p.services.items.map((s) => s.id)).not.toContain(service.id);
    } finally {
      await harness.db.service.update({
        where: { id: service.id },
        data: { status: 'ACTIVE', decommissionedAt: null },
      });
    }
  });

  it('404 for an unknown client', async () => {
    expect((await get(`/api/clients/${randomUUID()}/site-move/preview`)).status).toBe(404);
  });
});

it('GET /api/sites/:siteId/dashboard/tasks: 404 for an unknown site', async () => {
  const res = await get(`/api/sites/${randomUUID()}/dashboard/tasks`);
  expect(res.status).toBe(404);
  expect(res.body).toMatchObject({ type: `${PROBLEM}site-not-found` });
});
