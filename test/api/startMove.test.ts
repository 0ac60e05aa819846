// POST /api/client-site-moves that starts a move, against real PostgreSQL and a real Temporal dev
// server (no worker: the workflows start and wait): what a start records and starts, racing starts
// for one client, and a start Temporal refuses.
import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { MoveSchema } from '../../src/api/schemas';
import { moveWorkflowId, type ClientSiteMoveInput } from '../../src/domain/move';
import {
  ClientIdKey,
  DestinationSiteIdKey,
  MoveIdKey,
  MovePhaseKey,
  SourceSiteIdKey,
} from '../../src/workflows/searchAttributes';
import {
  ADMIN_ID,
  SUPER,
  SUPER_ADMIN_ID,
  anyString,
  api,
  clientIdOf,
  eventually,
  expectProblem,
  footprint as footprintOf,
  inOneDay,
  objectContaining,
  siteIdOf,
  spaceIdOf,
  startApiHarness,
  startBody,
  type ApiHarness,
} from './harness';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'dev-server' });
});
afterAll(() => harness.close());

const post = (body: object, token = SUPER) => api(harness.app, token).post('/api/client-site-moves', body);
const footprint = () => footprintOf(harness.db);

describe('a valid start', () => {
  // Each test reads what this one start made, so any one of them runs alone.
  const moveAt = inOneDay();
  let res: Awaited<ReturnType<typeof post>>;
  let move: ReturnType<typeof MoveSchema.parse>;
  beforeAll(async () => {
    res = await post(
      startBody('Dune & Finch', 'LDN-SHO', { spaceIds: [spaceIdOf('LDN-SHO', 5)], moveAt, notifyOperatorId: ADMIN_ID }),
    );
    move = MoveSchema.parse(res.body);
  });

  it('answers 201 with the move and its Location', () => {
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/client-site-moves/${move.id}`);
    expect(move).toMatchObject({
      status: 'SCHEDULED',
      workflowId: moveWorkflowId(clientIdOf('Dune & Finch')),
      runId: anyString(),
      moveNow: false,
      scheduledFor: moveAt,
      client: { name: 'Dune & Finch' },
      sourceSite: { code: 'BRS-TQY' },
      destinationSite: { code: 'LDN-SHO' },
      spaces: [{ id: spaceIdOf('LDN-SHO', 5) }],
      notifyOperator: { id: ADMIN_ID },
      requestedBy: { id: SUPER_ADMIN_ID },
    });
  });

  it('records the move row, its TARGET spaces and who asked for it', async () => {
    const row = await harness.db.clientSiteMove.findUniqueOrThrow({
      where: { id: move.id },
      include: { spaces: true },
    });
    expect(row).toMatchObject({ status: 'SCHEDULED', workflowId: move.workflowId, runId: move.runId });
    expect(row.spaces).toEqual([{ moveId: move.id, spaceId: spaceIdOf('LDN-SHO', 5), role: 'TARGET' }]);
    const audit = await harness.db.auditEntry.findMany({ where: { moveId: move.id } });
    expect(audit).toEqual([objectContaining({ action: 'MOVE_REQUESTED', actorOperatorId: SUPER_ADMIN_ID })]);
  });

  it('starts workflow clientSiteMove with the input, search attributes and memo', async () => {
    const handle = harness.temporal.workflow.getHandle(move.workflowId, move.runId!);
    const described = await handle.describe();
    expect(described).toMatchObject({
      type: 'clientSiteMove',
      taskQueue: harness.taskQueue,
      status: { name: 'RUNNING' },
    });
    const attrs = described.typedSearchAttributes;
    expect({
      clientId: attrs.get(ClientIdKey),
      moveId: attrs.get(MoveIdKey),
      source: attrs.get(SourceSiteIdKey),
      destination: attrs.get(DestinationSiteIdKey),
      phase: attrs.get(MovePhaseKey),
    }).toEqual({
      clientId: clientIdOf('Dune & Finch'),
      moveId: move.id,
      source: siteIdOf('BRS-TQY'),
      destination: siteIdOf('LDN-SHO'),
      phase: 'SCHEDULED',
    });
    expect(described.memo).toEqual({ clientName: 'Dune & Finch', moveId: move.id });
    const history = await handle.fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const input = defaultPayloadConverter.fromPayload<ClientSiteMoveInput>(payload!);
    expect(input).toEqual({
      moveId: move.id,
      clientId: clientIdOf('Dune & Finch'),
      clientName: 'Dune & Finch',
      sourceSiteId: siteIdOf('BRS-TQY'),
      destinationSiteId: siteIdOf('LDN-SHO'),
      siteTimeZone: 'Europe/London',
      scheduledFor: move.scheduledFor,
      moveNow: false,
      notify: true,
      batchSize: 50,
      decisionTimeout: '24 hours',
      outageWindow: '30 minutes',
      emailDeliveryWindow: '24 hours',
      moveMaxAhead: '365 days',
      preflightLead: '1 hour',
    });
  });

  it('shows the client as "Active - move scheduled" with a task at the destination as soon as it answers (no worker here)', async () => {
    // No worker polls this queue: whatever shows here, the start itself wrote.
    const client = await api(harness.app).get(`/api/clients?siteId=${siteIdOf('BRS-TQY')}`);
    expect((client.body as { items: { id: string; status: string }[] }).items).toContainEqual(
      objectContaining({ id: clientIdOf('Dune & Finch'), status: 'ACTIVE_MOVE_SCHEDULED' }),
    );
    const tasks = await api(harness.app).get(`/api/sites/${siteIdOf('LDN-SHO')}/dashboard/tasks?open=true`);
    expect((tasks.body as { items: unknown[] }).items).toEqual([
      objectContaining({
        moveId: move.id,
        phase: 'SCHEDULED',
        open: true,
        title: 'Client site move: Dune & Finch to London Shoreditch',
        progress: objectContaining({ phase: 'SCHEDULED', scheduledFor: move.scheduledFor, currentStep: 'WAITING' }),
      }),
    ]);
  });

  it('serves the move from the database when the workflow does not answer (no worker here)', async () => {
    const res = await api(harness.app).get(`/api/client-site-moves/${move.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: move.id,
      status: 'SCHEDULED',
      progressSource: 'database',
      progress: { phase: 'SCHEDULED', scheduledFor: move.scheduledFor, email: { state: 'PENDING' } },
    });
  });

  it('refuses a second move for the client: 409 naming the active move', async () => {
    const before = await footprint();
    const res = await post(startBody('Dune & Finch', 'MAN-SPF'));
    expectProblem(res, 409, 'active-move-exists');
    expect(res.body).toMatchObject({ activeMoveId: move.id });
    expect(await footprint()).toEqual(before);
  });

  it('answers "now" with a move-now scheduled for the time of the request', async () => {
    const before = Date.now();
    const res = await post(startBody('Cobalt Legal LLP', 'LDS-WEL', { moveAt: 'now' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ moveNow: true, status: 'SCHEDULED' });
    const at = Date.parse((res.body as { scheduledFor: string }).scheduledFor);
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(Date.now());
  });
});

describe('the minute bundle is optional', () => {
  it('starts a move with none, for a client that has none (Gale & Moss)', async () => {
    const res = await post(startBody('Gale & Moss', 'LDN-SHO', { minuteBundleId: null, moveAt: inOneDay() }));
    expect(res.status).toBe(201);
    const row = await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: MoveSchema.parse(res.body).id } });
    expect(row.minuteBundleId).toBeNull();
  });
});

describe('racing starts for one client', () => {
  it('give exactly one 201; the others 409, and one row and one workflow exist', async () => {
    const clientId = clientIdOf('Evergreen Health');
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => post(startBody('Evergreen Health', 'LDS-WEL', { moveAt: inOneDay() }))),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const r of responses.filter((r) => r.status === 409)) expectProblem(r, 409, 'active-move-exists');
    const rows = await harness.db.clientSiteMove.findMany({ where: { clientId } });
    expect(rows).toHaveLength(1);
    const described = await harness.temporal.workflow.getHandle(moveWorkflowId(clientId)).describe();
    expect(described.runId).toBe(rows[0]!.runId);
  });

  it('to two sites (no lock in common): the one that loses at the insert is told 409, not 500', async () => {
    const clientId = clientIdOf('Brightwave Studios');
    // Both starts pass their checks, then wait at the insert for the client row (its foreign key), so
    // the second meets the first's row in the one-active-move index: PostgreSQL's unique violation.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    const holder = harness.db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM client WHERE id = ${clientId}::uuid FOR UPDATE`;
        held = true;
        await released;
      },
      { timeout: 60_000 },
    );
    await eventually(() => Promise.resolve(held ? true : undefined), { what: 'the client row to be held' });
    const responses = Promise.all(
      ['MAN-SPF', 'BRS-TQY'].map((site) => post(startBody('Brightwave Studios', site, { moveAt: inOneDay() }))),
    );
    await eventually(async () => ((await backendsWaitingOnLocks()) >= 2 ? true : undefined), {
      what: 'both starts to wait at their insert',
    });
    release();
    await holder;
    const answered = await responses;
    expect(answered.map((r) => r.status).sort()).toEqual([201, 409]);
    expectProblem(
      answered.find((r) => r.status === 409)!,
      409,
      'active-move-exists',
    );
    expect(await harness.db.clientSiteMove.count({ where: { clientId } })).toBe(1);
  });
});

async function backendsWaitingOnLocks(): Promise<number> {
  const [row] = await harness.db.$queryRaw<{ waiting: number }[]>`
    SELECT count(*)::int AS waiting FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock'`;
  return row?.waiting ?? 0;
}

describe('Temporal refuses the start', () => {
  it('409 when a workflow for the client already runs; the move row is removed again', async () => {
    const clientId = clientIdOf('Acme Analytics Ltd');
    // Started outside the API (e.g. by hand in Temporal), on a queue no worker polls.
    const squatter = await harness.temporal.workflow.start('clientSiteMove', {
      taskQueue: `nobody-${randomUUID()}`,
      workflowId: moveWorkflowId(clientId),
      args: [{}],
    });
    try {
      const before = await footprint();
      const res = await post(startBody('Acme Analytics Ltd', 'BRS-TQY'));
      expectProblem(res, 409, 'workflow-already-running');
      expect(res.body).toMatchObject({ workflowId: moveWorkflowId(clientId) });
      expect(await footprint()).toEqual(before);
    } finally {
      await squatter.terminate('test over');
    }
  });
});
