// The workflow end to end: Temporal dev server, the real worker and activities, real PostgreSQL,
// the real SendGrid client talking to the local sink. No fakes.
import { randomUUID } from 'node:crypto';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { seedDemoData } from '../../src/dev/seed';
import { createSendGridMailer } from '../../src/mail/mailer';
import { startMailSink, type MailSink } from '../../src/dev/mailSink';
import { MoveFailureType } from '../../src/domain/errors';
import type { MoveProgress } from '../../src/domain/move';
import {
  cancelUpdate,
  clientSiteMove,
  moveNowUpdate,
  progressQuery,
  rollbackUpdate,
} from '../../src/workflows/clientSiteMove';
import { moveWorkflowOptions } from '../../src/workflows/startOptions';
import { outcomeEmailWorkflowId, type moveOutcomeEmail } from '../../src/workflows/moveOutcomeEmail';
import { createMoveWorker } from '../../src/worker';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  ADMIN_EMAIL,
  clientIdOf,
  clientState,
  insertMove,
  moveInputFor,
  siteIdOf,
  spaceIdOf,
  type MoveFixture,
} from '../support/moveFixtures';
import { startDevServerEnv, workflowBundle } from '../support/temporal';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let sink: MailSink;
let worker: Worker;
let running: Promise<void>;
const taskQueue = 'e2e-client-site-move';

beforeAll(async () => {
  [env, database, sink] = await Promise.all([startDevServerEnv(), createTestDatabase(), startMailSink()]);
  await seedDemoData(database.db, { env: 'development' });
  worker = await createMoveWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    db: database.db,
    mailer: createSendGridMailer({ from: 'moves@t2.example', baseUrl: sink.url }),
    workflowBundle: workflowBundle(),
    client: env.client,
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await Promise.all([env?.teardown(), database?.drop(), sink?.close()]);
});

/** Waits for the move's outcome email workflow and returns the email state it ended with. */
const emailSent = (moveId: string) =>
  env.client.workflow.getHandle<typeof moveOutcomeEmail>(outcomeEmailWorkflowId(moveId)).result();

function start(move: MoveFixture) {
  const input = moveInputFor(move, { notify: true, batchSize: 7 });
  return env.client.workflow.start(clientSiteMove, moveWorkflowOptions(input, taskQueue));
}

it('completes a move: everything at the destination, the task completed, one email', async () => {
  const move = await insertMove(database.db, {
    client: 'Brightwave Studios',
    to: 'MAN-SPF',
    targetSpaces: [9, 10],
    notify: true,
  });
  const before = await clientState(database.db, move.clientId);
  const handle = await start(move);
  const result = await handle.result();
  expect(result.phase).toBe('COMPLETED');

  const after = await clientState(database.db, move.clientId);
  const destination = siteIdOf('MAN-SPF');
  expect(after.client).toEqual({
    siteId: destination,
    tariffId: move.tariffId,
    minuteBundleId: move.minuteBundleId,
    status: 'ACTIVE',
  });
  expect(after.users.map((u) => u.siteId)).toEqual(before.users.map(() => destination));
  expect(after.phoneNumbers.map((n) => n.siteId)).toEqual(before.phoneNumbers.map(() => destination));
  expect(after.spaceIds.sort()).toEqual([spaceIdOf('MAN-SPF', 9), spaceIdOf('MAN-SPF', 10)].sort());
  const live = after.services.filter((s) => s.status === 'ACTIVE');
  expect(live).toHaveLength(before.services.length);
  expect(live.every((s) => s.siteId === destination)).toBe(true);
  expect(new Set(live.map((s) => s.replacesServiceId))).toEqual(new Set(before.services.map((s) => s.id)));
  expect(
    after.services
      .filter((s) => s.status === 'DECOMMISSIONED')
      .map((s) => s.id)
      .sort(),
  ).toEqual(before.services.map((s) => s.id).sort());

  const task = await database.db.dashboardTask.findUniqueOrThrow({ where: { moveId: move.moveId } });
  expect(task).toMatchObject({ siteId: destination, phase: 'COMPLETED', open: false });
  const row = await database.db.clientSiteMove.findUniqueOrThrow({ where: { id: move.moveId } });
  expect(row.status).toBe('COMPLETED');
  // Started without the API, so no run id was recorded: the workflow's first activity filled it in.
  expect(row.runId).toBe(handle.firstExecutionRunId);

  // The email is delivered by its own workflow once the move is final; the task shows its outcome.
  expect(await emailSent(move.moveId)).toEqual({ state: 'SENT' });
  const mail = sink.messages().filter((m) => m.subject.includes('Brightwave Studios'));
  expect(mail).toHaveLength(1);
  expect(mail[0]!.to).toEqual([ADMIN_EMAIL]);
  expect(mail[0]!.subject).toMatch(/completed/i);
  const mailed = await database.db.dashboardTask.findUniqueOrThrow({ where: { moveId: move.moveId } });
  expect((mailed.progress as { email: unknown }).email).toEqual({ state: 'SENT', error: null });
});

it('a forced non-retryable failure, then rollback, gives the client back exactly as it was', async () => {
  // Evergreen Health has one blocked phone number: the move cannot re-home it.
  const move = await insertMove(database.db, {
    client: 'Evergreen Health',
    to: 'LDN-SHO',
    targetSpaces: [11],
    notify: true,
  });
  const before = await clientState(database.db, move.clientId);
  const handle = await start(move);
  // The query answers first; the dashboard task follows once the workflow has mirrored it.
  const deadline = Date.now() + 60_000;
  const taskPhase = async () => (await database.db.dashboardTask.findUnique({ where: { moveId: move.moveId } }))?.phase;
  while ((await handle.query(progressQuery)).phase !== 'NEEDS_ATTENTION' || (await taskPhase()) !== 'NEEDS_ATTENTION') {
    if (Date.now() > deadline) throw new Error('the move never showed NEEDS_ATTENTION');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const progress = await handle.query(progressQuery);
  expect(progress.lastError).toMatchObject({
    type: 'PhoneNumberBlocked',
    step: 'REHOME_PHONE_NUMBERS',
    nonRetryable: true,
  });
  expect(progress.lastError?.item?.kind).toBe('PHONE_NUMBER');

  await handle.executeUpdate(rollbackUpdate, { args: [null] });
  const result = await handle.result();
  expect(result.phase).toBe('ROLLED_BACK');
  const after = await clientState(database.db, move.clientId);
  expect(after).toEqual(before);
  expect(await emailSent(move.moveId)).toEqual({ state: 'SENT' });
  const mail = sink.messages().filter((m) => m.subject.includes('Evergreen Health'));
  expect(mail).toHaveLength(1);
  expect(mail[0]!.subject).toMatch(/rolled back/i);
});

it('a second clientSiteMove run started for the same move by hand is refused: the client moves once, by its own run', async () => {
  const move = await insertMove(database.db, { client: 'Dune & Finch', to: 'LDS-WEL', targetSpaces: [12] });
  const before = await clientState(database.db, move.clientId);
  const input = moveInputFor(move, { scheduledFor: new Date(Date.now() + 86_400_000).toISOString(), moveNow: false });
  const own = await env.client.workflow.start(clientSiteMove, moveWorkflowOptions(input, taskQueue));
  // No run id was recorded (as when the API's write is lost): the first run to act claims the move.
  const deadline = Date.now() + 60_000;
  while ((await database.db.clientSiteMove.findUniqueOrThrow({ where: { id: move.moveId } })).runId === null) {
    if (Date.now() > deadline) throw new Error('the move was never claimed by its run');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  // Anyone who can reach Temporal can start the workflow under another id, for the same move, to run now.
  const intruder = await env.client.workflow.start(clientSiteMove, {
    ...moveWorkflowOptions({ ...input, moveNow: true }, taskQueue),
    workflowId: `intruder-${randomUUID()}`,
  });
  const failure = await intruder.result().then(
    () => null,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  // The activity's own failure: wrapped in an ActivityFailure, or (markMoveScheduled as a local
  // activity, since the patch local-bookkeeping) as it is.
  const failed = (failure as WorkflowFailedError).cause;
  const cause = (failed instanceof ActivityFailure ? failed.cause : failed) as ApplicationFailure;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect({ type: cause.type, nonRetryable: cause.nonRetryable }).toEqual({
    type: MoveFailureType.ForeignWorkflowRun,
    nonRetryable: true,
  });
  // It changed nothing: the client is where it was, the move still waits for its own run.
  expect((await clientState(database.db, move.clientId)).client).toEqual({
    ...before.client,
    status: 'ACTIVE_MOVE_SCHEDULED',
  });
  expect(await database.db.moveItem.count({ where: { moveId: move.moveId } })).toBe(0);
  expect((await database.db.clientSiteMove.findUniqueOrThrow({ where: { id: move.moveId } })).runId).toBe(
    own.firstExecutionRunId,
  );

  // Its own run still moves it, once.
  await own.executeUpdate(moveNowUpdate, { args: [null] });
  expect((await own.result()).phase).toBe('COMPLETED');
  const after = await clientState(database.db, move.clientId);
  expect(after.client).toMatchObject({ siteId: siteIdOf('LDS-WEL'), status: 'ACTIVE' });
  expect(await database.db.moveItem.count({ where: { moveId: move.moveId } })).toBe(
    before.users.length + before.phoneNumbers.length + before.services.length,
  );
  const moved = await database.db.auditEntry.findMany({ where: { moveId: move.moveId, action: 'MOVE_COMPLETED' } });
  expect(moved).toHaveLength(1);
});

describe('the pre-move check with the real activities', () => {
  const dayAhead = () => new Date(Date.now() + 86_400_000).toISOString();

  /** Waits until the move's dashboard task shows a progress for which `done` holds. */
  async function taskShows(moveId: string, done: (progress: MoveProgress) => boolean, what: string) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const task = await database.db.dashboardTask.findUnique({ where: { moveId } });
      const progress = task?.progress as MoveProgress | undefined;
      if (progress && done(progress)) return progress;
      if (Date.now() > deadline) throw new Error(`the task never showed ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('a space let to another client after scheduling holds the move before anything moved', async () => {
    const move = await insertMove(database.db, { client: 'Brightwave Studios', to: 'LDS-WEL', targetSpaces: [10] });
    const before = await clientState(database.db, move.clientId);
    const handle = await env.client.workflow.start(
      clientSiteMove,
      moveWorkflowOptions(moveInputFor(move, { scheduledFor: dayAhead(), moveNow: false }), taskQueue),
    );
    await taskShows(move.moveId, (p) => p.phase === 'SCHEDULED' && p.actions !== undefined, 'the scheduled move');
    // The check as it was scheduled is over once the move sleeps on its timer (the bookkeeping runs as
    // local activities, so no pending activity says so).
    const deadline = Date.now() + 30_000;
    while (!(await handle.fetchHistory()).events?.some((e) => e.timerStartedEventAttributes)) {
      if (Date.now() > deadline) throw new Error('the move never went to sleep until it is due');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Someone lets the space to another client meanwhile; the move is then asked to run now.
    const space = spaceIdOf('LDS-WEL', 10);
    await database.db.space.update({ where: { id: space }, data: { clientId: clientIdOf('Cobalt Legal LLP') } });
    await handle.executeUpdate(moveNowUpdate, { args: [null] });

    const held = await taskShows(move.moveId, (p) => p.phase === 'NEEDS_ATTENTION', 'the move held');
    expect(held).toMatchObject({
      currentStep: 'PREFLIGHT',
      lastError: { type: 'space-occupied', step: 'PREFLIGHT', item: { kind: 'SPACE', id: space } },
    });
    // Nothing moved: no snapshot was taken, the client is where it was.
    expect(await database.db.moveItem.count({ where: { moveId: move.moveId } })).toBe(0);
    expect((await clientState(database.db, move.clientId)).client).toEqual({
      ...before.client,
      status: 'ACTIVE_MOVE_SCHEDULED',
    });

    await handle.executeUpdate(cancelUpdate, { args: ['The space is gone'] });
    expect((await handle.result()).phase).toBe('CANCELLED');
    expect(await clientState(database.db, move.clientId)).toEqual(before);
    await database.db.space.update({ where: { id: space }, data: { clientId: null } });
  });

  it('warnings found at scheduling show on the task and reach the T2 contact, once', async () => {
    // Evergreen Health has a blocked number: the move would stop on it.
    const move = await insertMove(database.db, { client: 'Evergreen Health', to: 'BRS-TQY', notify: true });
    const handle = await env.client.workflow.start(
      clientSiteMove,
      moveWorkflowOptions(moveInputFor(move, { scheduledFor: dayAhead(), moveNow: false, notify: true }), taskQueue),
    );
    const blocked = await database.db.phoneNumber.findFirstOrThrow({
      where: { clientId: move.clientId, status: 'BLOCKED' },
    });
    const shown = await taskShows(move.moveId, (p) => (p.warnings ?? []).length > 0, 'the warnings');
    expect(shown.warnings).toContainEqual(
      expect.objectContaining({
        type: 'phone-number-blocked',
        item: { kind: 'PHONE_NUMBER', id: blocked.id, label: blocked.number },
      }),
    );
    const deadline = Date.now() + 30_000;
    const warningMail = () =>
      sink.messages().filter((m) => m.subject.includes('Evergreen Health') && /warning/i.test(m.subject));
    while (warningMail().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(warningMail()).toHaveLength(1);
    expect(warningMail()[0]!.to).toEqual([ADMIN_EMAIL]);
    expect(warningMail()[0]!.text).toContain(blocked.number);
    await handle.executeUpdate(cancelUpdate, { args: ['Unblocking the number first'] });
    expect((await handle.result()).phase).toBe('CANCELLED');
  });
});
