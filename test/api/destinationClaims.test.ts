// What a start promises at its destination, against real PostgreSQL and a real dev server (no worker:
// the workflows start and wait): a space nobody holds, the moving client included; a client name the
// destination does not have and is not about to receive; and each of them to one start only, when
// starts for different clients race.
import { MoveSchema } from '../../src/api/schemas';
import {
  PROBLEM,
  anyString,
  api,
  bundleIdOf,
  clientIdOf,
  siteIdOf,
  spaceIdOf,
  startApiHarness,
  startBody,
  stringMatching,
  tariffIdOf,
  type ApiHarness,
  type StartBody,
} from './harness';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'dev-server' });
});
afterAll(() => harness.close());

const inOneDay = () => new Date(Date.now() + 86_400_000).toISOString();
const post = (body: StartBody) => api(harness.app).post('/api/client-site-moves', body);

/** A client of its own at a site, on that site's Standard tariff and 500-minute bundle. */
async function createClient(name: string, siteCode: string): Promise<string> {
  const client = await harness.db.client.create({
    data: {
      name,
      siteId: siteIdOf(siteCode),
      tariffId: tariffIdOf(siteCode, 'Standard'),
      minuteBundleId: bundleIdOf(siteCode, '500 minutes'),
    },
  });
  return client.id;
}

/** A start for any client (demo or not) to a site, at a time a day from now. */
function bodyFor(clientId: string, toSite: string, overrides: Partial<StartBody> = {}): StartBody {
  return { ...startBody('Acme Analytics Ltd', toSite, { moveAt: inOneDay() }), clientId, ...overrides };
}

const problemOf = (res: { status: number; body: unknown }) => ({
  status: res.status,
  type: (res.body as { type?: string }).type,
  errors: (res.body as { errors?: unknown }).errors,
});

describe('spaces', () => {
  it('422 for a destination space the moving client itself already occupies', async () => {
    // Brightwave (LDN-SHO) holds a Manchester suite too: rolling a move back would release it.
    const space = spaceIdOf('MAN-SPF', 9);
    await harness.db.space.update({ where: { id: space }, data: { clientId: clientIdOf('Brightwave Studios') } });
    try {
      const res = await post(startBody('Brightwave Studios', 'MAN-SPF', { spaceIds: [space] }));
      expect(problemOf(res)).toEqual({
        status: 422,
        type: `${PROBLEM}space-occupied`,
        errors: [
          {
            field: 'spaceIds.0',
            item: { kind: 'SPACE', id: space, label: anyString() },
            message: stringMatching(/occupied by Brightwave Studios already/),
          },
        ],
      });
      expect(await harness.db.clientSiteMove.count()).toBe(0);
    } finally {
      await harness.db.space.update({ where: { id: space }, data: { clientId: null } });
    }
  });

  it('racing starts for different clients promising one space: one 201, the others 422', async () => {
    const space = spaceIdOf('LDS-WEL', 10);
    // Clients of their own, so the demo clients stay free for the tests below.
    const clients = await Promise.all(
      ['LDN-SHO', 'LDN-SHO', 'MAN-SPF', 'MAN-SPF', 'BRS-TQY'].map((site, i) => createClient(`Racer ${i + 1}`, site)),
    );
    const responses = await Promise.all(clients.map((c) => post(bodyFor(c, 'LDS-WEL', { spaceIds: [space] }))));
    expect(responses.map((r) => r.status).sort()).toEqual([201, 422, 422, 422, 422]);
    for (const loser of responses.filter((r) => r.status === 422)) {
      expect(problemOf(loser)).toEqual({
        status: 422,
        type: `${PROBLEM}space-occupied`,
        errors: [
          {
            field: 'spaceIds.0',
            item: { kind: 'SPACE', id: space, label: anyString() },
            message: stringMatching(/promised to another scheduled move/),
          },
        ],
      });
    }
    const winner = MoveSchema.parse(responses.find((r) => r.status === 201)!.body);
    const promises = await harness.db.clientSiteMoveSpace.findMany({ where: { spaceId: space } });
    expect(promises).toEqual([{ moveId: winner.id, spaceId: space, role: 'TARGET' }]);
    expect(await harness.db.clientSiteMove.count()).toBe(1);
  });
});

describe('client names (unique per site)', () => {
  it('422 when the destination already has a client of the same name', async () => {
    const namesake = await createClient('Brightwave Studios', 'BRS-TQY');
    try {
      const before = await harness.db.clientSiteMove.count();
      const res = await post(startBody('Brightwave Studios', 'BRS-TQY', { moveAt: inOneDay() }));
      expect(problemOf(res)).toEqual({
        status: 422,
        type: `${PROBLEM}client-name-taken`,
        errors: [
          {
            field: 'destinationSiteId',
            item: { kind: 'CLIENT', id: namesake, label: 'Brightwave Studios' },
            message: 'already has a client named Brightwave Studios',
          },
        ],
      });
      expect(res.body).toMatchObject({ detail: stringMatching(/Bristol Temple Quay already has a client named/) });
      expect(await harness.db.clientSiteMove.count()).toBe(before);
    } finally {
      await harness.db.client.delete({ where: { id: namesake } });
    }
  });

  it('422 when another move is bringing a client of the same name to the destination', async () => {
    const first = await createClient('Harbour & Co', 'LDS-WEL');
    const second = await createClient('Harbour & Co', 'BRS-TQY');
    expect((await post(bodyFor(first, 'MAN-SPF'))).status).toBe(201);
    const res = await post(bodyFor(second, 'MAN-SPF'));
    expect(problemOf(res)).toEqual({
      status: 422,
      type: `${PROBLEM}client-name-taken`,
      errors: [
        {
          field: 'destinationSiteId',
          item: { kind: 'CLIENT', id: first, label: 'Harbour & Co' },
          message: 'is the destination of another move of a client named Harbour & Co',
        },
      ],
    });
    // Anywhere else is fine.
    expect((await post(bodyFor(second, 'LDN-SHO'))).status).toBe(201);
  });

  it('racing starts of two clients of the same name to one site: one 201, one 422', async () => {
    const a = await createClient('Quay Partners', 'LDS-WEL');
    const b = await createClient('Quay Partners', 'BRS-TQY');
    const responses = await Promise.all([post(bodyFor(a, 'MAN-SPF')), post(bodyFor(b, 'MAN-SPF'))]);
    expect(responses.map((r) => r.status).sort()).toEqual([201, 422]);
    const loser = responses.find((r) => r.status === 422)!;
    expect(problemOf(loser)).toMatchObject({ type: `${PROBLEM}client-name-taken` });
  });
});
