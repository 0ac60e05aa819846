// Failures retrying cannot fix: each is a non-retryable ApplicationFailure of its own type that
// names the item, leaves the data consistent, and goes away once its cause is fixed and the step
// retried; a rollback after it still restores the client exactly.
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../src/activities';
import type { MoveActivities } from '../../src/activities/contract';
import { seedDemoData } from '../../src/dev/seed';
import type { MoveFailureDetails } from '../../src/domain/errors';
import { MOVE_STEPS, isFinalPhase } from '../../src/domain/move';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  clientIdOf,
  clientState,
  drain,
  insertMove,
  noMail,
  progressFor,
  runCompensations,
  spaceIdOf,
  type MoveFixture,
} from '../support/moveFixtures';

let t: TestDatabase;
let a: MoveActivities;
let fixture: MoveFixture | null = null;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemoData(t.db, { env: 'test' });
  a = createActivities({ db: t.db, mailer: noMail });
});
afterAll(() => t.drop());

afterEach(async () => {
  if (!fixture) return;
  const move = await t.db.clientSiteMove.findUniqueOrThrow({ where: { id: fixture.moveId } });
  if (!isFinalPhase(move.status)) await finishRolledBack(fixture.moveId);
  fixture = null;
});

/** Schedules and snapshots a move, as the workflow does before its first step. */
async function startMove(options: Parameters<typeof insertMove>[1]): Promise<MoveFixture> {
  fixture = await insertMove(t.db, options);
  await a.markMoveScheduled({ moveId: fixture.moveId });
  await a.snapshotMoveItems({ moveId: fixture.moveId });
  return fixture;
}

async function finishRolledBack(moveId: string): Promise<void> {
  const progress = progressFor(moveId, 'ROLLED_BACK', { finishedAt: new Date().toISOString() });
  await a.finishMove({ moveId, phase: 'ROLLED_BACK', progress });
}

/** The rejection of `promise`, which must be a non-retryable ApplicationFailure. */
async function failureOf(
  promise: Promise<unknown>,
): Promise<{ failure: ApplicationFailure; details: MoveFailureDetails }> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  const failure = error as ApplicationFailure;
  expect(failure.nonRetryable).toBe(true);
  return { failure, details: failure.details?.[0] as MoveFailureDetails };
}

describe('PhoneNumberBlocked (Evergreen Health has one blocked number of 80)', () => {
  const evergreen = { client: 'Evergreen Health', to: 'LDN-SHO', targetSpaces: [7] };
  const blockedNumber = () =>
    t.db.phoneNumber.findFirstOrThrow({ where: { clientId: clientIdOf('Evergreen Health'), status: 'BLOCKED' } });

  it('moves the rest of the batch, fails the blocked number non-retryably, and succeeds once unblocked', async () => {
    const before = await clientState(t.db, clientIdOf('Evergreen Health'));
    const { moveId, destinationSiteId } = await startMove(evergreen);
    const blocked = await blockedNumber();
    await drain(a.provisionServices, { moveId, batchSize: 50 });
    // The blocked number sorts last, so it is in the second batch of 50.
    expect(await a.rehomePhoneNumbers({ moveId, batchSize: 50 })).toEqual({ processed: 50, remaining: 30, done: 50 });

    const { failure, details } = await failureOf(a.rehomePhoneNumbers({ moveId, batchSize: 50 }));
    expect(failure.type).toBe('PhoneNumberBlocked');
    expect(failure.message).toContain(blocked.number);
    expect(details).toEqual({
      item: { kind: 'PHONE_NUMBER', id: blocked.id, label: blocked.number },
      moreFailedItems: 0,
    });
    const item = await t.db.moveItem.findFirstOrThrow({ where: { moveId, itemId: blocked.id } });
    expect(item).toMatchObject({ status: 'FAILED', error: expect.stringContaining('blocked') as unknown });
    const moved = await t.db.phoneNumber.count({
      where: { clientId: blocked.clientId, siteId: destinationSiteId },
    });
    expect(moved).toBe(79);
    expect((await blockedNumber()).siteId).toBe(before.client.siteId);

    // An operator's retry before the carrier unblocks it fails the same way and changes nothing.
    await expect(a.rehomePhoneNumbers({ moveId, batchSize: 50 })).rejects.toMatchObject({ type: 'PhoneNumberBlocked' });

    await t.db.phoneNumber.update({ where: { id: blocked.id }, data: { status: 'ACTIVE' } });
    expect(await a.rehomePhoneNumbers({ moveId, batchSize: 50 })).toEqual({ processed: 1, remaining: 0, done: 80 });
    expect(await t.db.moveItem.findFirstOrThrow({ where: { moveId, itemId: blocked.id } })).toMatchObject({
      status: 'MOVED',
      error: null,
    });

    await runCompensations(a, moveId, 50);
    await t.db.phoneNumber.update({ where: { id: blocked.id }, data: { status: 'BLOCKED' } });
    await finishRolledBack(moveId);
    expect(await clientState(t.db, blocked.clientId)).toEqual(before);
  });

  it('a rollback after the failure puts back the numbers that moved, and leaves the blocked one alone', async () => {
    const before = await clientState(t.db, clientIdOf('Evergreen Health'));
    const { moveId } = await startMove(evergreen);
    await drain(a.provisionServices, { moveId, batchSize: 500 });
    await expect(a.rehomePhoneNumbers({ moveId, batchSize: 500 })).rejects.toMatchObject({
      type: 'PhoneNumberBlocked',
    });
    await runCompensations(a, moveId, 500);
    await finishRolledBack(moveId);
    expect(await clientState(t.db, clientIdOf('Evergreen Health'))).toEqual(before);
  });
});

describe('spaces', () => {
  // Dune & Finch holds space 1 at Bristol Temple Quay; Cobalt Legal is another client.
  const dune = clientIdOf('Dune & Finch');
  const cobalt = clientIdOf('Cobalt Legal LLP');

  async function runStepsBefore(step: (typeof MOVE_STEPS)[number], moveId: string): Promise<void> {
    for (const s of MOVE_STEPS.slice(0, MOVE_STEPS.indexOf(step))) {
      if (s === 'PROVISION_SERVICES') await drain(a.provisionServices, { moveId, batchSize: 10 });
      if (s === 'REHOME_PHONE_NUMBERS') await drain(a.rehomePhoneNumbers, { moveId, batchSize: 10 });
      if (s === 'MOVE_USERS') await drain(a.moveUsers, { moveId, batchSize: 10 });
      if (s === 'APPLY_TARIFF_AND_BUNDLE') await a.applyTariffAndBundle({ moveId });
    }
  }

  it('SpaceOccupied: a chosen space taken by another client fails the step with nothing assigned', async () => {
    const before = await clientState(t.db, dune);
    const taken = spaceIdOf('LDS-WEL', 2);
    const { moveId } = await startMove({ client: 'Dune & Finch', to: 'LDS-WEL', targetSpaces: [1, 2] });
    await runStepsBefore('ASSIGN_SPACES', moveId);
    await t.db.space.update({ where: { id: taken }, data: { clientId: cobalt } });

    const { failure, details } = await failureOf(a.assignSpaces({ moveId }));
    expect(failure.type).toBe('SpaceOccupied');
    expect(details).toEqual({ item: { kind: 'SPACE', id: taken, label: 'Suite 1.02' }, moreFailedItems: 0 });
    expect((await clientState(t.db, dune)).spaceIds).toEqual(before.spaceIds);
    expect((await t.db.space.findUniqueOrThrow({ where: { id: taken } })).clientId).toBe(cobalt);

    await t.db.space.update({ where: { id: taken }, data: { clientId: null } });
    await a.assignSpaces({ moveId });
    expect((await clientState(t.db, dune)).spaceIds).toEqual([spaceIdOf('LDS-WEL', 1), taken].sort());

    await runCompensations(a, moveId, 10);
    await finishRolledBack(moveId);
    expect(await clientState(t.db, dune)).toEqual(before);
  });

  it('SpaceNotRestorable: rollback releases the new spaces and gives back what it can, then fails non-retryably', async () => {
    const before = await clientState(t.db, dune);
    const original = spaceIdOf('BRS-TQY', 1);
    const { moveId } = await startMove({ client: 'Dune & Finch', to: 'LDS-WEL', targetSpaces: [3] });
    await runStepsBefore('DECOMMISSION_SOURCE_SERVICES', moveId);
    await a.assignSpaces({ moveId });
    await t.db.space.update({ where: { id: original }, data: { clientId: cobalt } });

    const { failure, details } = await failureOf(a.restoreSpaces({ moveId }));
    expect(failure.type).toBe('SpaceNotRestorable');
    expect(details).toEqual({ item: { kind: 'SPACE', id: original, label: 'Suite 1.01' }, moreFailedItems: 0 });
    expect((await clientState(t.db, dune)).spaceIds).toEqual([]);
    expect((await t.db.space.findUniqueOrThrow({ where: { id: spaceIdOf('LDS-WEL', 3) } })).clientId).toBeNull();

    // Once a person frees the space, the compensation completes.
    await t.db.space.update({ where: { id: original }, data: { clientId: null } });
    await runCompensations(a, moveId, 10);
    await finishRolledBack(moveId);
    expect(await clientState(t.db, dune)).toEqual(before);
  });

  it('InvalidChoice: a chosen space that is not at the destination is refused', async () => {
    const { moveId } = await startMove({ client: 'Dune & Finch', to: 'LDS-WEL' });
    const elsewhere = spaceIdOf('MAN-SPF', 11);
    await t.db.clientSiteMoveSpace.create({ data: { moveId, spaceId: elsewhere, role: 'TARGET' } });
    const { failure, details } = await failureOf(a.assignSpaces({ moveId }));
    expect(failure.type).toBe('InvalidChoice');
    expect(details.item).toMatchObject({ kind: 'SPACE', id: elsewhere });
  });
});

describe('an item that disappeared after the snapshot', () => {
  it('fails the step as MoveDataMissing, naming it, after moving the rest of the batch', async () => {
    const before = await clientState(t.db, clientIdOf('Dune & Finch'));
    const client = await t.db.client.findUniqueOrThrow({ where: { id: clientIdOf('Dune & Finch') } });
    const leaver = await t.db.clientUser.create({
      data: { clientId: client.id, siteId: client.siteId, name: 'Gone Soon', email: 'gone.soon@dunefinch.example' },
    });
    const { moveId } = await startMove({ client: 'Dune & Finch', to: 'LDS-WEL' });
    await t.db.clientUser.delete({ where: { id: leaver.id } });

    const { failure, details } = await failureOf(a.moveUsers({ moveId, batchSize: 10 }));
    expect(failure.type).toBe('MoveDataMissing');
    expect(details).toEqual({ item: { kind: 'USER', id: leaver.id, label: 'Gone Soon' }, moreFailedItems: 0 });
    expect(await t.db.moveItem.count({ where: { moveId, kind: 'USER', status: 'MOVED' } })).toBe(3);

    await runCompensations(a, moveId, 10);
    await finishRolledBack(moveId);
    expect(await clientState(t.db, client.id)).toEqual(before);
  });
});

describe('an unknown move', () => {
  const moveId = '6f1d2c3b-0000-4000-8000-000000000000';
  const batch = { moveId, batchSize: 10 };
  const finish = { moveId, phase: 'COMPLETED' as const, progress: progressFor(moveId, 'COMPLETED') };
  const calls: [string, () => Promise<unknown>][] = [
    ['snapshotMoveItems', () => a.snapshotMoveItems({ moveId })],
    ['provisionServices', () => a.provisionServices(batch)],
    ['rehomePhoneNumbers', () => a.rehomePhoneNumbers(batch)],
    ['moveUsers', () => a.moveUsers(batch)],
    ['applyTariffAndBundle', () => a.applyTariffAndBundle({ moveId })],
    ['assignSpaces', () => a.assignSpaces({ moveId })],
    ['decommissionSourceServices', () => a.decommissionSourceServices(batch)],
    ['removeProvisionedServices', () => a.removeProvisionedServices(batch)],
    ['restorePhoneNumbers', () => a.restorePhoneNumbers(batch)],
    ['restoreUsers', () => a.restoreUsers(batch)],
    ['restoreTariffAndBundle', () => a.restoreTariffAndBundle({ moveId })],
    ['restoreSpaces', () => a.restoreSpaces({ moveId })],
    ['recommissionSourceServices', () => a.recommissionSourceServices(batch)],
    ['finishMove', () => a.finishMove(finish)],
    ['sendOutcomeEmail', () => a.sendOutcomeEmail(finish)],
  ];

  it.each(calls)('%s fails non-retryably with MoveDataMissing', async (_, call) => {
    const { failure } = await failureOf(call());
    expect(failure.type).toBe('MoveDataMissing');
  });
});
