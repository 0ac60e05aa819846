// A start whose outcome Temporal left unknown (503 start-outcome-unknown) keeps its move, which holds
// the client and its destination spaces. A periodic sweep settles such moves as soon as Temporal
// answers again (safe with several API instances at once), and a cancel of one settles it too. Closed
// as CANCELLED, it emails its T2 contact like any final move. Real PostgreSQL, a real dev server and
// worker, the real mailer against the mail sink, and a real client that loses chosen calls.
import type { Express } from 'express';
import pino from 'pino';
import { outcomeEmailKey } from '../../src/domain/move';
import { UNSTARTED_GRACE_MS } from '../../src/moveService/settleUnstartedMove';
import { DEFAULT_TEMPORAL_TIMEOUTS } from '../../src/moveService/temporal';
import { startUnstartedSweep, type UnstartedSweep } from '../../src/moveService/unstartedSweep';
import { ADMIN_EMAIL, ADMIN_ID } from '../support/moveFixtures';
import { connectFaultyTemporal, type Fault, type FaultyTemporal } from './faultyTemporal';
import {
  PROBLEM,
  api,
  clientIdOf,
  eventually,
  siteIdOf,
  spaceIdOf,
  startApiHarness,
  startBody,
  type ApiHarness,
} from './harness';

let harness: ApiHarness;
let faulty: FaultyTemporal;
let app: Express;
const sweeps: UnstartedSweep[] = [];
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'dev-server', worker: true });
  faulty = await connectFaultyTemporal(harness.env!.address, harness.env!.namespace ?? 'default');
  app = harness.appUsing(faulty.client);
});
afterEach(async () => {
  await Promise.all(sweeps.splice(0).map((sweep) => sweep.stop()));
  faulty.faults.clear();
});
afterAll(async () => {
  await faulty.close();
  await harness.close();
});

const inOneDay = () => new Date(Date.now() + 86_400_000).toISOString();

/** A sweep as an API instance runs it, through the faulty client (so a test decides what Temporal answers). */
function sweep(intervalMs = 60_000): UnstartedSweep {
  const running = startUnstartedSweep(
    {
      db: harness.db,
      temporal: faulty.client,
      taskQueue: harness.taskQueue,
      move: { emailDeliveryWindow: '24 hours' },
      timeouts: DEFAULT_TEMPORAL_TIMEOUTS,
      log: pino({ level: 'silent' }),
    },
    intervalMs,
  );
  sweeps.push(running);
  return running;
}

/** Starts a move while Temporal answers neither the start nor the describe: 503, the move kept. */
async function unknownOutcomeStart(
  client: string,
  to: string,
  start: Fault,
  { spaceIds = [] as string[], notifyOperatorId = null as string | null } = {},
): Promise<string> {
  faulty.faults.set('StartWorkflowExecution', start);
  faulty.faults.set('DescribeWorkflowExecution', 'unavailable');
  const res = await api(app).post(
    '/api/client-site-moves',
    startBody(client, to, { moveAt: inOneDay(), spaceIds, notifyOperatorId }),
  );
  faulty.faults.clear();
  expect(res.body).toMatchObject({ status: 503, type: `${PROBLEM}start-outcome-unknown` });
  const moveId = (res.body as { moveId: string }).moveId;
  // As the sweep meets it: recorded longer ago than a start in progress takes.
  await harness.db.clientSiteMove.update({
    where: { id: moveId },
    data: { createdAt: new Date(Date.now() - UNSTARTED_GRACE_MS - 5_000) },
  });
  return moveId;
}

async function vacantAt(site: string, forClient: string): Promise<string[]> {
  const res = await api(app).get(`/api/clients/${clientIdOf(forClient)}/site-move/options`);
  const destinations = (res.body as { destinations: { site: { code: string }; vacantSpaces: { id: string }[] }[] })
    .destinations;
  return destinations.find((d) => d.site.code === site)!.vacantSpaces.map((s) => s.id);
}

it('settles the move as soon as Temporal answers again: the client and its spaces are free, its contact emailed', async () => {
  const space = spaceIdOf('MAN-SPF', 9);
  const moveId = await unknownOutcomeStart('Brightwave Studios', 'MAN-SPF', 'unavailable', {
    spaceIds: [space],
    notifyOperatorId: ADMIN_ID,
  });
  expect(await vacantAt('MAN-SPF', 'Dune & Finch')).not.toContain(space);

  // While Temporal still does not answer, a round leaves it as it is.
  faulty.faults.set('DescribeWorkflowExecution', 'unavailable');
  expect(await sweep().runOnce()).toMatchObject({ unknown: 1, closed: 0 });
  expect(await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: moveId } })).toMatchObject({
    status: 'SCHEDULED',
  });

  // Temporal answers the describe but not the email's start: the move stays, to be settled again.
  faulty.faults.clear();
  faulty.faults.set('StartWorkflowExecution', 'unavailable');
  expect(await sweep().runOnce()).toMatchObject({ unknown: 1, closed: 0 });
  expect(await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: moveId } })).toMatchObject({
    status: 'SCHEDULED',
  });

  faulty.faults.clear();
  sweep(200);
  const settled = await eventually(
    async () => {
      const move = await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: moveId } });
      return move.status === 'CANCELLED' ? move : undefined;
    },
    { what: 'the sweep to settle the move' },
  );
  expect(settled).toMatchObject({ runId: null, cancelReason: 'Never started: Temporal has no run of it' });
  expect(await vacantAt('MAN-SPF', 'Dune & Finch')).toContain(space);
  expect(await harness.db.client.findUniqueOrThrow({ where: { id: clientIdOf('Brightwave Studios') } })).toMatchObject({
    status: 'ACTIVE',
  });
  expect(await harness.db.dashboardTask.findUniqueOrThrow({ where: { moveId } })).toMatchObject({
    phase: 'CANCELLED',
    open: false,
  });

  // Every final phase emails the contact: exactly one email, and the move's email state follows it.
  const outbox = await eventually(
    async () => {
      const row = await harness.db.emailOutbox.findUnique({
        where: { dedupeKey: outcomeEmailKey(moveId, 'CANCELLED') },
      });
      return row?.status === 'SENT' ? row : undefined;
    },
    { what: 'the outcome email to be sent' },
  );
  const received = harness.mailSink!.messages().filter((m) => m.customArgs.reference === outbox.id);
  expect(received).toHaveLength(1);
  expect(received[0]).toMatchObject({ to: [ADMIN_EMAIL] });
  expect(received[0]!.subject).toContain('cancelled');
  await eventually(
    async () => {
      const task = await harness.db.dashboardTask.findUniqueOrThrow({ where: { moveId } });
      return (task.progress as { email?: { state?: string } }).email?.state === 'SENT' ? true : undefined;
    },
    { what: "the move's email state to say SENT" },
  );
});

it('two instances sweeping at once settle each move once: the one that never ran closed, the one that did adopted', async () => {
  const neverRan = await unknownOutcomeStart('Cobalt Legal LLP', 'BRS-TQY', 'unavailable', {
    notifyOperatorId: ADMIN_ID,
  });
  // The start reached Temporal and only its answer was lost: the run exists.
  const ran = await unknownOutcomeStart('Evergreen Health', 'LDS-WEL', 'lose-answer');
  // The run claims its move at its first activity (the worker runs it at once); the sweep is for a
  // run that has not got there yet, so the claim is taken back once it is made (the run then sleeps
  // until tomorrow and claims nothing more). Without this the race decides who records the run.
  await eventually(
    async () => ((await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: ran } })).runId ? true : undefined),
    { what: 'the run to claim its move' },
  );
  await harness.db.clientSiteMove.update({ where: { id: ran }, data: { runId: null } });

  const rounds = await Promise.all([sweep().runOnce(), sweep().runOnce()]);
  const total = (key: 'closed' | 'adopted') => rounds.reduce((sum, round) => sum + round[key], 0);
  expect({ closed: total('closed'), adopted: total('adopted') }).toEqual({ closed: 1, adopted: 1 });

  expect(await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: neverRan } })).toMatchObject({
    status: 'CANCELLED',
  });
  expect(await harness.db.auditEntry.count({ where: { moveId: neverRan, action: 'MOVE_NEVER_STARTED' } })).toBe(1);
  // Closed once, so emailed once (both instances met it; one closed it).
  await eventually(
    async () =>
      (await harness.db.emailOutbox.findUnique({ where: { dedupeKey: outcomeEmailKey(neverRan, 'CANCELLED') } }))
        ?.status === 'SENT'
        ? true
        : undefined,
    { what: 'the outcome email to be sent' },
  );
  expect(await harness.db.emailOutbox.count({ where: { moveId: neverRan } })).toBe(1);
  const adopted = await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: ran } });
  const run = await harness.temporal.workflow.getHandle(adopted.workflowId).describe();
  expect(adopted).toMatchObject({ status: 'SCHEDULED', runId: run.runId });
  await harness.temporal.workflow.getHandle(adopted.workflowId).terminate('test over');
});

it('a cancel of such a move settles it: closed with the operator’s reason (503 while Temporal still does not answer)', async () => {
  const moveId = await unknownOutcomeStart('Dune & Finch', 'LDN-SHO', 'unavailable');
  const path = `/api/client-site-moves/${moveId}/cancel`;

  faulty.faults.set('DescribeWorkflowExecution', 'unavailable');
  const unanswered = await api(app).post(path, { reason: 'Client changed plans' });
  expect(unanswered.body).toMatchObject({ status: 503, type: `${PROBLEM}temporal-unavailable` });
  faulty.faults.clear();

  const cancelled = await api(app).post(path, { reason: 'Client changed plans' });
  expect(cancelled.status).toBe(200);
  expect(cancelled.body).toMatchObject({
    id: moveId,
    status: 'CANCELLED',
    cancelReason: 'Client changed plans',
    progressSource: 'database',
    progress: { phase: 'CANCELLED', cancelReason: 'Client changed plans' },
  });
  expect(await harness.db.client.findUniqueOrThrow({ where: { id: clientIdOf('Dune & Finch') } })).toMatchObject({
    status: 'ACTIVE',
    siteId: siteIdOf('BRS-TQY'),
  });
  expect(await harness.db.auditEntry.count({ where: { moveId, action: 'OPERATOR_CANCEL' } })).toBe(1);
});
