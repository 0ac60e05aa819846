// Idempotency-Key on POST /api/client-site-moves: the same key and body give the same move (also ten
// requests at once), another body with the key is refused, keys are per operator, and a move whose
// start has not finished holds its key. Real PostgreSQL and Temporal.
import { createOperator } from '../../src/api/operators';
import { moveWorkflowId } from '../../src/domain/move';
import { requestFingerprint } from '../../src/moveService/idempotency';
import {
  SUPER,
  SUPER_ADMIN_ID,
  api,
  bundleIdOf,
  clientIdOf,
  expectProblem,
  inOneDay,
  siteIdOf,
  spaceIdOf,
  startApiHarness,
  startBody,
  tariffIdOf,
  type ApiHarness,
} from './harness';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'dev-server' });
});
afterAll(() => harness.close());

const post = (body: object, token = SUPER) => api(harness.app, token).post('/api/client-site-moves', body);

describe('Idempotency-Key', () => {
  const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const body = () => startBody('Brightwave Studios', 'BRS-TQY', { moveAt: inAMonth });

  it('returns the same move for the same key and body, and makes one', async () => {
    const first = await post(body()).set('Idempotency-Key', 'wizard-finish-1');
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post(body()).set('Idempotency-Key', 'wizard-finish-1');
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.body).toEqual(first.body);
    expect(await harness.db.clientSiteMove.count({ where: { clientId: clientIdOf('Brightwave Studios') } })).toBe(1);
  });

  it('refuses the same key with a different body: 422, naming the move the key made', async () => {
    const first = await post(body()).set('Idempotency-Key', 'wizard-finish-1');
    const other = await post({ ...body(), moveAt: new Date(Date.parse(inAMonth) + 86_400_000).toISOString() }).set(
      'Idempotency-Key',
      'wizard-finish-1',
    );
    expectProblem(other, 422, 'idempotency-key-reused');
    expect(other.body).toMatchObject({ moveId: (first.body as { id: string }).id });
  });

  it('keeps keys per operator', async () => {
    const second = await createOperator(harness.db, {
      name: 'Second Super',
      email: 'second@t2.example',
      role: 'T2_SUPER_ADMIN',
    });
    // Same key, other operator: not a replay, so the client's active move is what stops it.
    const res = await post(body(), second.token).set('Idempotency-Key', 'wizard-finish-1');
    expectProblem(res, 409, 'active-move-exists');
  });
});

describe('the same Idempotency-Key sent ten times at once', () => {
  it('makes one move: one 201, the others its replay or 409 idempotent-request-in-progress', async () => {
    // With a space: a request that checked it after the first had taken it would be told space-occupied.
    const body = startBody('Acme Analytics Ltd', 'BRS-TQY', {
      moveAt: inOneDay(),
      spaceIds: [spaceIdOf('BRS-TQY', 7)],
    });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        post(body)
          .set('Idempotency-Key', 'double-click')
          .then((res) => res),
      ),
    );
    const made = answers.filter((res) => res.status === 201 && res.headers['idempotent-replayed'] === undefined);
    expect(made).toHaveLength(1);
    const moveId = (made[0]!.body as { id: string }).id;
    for (const res of answers.filter((other) => other !== made[0])) {
      if (res.status === 201) {
        expect(res.headers['idempotent-replayed']).toBe('true');
        expect((res.body as { id: string }).id).toBe(moveId);
      } else {
        expectProblem(res, 409, 'idempotent-request-in-progress');
      }
    }
    expect(await harness.db.clientSiteMove.count({ where: { clientId: body.clientId } })).toBe(1);
  });
});

describe('a move whose start has not finished (no run id yet)', () => {
  it('is read from the database, takes no decisions, and holds its Idempotency-Key', async () => {
    // A client of its own, with nothing else going on.
    const client = await harness.db.client.create({
      data: {
        name: 'Zephyr Lettings',
        siteId: siteIdOf('LDN-SHO'),
        tariffId: tariffIdOf('LDN-SHO', 'Standard'),
        minuteBundleId: bundleIdOf('LDN-SHO', '500 minutes'),
      },
    });
    const body = { ...startBody('Zephyr Lettings', 'LDS-WEL'), clientId: client.id };
    const row = await harness.db.clientSiteMove.create({
      data: {
        clientId: body.clientId,
        requestedById: SUPER_ADMIN_ID,
        sourceSiteId: siteIdOf('LDN-SHO'),
        destinationSiteId: body.destinationSiteId,
        tariffId: body.tariffId,
        minuteBundleId: body.minuteBundleId,
        moveNow: true,
        scheduledFor: new Date(),
        workflowId: moveWorkflowId(body.clientId),
        idempotencyKey: 'in-flight',
        requestFingerprint: requestFingerprint({ ...body, spaceIds: [] }),
      },
    });
    // Temporal is up, but the workflow id alone could name another of the client's moves: not asked.
    const read = await api(harness.app).get(`/api/client-site-moves/${row.id}`);
    expect(read.body).toMatchObject({ runId: null, progressSource: 'database', progress: null });
    const cancel = await api(harness.app).post(`/api/client-site-moves/${row.id}/cancel`, { reason: 'x' });
    expectProblem(cancel, 409, 'phase-does-not-allow');
    const replay = await post(body).set('Idempotency-Key', 'in-flight');
    expectProblem(replay, 409, 'idempotent-request-in-progress');
    expect(replay.headers['retry-after']).toBe('1');
    expect(replay.body).toMatchObject({ moveId: row.id });
  });
});
