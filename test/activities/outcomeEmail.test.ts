// The outcome email through the outbox and the real SendGrid client, against the local sink: sent
// at most once, a provider error (or no answer in time) is retried, an unknown outcome is UNCERTAIN and never
// resent, and the move's task shows the outbox's state.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import { retryAfter } from '../../src/activities/shared/outbox';
import type { FinishInput, MoveActivities } from '../../src/activities/contract';
import { seedDemoData } from '../../src/dev/seed';
import { warningsEmailWorkflowId, type FinalPhase, type MoveProgress } from '../../src/domain/move';
import { MoveFailureType } from '../../src/domain/errors';
import { createSendGridMailer, type Mailer } from '../../src/mail/mailer';
import { startMailSink, type MailSink } from '../../src/dev/mailSink';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { ADMIN_EMAIL, insertMove, progressFor, type MoveFixture } from '../support/moveFixtures';

const NOW = new Date('2026-12-08T09:30:00.000Z');
const WEB = 'http://127.0.0.1:8233';

let database: TestDatabase;
let sink: MailSink;
let activities: MoveActivities;
let fixture: MoveFixture;

const activitiesWith = (mailer: Mailer) =>
  createActivities({ db: database.db, mailer, temporalWebUrl: WEB, now: () => NOW });

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemoData(database.db, { env: 'test' });
  sink = await startMailSink();
  activities = activitiesWith(createSendGridMailer({ from: 'moves@t2.example', baseUrl: sink.url }));
});
afterAll(async () => {
  await sink.close();
  await database.drop();
});

beforeEach(async () => {
  fixture = await insertMove(database.db, { client: 'Dune & Finch', to: 'LDS-WEL', notify: true });
});
afterEach(async () => {
  await database.db.clientSiteMove.update({
    where: { id: fixture.moveId },
    data: { status: 'CANCELLED', finishedAt: NOW },
  });
});

function outcome(phase: FinalPhase, overrides: Partial<MoveProgress> = {}): FinishInput {
  const progress = progressFor(fixture.moveId, phase, {
    finishedAt: NOW.toISOString(),
    items: {
      users: { total: 3, done: 3 },
      phoneNumbers: { total: 2, done: 2 },
      services: { total: 2, done: 2 },
    },
    ...overrides,
  });
  return { moveId: fixture.moveId, phase, progress };
}

const outbox = () => database.db.emailOutbox.findMany({ where: { moveId: fixture.moveId } });
const mailsOf = (outboxId: string) => sink.messages().filter((m) => m.customArgs.reference === outboxId);

/** The completed outcome email as an attempt that died mid-send left it: SENDING. */
const queueAsSending = () =>
  database.db.emailOutbox.create({
    data: {
      dedupeKey: `move:${fixture.moveId}:COMPLETED`,
      moveId: fixture.moveId,
      toEmail: ADMIN_EMAIL,
      subject: 'Client site move completed',
      text: 'text',
      html: '<p>html</p>',
      status: 'SENDING',
      attempts: 1,
    },
  });

async function rejectionOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

it('is NOT_REQUESTED when no contact was chosen, and writes nothing', async () => {
  await database.db.clientSiteMove.update({ where: { id: fixture.moveId }, data: { notifyOperatorId: null } });
  expect(await activities.sendOutcomeEmail(outcome('COMPLETED'))).toEqual({ state: 'NOT_REQUESTED' });
  expect(await outbox()).toEqual([]);
});

it('sends exactly once, even when the activity runs twice', async () => {
  expect(await activities.sendOutcomeEmail(outcome('COMPLETED'))).toEqual({ state: 'SENT' });
  expect(await activities.sendOutcomeEmail(outcome('COMPLETED'))).toEqual({ state: 'SENT' });

  const [row, ...others] = await outbox();
  expect(others).toEqual([]);
  const mails = mailsOf(row!.id);
  expect(mails).toHaveLength(1);
  expect(row).toMatchObject({
    dedupeKey: `move:${fixture.moveId}:COMPLETED`,
    toEmail: ADMIN_EMAIL,
    status: 'SENT',
    attempts: 1,
    sentAt: NOW,
    providerMessageId: mails[0]!.id,
    lastError: null,
  });
  const mail = mails[0]!;
  expect(mail.to).toEqual([ADMIN_EMAIL]);
  expect(mail.subject).toBe('Client site move completed: Dune & Finch, Bristol Temple Quay to Leeds Wellington Place');
  expect(mail.text).toContain('Users: 3 of 3 at Leeds Wellington Place');
  expect(mail.text).toContain(`${WEB}/namespaces/default/workflows/client-site-move-${fixture.clientId}`);
  expect(mail.html).toContain('Dune &#38; Finch');
});

it('a provider error puts the email back to PENDING with the reason and the activity retryable; the retry sends it once', async () => {
  sink.failNext(1);
  const failure = await rejectionOf(activities.sendOutcomeEmail(outcome('COMPLETED')));
  expect(failure.type).toBe('EmailSendFailed');
  expect(failure.nonRetryable).toBe(false);
  const [failed] = await outbox();
  expect(failed).toMatchObject({
    status: 'PENDING',
    attempts: 1,
    lastError: expect.stringContaining('503') as unknown,
  });
  expect(mailsOf(failed!.id)).toHaveLength(0);

  expect(await activities.sendOutcomeEmail(outcome('COMPLETED'))).toEqual({ state: 'SENT' });
  const [sent] = await outbox();
  expect(sent).toMatchObject({ status: 'SENT', attempts: 2, lastError: null });
  expect(mailsOf(sent!.id)).toHaveLength(1);
});

it('an unreachable provider is a definite failure too: nothing was sent, so it is retried', async () => {
  const closed = await startMailSink();
  await closed.close();
  const unreachable = activitiesWith(createSendGridMailer({ from: 'moves@t2.example', baseUrl: closed.url }));
  const failure = await rejectionOf(unreachable.sendOutcomeEmail(outcome('COMPLETED')));
  expect(failure).toMatchObject({ type: 'EmailSendFailed', nonRetryable: false });
  expect((await outbox())[0]).toMatchObject({
    status: 'PENDING',
    lastError: expect.stringContaining('ECONNREFUSED') as unknown,
  });

  expect(await activities.sendOutcomeEmail(outcome('COMPLETED'))).toEqual({ state: 'SENT' });
});

it('a provider that does not answer within the request timeout is not waited for: retried, not UNCERTAIN', async () => {
  const hanging = http.createServer(() => undefined);
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  try {
    const baseUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    const slow = activitiesWith(createSendGridMailer({ from: 'moves@t2.example', baseUrl, requestTimeoutMs: 300 }));
    const failure = await rejectionOf(slow.sendOutcomeEmail(outcome('COMPLETED')));
    expect(failure).toMatchObject({ type: 'EmailSendFailed', nonRetryable: false });
    expect((await outbox())[0]).toMatchObject({
      status: 'PENDING',
      lastError: expect.stringMatching(/timeout/i) as unknown,
    });
  } finally {
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
  }
  expect(await activities.sendOutcomeEmail(outcome('COMPLETED'))).toEqual({ state: 'SENT' });
});

it('a provider that answers 429 with Retry-After is not tried again before it asked', async () => {
  const busy = http.createServer((_req, res) => {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
    res.end(JSON.stringify({ errors: [{ message: 'too many requests' }] }));
  });
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  try {
    const baseUrl = `http://127.0.0.1:${(busy.address() as AddressInfo).port}`;
    const limited = activitiesWith(createSendGridMailer({ from: 'moves@t2.example', baseUrl }));
    const failure = await rejectionOf(limited.sendOutcomeEmail(outcome('COMPLETED')));
    expect(failure).toMatchObject({ type: 'EmailSendFailed', nonRetryable: false, nextRetryDelay: 7_000 });
    expect((await outbox())[0]).toMatchObject({
      status: 'PENDING',
      lastError: expect.stringContaining('429') as unknown,
    });
  } finally {
    busy.closeAllConnections();
    await new Promise((resolve) => busy.close(resolve));
  }
  // Without a Retry-After the workflow's own backoff decides.
  sink.failNext(1, 503);
  expect(await rejectionOf(activities.sendOutcomeEmail(outcome('COMPLETED')))).toMatchObject({
    nextRetryDelay: undefined,
  });
});

it('Retry-After is read as seconds or as an HTTP date, and ignored when unusable', () => {
  const now = Date.parse('2026-12-08T09:30:00Z');
  expect(retryAfter({ 'retry-after': '120' }, now)).toBe(120_000);
  expect(retryAfter({ 'retry-after': 'Tue, 08 Dec 2026 09:31:30 GMT' }, now)).toBe(90_000);
  expect(retryAfter({ 'retry-after': 'soon' }, now)).toBeNull();
  expect(retryAfter({ 'retry-after': '0' }, now)).toBeNull();
  expect(retryAfter({ 'retry-after': String(2 * 24 * 3600) }, now)).toBeNull();
  expect(retryAfter({}, now)).toBeNull();
  expect(retryAfter(undefined, now)).toBeNull();
});

it("the move's task shows the outbox's state: retrying, then sent; or given up, with the reason", async () => {
  await activities.markMoveScheduled({ moveId: fixture.moveId });
  const taskEmail = async () =>
    (
      (await database.db.dashboardTask.findUniqueOrThrow({ where: { moveId: fixture.moveId } })).progress as {
        email: unknown;
      }
    ).email;
  sink.failNext(1);
  await rejectionOf(activities.sendOutcomeEmail(outcome('COMPLETED')));
  expect(await taskEmail()).toEqual({
    state: 'PENDING',
    error: expect.stringMatching(/^Not sent yet, trying again: .*503/) as unknown,
  });
  await activities.sendOutcomeEmail(outcome('COMPLETED'));
  expect(await taskEmail()).toEqual({ state: 'SENT', error: null });
  // Giving up afterwards changes nothing: it was sent.
  await activities.giveUpOutcomeEmail({ moveId: fixture.moveId, phase: 'COMPLETED', reason: 'too late' });
  expect(await taskEmail()).toEqual({ state: 'SENT', error: null });
  expect((await outbox())[0]).toMatchObject({ status: 'SENT' });

  // Another outcome whose delivery window ran out: FAILED for good, with the reason, on both.
  sink.failNext(1);
  await rejectionOf(activities.sendOutcomeEmail(outcome('ROLLED_BACK')));
  await activities.giveUpOutcomeEmail({
    moveId: fixture.moveId,
    phase: 'ROLLED_BACK',
    reason: 'Not delivered within 24 hours',
  });
  expect(await taskEmail()).toEqual({ state: 'FAILED', error: 'Not delivered within 24 hours' });
  const rolledBack = (await outbox()).find((r) => r.dedupeKey.endsWith(':ROLLED_BACK'));
  expect(rolledBack).toMatchObject({ status: 'FAILED', lastError: 'Not delivered within 24 hours' });
});

it('found in SENDING (an attempt died mid-send) it becomes UNCERTAIN and is never resent', async () => {
  await queueAsSending();
  for (let attempt = 0; attempt < 2; attempt++) {
    const failure = await rejectionOf(activities.sendOutcomeEmail(outcome('COMPLETED')));
    expect(failure).toMatchObject({ type: 'EmailOutcomeUncertain', nonRetryable: true });
    expect(failure.message).toContain('may or may not have been sent');
  }
  const [row] = await outbox();
  expect(row).toMatchObject({ status: 'UNCERTAIN', attempts: 1, sentAt: null });
  expect(mailsOf(row!.id)).toHaveLength(0);
});

it('giving up on an outcome email an attempt is still sending makes it FAILED with the reason', async () => {
  const reason = 'Not delivered within 24 hours';
  await queueAsSending();
  await activities.giveUpOutcomeEmail({ moveId: fixture.moveId, phase: 'COMPLETED', reason });
  expect((await outbox())[0]).toMatchObject({ status: 'FAILED', lastError: reason });
});

it('a send that fails without an answer (connection reset) is UNCERTAIN at once', async () => {
  const reset: Mailer = {
    send: () => Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
  };
  const failure = await rejectionOf(activitiesWith(reset).sendOutcomeEmail(outcome('COMPLETED')));
  expect(failure).toMatchObject({ type: 'EmailOutcomeUncertain', nonRetryable: true });
  expect((await outbox())[0]).toMatchObject({ status: 'UNCERTAIN', attempts: 1, lastError: 'socket hang up' });
  // The real mailer is not tried either: the outcome of the first send is unknown.
  await expect(activities.sendOutcomeEmail(outcome('COMPLETED'))).rejects.toMatchObject({
    type: 'EmailOutcomeUncertain',
  });
});

it('a FAILED move says so loudly and lists what needs a human; each outcome has its own email', async () => {
  const needsHuman = [
    {
      type: 'SpaceNotRestorable',
      message: 'Space Suite 1.01 is now held by another client',
      step: 'rollback:ASSIGN_SPACES',
      item: { kind: 'SPACE' as const, id: '00000000-0000-4000-8000-000000000001', label: 'Suite 1.01' },
      nonRetryable: true,
      at: NOW.toISOString(),
    },
  ];
  expect(await activities.sendOutcomeEmail(outcome('FAILED', { needsHuman, lastError: needsHuman[0]! }))).toEqual({
    state: 'SENT',
  });
  expect(await activities.sendOutcomeEmail(outcome('ROLLED_BACK'))).toEqual({ state: 'SENT' });
  const rows = await outbox();
  expect(rows.map((r) => r.dedupeKey).sort()).toEqual(
    [`move:${fixture.moveId}:FAILED`, `move:${fixture.moveId}:ROLLED_BACK`].sort(),
  );
  const failed = mailsOf(rows.find((r) => r.dedupeKey.endsWith(':FAILED'))!.id)[0]!;
  expect(failed.subject).toContain('FAILED: needs attention');
  expect(failed.text).toContain('Needs a human:');
  expect(failed.text).toContain(
    '- SpaceNotRestorable: Space Suite 1.01 is now held by another client (SPACE Suite 1.01) at rollback:ASSIGN_SPACES',
  );
  const rolledBack = mailsOf(rows.find((r) => r.dedupeKey.endsWith(':ROLLED_BACK'))!.id)[0]!;
  expect(rolledBack.text).toContain('rolled back: the client is back at Bristol Temple Quay as it was');
});

/** The pre-move check's warnings for the warnings email tests. */
const warnings = [
  { type: 'phone-number-blocked', message: '+442070000001 is blocked by the carrier', field: null, item: null },
];

it('a warnings email whose delivery gave up is FAILED with the reason; a sent one stays SENT', async () => {
  sink.failNext(1);
  await rejectionOf(activities.sendWarningsEmail({ moveId: fixture.moveId, warnings, digest: 'aaaa0001' }));
  await activities.giveUpWarningsEmail({
    moveId: fixture.moveId,
    digest: 'aaaa0001',
    reason: 'Not delivered within 15 minutes',
  });
  await activities.sendWarningsEmail({ moveId: fixture.moveId, warnings, digest: 'bbbb0002' });
  await activities.giveUpWarningsEmail({ moveId: fixture.moveId, digest: 'bbbb0002', reason: 'too late' });
  // Run twice, the give-up changes nothing more.
  await activities.giveUpWarningsEmail({
    moveId: fixture.moveId,
    digest: 'aaaa0001',
    reason: 'Not delivered within 15 minutes',
  });
  const rows = await outbox();
  expect(rows.find((r) => r.dedupeKey.endsWith(':aaaa0001'))).toMatchObject({
    status: 'FAILED',
    lastError: 'Not delivered within 15 minutes',
  });
  expect(rows.find((r) => r.dedupeKey.endsWith(':bbbb0002'))).toMatchObject({ status: 'SENT', lastError: null });
});

it('a warnings email is not sent once the move no longer waits to run; its queued row says why', async () => {
  // The mail stayed down; meanwhile the move was cancelled before it started, or started and was held.
  const meanwhile = [
    { digest: 'cccc0003', data: { status: 'CANCELLED' as const, finishedAt: NOW } },
    { digest: 'cccc0005', data: { status: 'NEEDS_ATTENTION' as const, startedAt: NOW, finishedAt: null } },
  ];
  for (const { digest, data } of meanwhile) {
    await database.db.clientSiteMove.update({
      where: { id: fixture.moveId },
      data: { status: 'SCHEDULED', startedAt: null, finishedAt: null },
    });
    sink.failNext(1);
    await rejectionOf(activities.sendWarningsEmail({ moveId: fixture.moveId, warnings, digest }));
    await database.db.clientSiteMove.update({ where: { id: fixture.moveId }, data });
    expect(await activities.sendWarningsEmail({ moveId: fixture.moveId, warnings, digest })).toEqual({
      state: 'NOT_REQUESTED',
    });
    const [row] = (await outbox()).filter((r) => r.dedupeKey.endsWith(`:${digest}`));
    expect(row).toMatchObject({
      status: 'FAILED',
      lastError: expect.stringMatching(/no longer waits to run/) as unknown,
    });
    expect(mailsOf(row!.id)).toHaveLength(0);
  }
});

it("warnings are news until the move's scheduled time, as it is now, while the move waits; then no longer", async () => {
  const later = new Date(NOW.getTime() + 3 * 24 * 3_600_000);
  await database.db.clientSiteMove.update({
    where: { id: fixture.moveId },
    data: { status: 'SCHEDULED', startedAt: null, finishedAt: null, scheduledFor: later },
  });
  const ask = () => activities.warningsNewsUntil({ moveId: fixture.moveId, digest: 'eeee0006' });
  expect(await ask()).toBe(later.toISOString());
  await database.db.clientSiteMove.update({
    where: { id: fixture.moveId },
    data: { status: 'MOVING', startedAt: NOW },
  });
  expect(await ask()).toBeNull();
});

it('giving up on a warnings email an attempt is still sending leaves it UNCERTAIN, not FAILED', async () => {
  sink.failNext(1);
  await rejectionOf(activities.sendWarningsEmail({ moveId: fixture.moveId, warnings, digest: 'dddd0004' }));
  // As an attempt that claimed the row and is still waiting for the provider.
  await database.db.emailOutbox.updateMany({
    where: { dedupeKey: { endsWith: ':dddd0004' } },
    data: { status: 'SENDING' },
  });
  await activities.giveUpWarningsEmail({
    moveId: fixture.moveId,
    digest: 'dddd0004',
    reason: 'Not delivered within 15 minutes',
  });
  const [row] = (await outbox()).filter((r) => r.dedupeKey.endsWith(':dddd0004'));
  expect(row).toMatchObject({ status: 'UNCERTAIN', lastError: expect.stringMatching(/still sending/) as unknown });
});

it("an email's own workflow may send its email, and nothing else: other activities refuse it", async () => {
  await database.db.clientSiteMove.update({ where: { id: fixture.moveId }, data: { runId: 'the-moves-own-run' } });
  const asWarningsWorkflow = new MockActivityEnvironment({
    workflowType: 'moveWarningsEmail',
    workflowExecution: { workflowId: warningsEmailWorkflowId(fixture.moveId, 'eeee0005'), runId: 'email-run' },
  });
  expect(
    await asWarningsWorkflow.run(activities.sendWarningsEmail, {
      moveId: fixture.moveId,
      warnings,
      digest: 'eeee0005',
    }),
  ).toEqual({ state: 'SENT' });
  // The same run may not act on the move, nor send another set under its id.
  // One at a time: a refusal that came before its turn to be awaited would be an unhandled rejection.
  const refused = [
    () => asWarningsWorkflow.run(activities.markMoveScheduled, { moveId: fixture.moveId }),
    () =>
      asWarningsWorkflow.run(activities.sendWarningsEmail, { moveId: fixture.moveId, warnings, digest: 'ffff0006' }),
  ];
  for (const attempt of refused) expect((await rejectionOf(attempt())).type).toBe(MoveFailureType.ForeignWorkflowRun);
});
