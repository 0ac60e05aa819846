// A move started through the API carries its summary and details to Temporal, so Temporal Web shows
// who moves where and when, and the wizard's choices, without opening JSON. Real API, PostgreSQL and
// Temporal dev server; no worker (the workflow need not run for its start metadata).
import { formatMoveTime } from '../../src/domain/moveSummary';
import { ADMIN_ID, api, siteIdOf, spaceIdOf, startApiHarness, startBody, type ApiHarness } from './harness';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'dev-server' });
});
afterAll(() => harness.close());

it('a scheduled move’s workflow has its summary and details in Temporal', async () => {
  const moveAt = new Date(Date.now() + 3 * 60 * 60 * 1000);
  moveAt.setUTCSeconds(0, 0);
  const started = await api(harness.app).post(
    '/api/client-site-moves',
    startBody('Brightwave Studios', 'MAN-SPF', {
      moveAt: moveAt.toISOString(),
      spaceIds: [spaceIdOf('MAN-SPF', 9)],
      notifyOperatorId: ADMIN_ID,
    }),
  );
  expect(started.status).toBe(201);
  const move = await harness.db.clientSiteMove.findUniqueOrThrow({
    where: { id: (started.body as { id: string }).id },
    include: { client: true, sourceSite: true, tariff: true, minuteBundle: true, notifyOperator: true },
  });
  const destination = await harness.db.site.findUniqueOrThrow({ where: { id: siteIdOf('MAN-SPF') } });
  const space = await harness.db.space.findUniqueOrThrow({ where: { id: spaceIdOf('MAN-SPF', 9) } });

  const description = await harness.temporal.workflow.getHandle(move.workflowId).describe();
  expect(await description.staticSummary()).toBe(
    `Brightwave Studios: ${move.sourceSite.name} → ${destination.name}, scheduled ${formatMoveTime(moveAt.toISOString(), destination.timeZone)}`,
  );
  const details = await description.staticDetails();
  expect(details).toContain(`**Tariff** ${move.tariff.name} · **Minute bundle** ${move.minuteBundle?.name ?? 'none'}`);
  expect(details).toContain(`**Spaces** ${space.name}`);
  expect(details).toContain(`**Outcome email** ${move.notifyOperator!.name}`);
  expect(details).toContain(`GET /api/client-site-moves/${move.id}`);
});
