// The move's own records: scheduled (client status, destination task, audit), progress mirrored
// onto the move row and task within the database's CHECKs, and the final bookkeeping per outcome.
import { createActivities } from '../../src/activities';
import type { MoveActivities } from '../../src/activities/contract';
import { ApplicationFailure } from '@temporalio/common';
import { createDb } from '../../src/db/client';
import { freePort } from '../../src/dev/ports';
import { seedDemoData } from '../../src/dev/seed';
import { isFinalPhase, type FinalPhase, type MoveError } from '../../src/domain/move';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { SUPER_ADMIN_ID, fullState, insertMove, noMail, progressFor, type MoveFixture } from '../support/moveFixtures';

// Dune & Finch, the smallest demo client, at Bristol Temple Quay.
const CLIENT = 'Dune & Finch';
const NOW = new Date('2026-12-01T10:00:00.000Z');

let database: TestDatabase;
let activities: MoveActivities;
let fixture: MoveFixture;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemoData(database.db, { env: 'test' });
  activities = createActivities({ db: database.db, mailer: noMail, now: () => NOW });
});
afterAll(() => database.drop());

beforeEach(async () => {
  fixture = await insertMove(database.db, {
    client: CLIENT,
    to: 'LDS-WEL',
    scheduledFor: new Date('2026-12-08T09:00:00Z'),
  });
});

afterEach(async () => {
  // Frees the client for the next test's move, whatever state this test left.
  const move = await database.db.clientSiteMove.findUniqueOrThrow({ where: { id: fixture.moveId } });
  if (!isFinalPhase(move.status)) {
    await database.db.clientSiteMove.update({
      where: { id: fixture.moveId },
      data: { status: 'CANCELLED', finishedAt: NOW },
    });
  }
  await database.db.client.update({ where: { id: fixture.clientId }, data: { status: 'ACTIVE' } });
});

const moveId = () => fixture.moveId;
const sameStateWhenRepeated = async (run: () => Promise<unknown>) => {
  await run();
  const once = await fullState(database.db, fixture);
  await run();
  expect(await fullState(database.db, fixture)).toEqual(once);
};

const anError = (overrides: Partial<MoveError> = {}): MoveError => ({
  type: 'PhoneNumberBlocked',
  message: 'Phone number +441170300001 is blocked by the carrier',
  step: 'REHOME_PHONE_NUMBERS',
  item: { kind: 'PHONE_NUMBER', id: '00000000-0000-4000-8000-000000000001', label: '+441170300001' },
  nonRetryable: true,
  at: NOW.toISOString(),
  ...overrides,
});

describe('markMoveScheduled', () => {
  it('marks the client, opens a task at the destination and audits, once however often it runs', async () => {
    await sameStateWhenRepeated(() => activities.markMoveScheduled({ moveId: moveId() }));
    const { client, move } = await fullState(database.db, fixture);
    expect(client.client.status).toBe('ACTIVE_MOVE_SCHEDULED');
    expect(move.task).toMatchObject({
      siteId: fixture.destinationSiteId,
      clientId: fixture.clientId,
      title: 'Client site move: Dune & Finch to Leeds Wellington Place',
      phase: 'SCHEDULED',
      open: true,
      closedAt: null,
      progress: { moveId: moveId(), phase: 'SCHEDULED', scheduledFor: '2026-12-08T09:00:00.000Z' },
    });
    expect(move.audit).toEqual([
      expect.objectContaining({ action: 'MOVE_SCHEDULED', dedupeKey: `move:${moveId()}:scheduled`, moveId: moveId() }),
    ]);
  });

  it('on a retry keeps the progress the workflow has reported since', async () => {
    await activities.markMoveScheduled({ moveId: moveId() });
    await activities.recordProgress(progressFor(moveId(), 'MOVING', { startedAt: NOW.toISOString() }));
    await activities.markMoveScheduled({ moveId: moveId() });
    const { task } = (await fullState(database.db, fixture)).move;
    expect(task).toMatchObject({ phase: 'MOVING', progress: { phase: 'MOVING' } });
  });

  it.each([
    ['an unknown move', '6f1d2c3b-0000-4000-8000-000000000000'],
    ['a malformed id', 'not-a-uuid'],
  ])('fails non-retryably for %s', async (_, id) => {
    await expect(activities.markMoveScheduled({ moveId: id })).rejects.toMatchObject({
      type: 'MoveDataMissing',
      nonRetryable: true,
    });
  });
});

describe('recordProgress', () => {
  beforeEach(() => activities.markMoveScheduled({ moveId: moveId() }));

  it('mirrors an active phase onto the move row and the open task', async () => {
    const progress = progressFor(moveId(), 'NEEDS_ATTENTION', {
      scheduledFor: '2026-12-09T09:00:00.000Z',
      startedAt: '2026-12-09T09:00:01.000Z',
      currentStep: 'REHOME_PHONE_NUMBERS',
      lastError: anError(),
      decisionDeadline: '2026-12-10T09:00:01.000Z',
    });
    await sameStateWhenRepeated(() => activities.recordProgress(progress));
    const { move, task } = (await fullState(database.db, fixture)).move;
    expect(move).toMatchObject({
      status: 'NEEDS_ATTENTION',
      scheduledFor: new Date('2026-12-09T09:00:00.000Z'),
      startedAt: new Date('2026-12-09T09:00:01.000Z'),
      finishedAt: null,
      lastError: 'Phone number +441170300001 is blocked by the carrier',
      needsHuman: null,
    });
    expect(task).toMatchObject({ phase: 'NEEDS_ATTENTION', open: true, closedAt: null, progress });
  });

  it("is written by the step it is handed to, in the step's own transaction, as recordProgress writes it", async () => {
    const progress = progressFor(moveId(), 'MOVING', {
      startedAt: '2026-12-09T09:00:01.000Z',
      currentStep: 'SNAPSHOT',
    });
    const expected = async () => {
      const { move, task } = (await fullState(database.db, fixture)).move;
      return { status: move.status, startedAt: move.startedAt, task: { phase: task?.phase, progress: task?.progress } };
    };
    await activities.recordProgress(progress);
    const byRecordProgress = await expected();
    // Back to as it was scheduled, then the same report handed to the snapshot instead.
    await activities.recordProgress(progressFor(moveId(), 'SCHEDULED'));
    await sameStateWhenRepeated(() => activities.snapshotMoveItems({ moveId: moveId(), mirror: progress }));
    expect(await expected()).toEqual(byRecordProgress);
    expect(byRecordProgress).toMatchObject({ status: 'MOVING', task: { phase: 'MOVING', progress } });
  });

  it('closes the task in a final phase, with finished and closed times from the progress', async () => {
    const needsHuman = [
      anError({ type: 'SpaceNotRestorable', message: 'Suite 1.01 is taken', step: 'rollback:ASSIGN_SPACES' }),
    ];
    const progress = progressFor(moveId(), 'FAILED', { finishedAt: '2026-12-09T10:00:00.000Z', needsHuman });
    await sameStateWhenRepeated(() => activities.recordProgress(progress));
    const { move, task } = (await fullState(database.db, fixture)).move;
    expect(move).toMatchObject({ status: 'FAILED', finishedAt: new Date('2026-12-09T10:00:00.000Z'), needsHuman });
    expect(task).toMatchObject({ phase: 'FAILED', open: false, closedAt: new Date('2026-12-09T10:00:00.000Z') });
  });

  it('ignores a late report of an active phase once the move is final', async () => {
    await activities.recordProgress(
      progressFor(moveId(), 'CANCELLED', { finishedAt: NOW.toISOString(), cancelReason: 'No' }),
    );
    const final = await fullState(database.db, fixture);
    await activities.recordProgress(progressFor(moveId(), 'SCHEDULED'));
    expect(await fullState(database.db, fixture)).toEqual(final);
  });

  it('stamps the move row and its task with the time it wrote them (the dashboard lists tasks by it)', async () => {
    const later = new Date('2026-12-01T10:05:00.000Z');
    const writing = createActivities({ db: database.db, mailer: noMail, now: () => later });
    await writing.recordProgress(progressFor(moveId(), 'MOVING', { startedAt: NOW.toISOString() }));
    const move = await database.db.clientSiteMove.findUniqueOrThrow({ where: { id: moveId() } });
    const task = await database.db.dashboardTask.findUniqueOrThrow({ where: { moveId: moveId() } });
    expect([move.updatedAt, task.updatedAt]).toEqual([later, later]);
  });

  it.each([
    ['an unknown move', '6f1d2c3b-0000-4000-8000-000000000000'],
    ['a malformed id', 'not-a-uuid'],
  ])('fails non-retryably for %s', async (_, id) => {
    await expect(activities.recordProgress(progressFor(id, 'MOVING'))).rejects.toMatchObject({
      type: 'MoveDataMissing',
      nonRetryable: true,
    });
  });

  // The contract the workflow's background catch-up relies on (issue 8, item 11).
  it('fails retryably while the database is down, and one report once it is back puts the whole mirror right', async () => {
    const unreachable = createDb(`postgresql://postgres:postgres@127.0.0.1:${await freePort()}/gone`);
    const progress = progressFor(moveId(), 'NEEDS_ATTENTION', {
      currentStep: 'REHOME_PHONE_NUMBERS',
      lastError: anError(),
      decisionDeadline: '2026-12-10T09:00:01.000Z',
    });
    try {
      const failure = await createActivities({ db: unreachable, mailer: noMail, now: () => NOW })
        .recordProgress(progress)
        .then(
          () => null,
          (error: unknown) => error,
        );
      // Retryable: the workflow waits the outage out and the mirror catches up.
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure).toMatchObject({ type: 'DatabaseUnavailable', nonRetryable: false });
    } finally {
      await unreachable.$disconnect();
    }
    await activities.recordProgress(progress);
    const { move, task } = (await fullState(database.db, fixture)).move;
    expect({ status: move.status, phase: task?.phase, open: task?.open }).toEqual({
      status: 'NEEDS_ATTENTION',
      phase: 'NEEDS_ATTENTION',
      open: true,
    });
  });
});

describe('finishMove', () => {
  beforeEach(() => activities.markMoveScheduled({ moveId: moveId() }));

  it.each<[FinalPhase, 'ACTIVE' | 'ACTIVE_MOVE_SCHEDULED']>([
    ['COMPLETED', 'ACTIVE'],
    ['ROLLED_BACK', 'ACTIVE'],
    ['CANCELLED', 'ACTIVE'],
    // A failed rollback left something for a human: the client is not plain ACTIVE until then.
    ['FAILED', 'ACTIVE_MOVE_SCHEDULED'],
  ])('%s: client becomes %s, move and task final, audited once', async (phase, clientStatus) => {
    const finishedAt = '2026-12-08T09:30:00.000Z';
    const progress = progressFor(moveId(), phase, {
      finishedAt,
      lastError: phase === 'COMPLETED' ? null : anError(),
      needsHuman: phase === 'FAILED' ? [anError()] : [],
      cancelReason: phase === 'CANCELLED' ? 'Client changed its mind' : null,
    });
    await sameStateWhenRepeated(() => activities.finishMove({ moveId: moveId(), phase, progress }));
    const { client, move } = await fullState(database.db, fixture);
    expect(client.client.status).toBe(clientStatus);
    expect(move.move).toMatchObject({
      status: phase,
      finishedAt: new Date(finishedAt),
      lastError: progress.lastError?.message ?? null,
      needsHuman: phase === 'FAILED' ? [anError()] : null,
      cancelReason: progress.cancelReason,
    });
    expect(move.task).toMatchObject({ phase, open: false, closedAt: new Date(finishedAt), progress: { phase } });
    expect(move.audit.map((e) => e.action)).toEqual(['MOVE_SCHEDULED', `MOVE_${phase}`]);
  });

  it("audits the actions taken in Temporal (not the operators' ones) once each, before the outcome", async () => {
    const at = '2026-12-08T09:10:00.000Z';
    const progress = progressFor(moveId(), 'CANCELLED', {
      finishedAt: '2026-12-08T09:30:00.000Z',
      cancelReason: 'Cancelled in Temporal',
      actions: [
        { action: 'move-now', byOperatorId: null, at, detail: null },
        { action: 'reschedule', byOperatorId: SUPER_ADMIN_ID, at, detail: 'by an operator' },
        { action: 'cancel', byOperatorId: null, at, detail: 'Cancelled in Temporal' },
      ],
    });
    await sameStateWhenRepeated(() => activities.finishMove({ moveId: moveId(), phase: 'CANCELLED', progress }));
    const { audit } = (await fullState(database.db, fixture)).move;
    expect(audit.map((e) => [e.action, e.dedupeKey, e.at.toISOString(), e.details])).toEqual([
      ['MOVE_SCHEDULED', `move:${moveId()}:scheduled`, NOW.toISOString(), expect.anything()],
      ['TEMPORAL_MOVE_NOW', `move:${moveId()}:action:0`, at, { action: 'move-now', detail: null }],
      ['TEMPORAL_CANCEL', `move:${moveId()}:action:2`, at, { action: 'cancel', detail: 'Cancelled in Temporal' }],
      ['MOVE_CANCELLED', `move:${moveId()}:finished`, '2026-12-08T09:30:00.000Z', expect.anything()],
    ]);
    expect(audit.every((e) => e.actorOperatorId === null && e.clientId === fixture.clientId)).toBe(true);
  });

  it('a late duplicate changes nothing, even after the client has a new move', async () => {
    const completed = progressFor(moveId(), 'COMPLETED', { finishedAt: NOW.toISOString() });
    await activities.finishMove({ moveId: moveId(), phase: 'COMPLETED', progress: completed });
    const first = fixture;
    const finished = await fullState(database.db, first);

    fixture = await insertMove(database.db, { client: CLIENT, to: 'MAN-SPF' });
    await activities.markMoveScheduled({ moveId: fixture.moveId });
    const cancelled = progressFor(first.moveId, 'CANCELLED', { finishedAt: NOW.toISOString() });
    await activities.finishMove({ moveId: first.moveId, phase: 'CANCELLED', progress: cancelled });

    expect(await fullState(database.db, { ...first, moveId: first.moveId })).toEqual({
      ...finished,
      client: { ...finished.client, client: { ...finished.client.client, status: 'ACTIVE_MOVE_SCHEDULED' } },
    });
  });
});
