// Who is signed in (GET /api/me) and how to sign in (GET /api/sign-in-options): the web app's two
// session routes. Demo operators are offered only when development machinery hands them over, and
// never in production.
import request from 'supertest';
import { MeResponse, SignInOptionsResponse } from '../../src/api/schemas';
import { DEMO_OPERATORS } from '../../src/dev/seed';
import { ADMIN, ADMIN_ID, PROBLEM, SUPER, SUPER_ADMIN_ID, api, startApiHarness, type ApiHarness } from './harness';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'unreachable' });
});
afterAll(() => harness.close());

describe('GET /api/me', () => {
  it("names the token's operator and role", async () => {
    const superAdmin = MeResponse.parse((await api(harness.app, SUPER).get('/api/me').expect(200)).body);
    expect(superAdmin).toEqual({
      id: SUPER_ADMIN_ID,
      name: 'Sam Super (demo)',
      email: 'super.admin@t2.example',
      role: 'T2_SUPER_ADMIN',
    });
    const admin = MeResponse.parse((await api(harness.app, ADMIN).get('/api/me').expect(200)).body);
    expect(admin).toMatchObject({ id: ADMIN_ID, role: 'T2_ADMIN' });
  });

  it('401 without a valid token', async () => {
    const res = await api(harness.app, 'not-a-token').get('/api/me');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ type: `${PROBLEM}unauthorized` });
  });
});

describe('GET /api/sign-in-options', () => {
  const options = async (app: Parameters<typeof request>[0]) =>
    SignInOptionsResponse.parse((await request(app).get('/api/sign-in-options').expect(200)).body);

  it('offers no demo operator unless the process that runs the API hands them over', async () => {
    expect(await options(harness.app)).toEqual({ demoOperators: [] });
  });

  it('lists the demo operators in development: name, role and token, nothing else', async () => {
    const res = await request(harness.appServing({ env: 'development', demoOperators: DEMO_OPERATORS }))
      .get('/api/sign-in-options')
      .expect(200);
    expect(res.body).toEqual({
      demoOperators: [
        { name: 'Sam Super (demo)', role: 'T2_SUPER_ADMIN', token: SUPER },
        { name: 'Alex Admin (demo)', role: 'T2_ADMIN', token: ADMIN },
      ],
    });
  });

  it('never lists them in production, even when handed some', async () => {
    expect(await options(harness.appServing({ env: 'production', demoOperators: DEMO_OPERATORS }))).toEqual({
      demoOperators: [],
    });
  });
});
