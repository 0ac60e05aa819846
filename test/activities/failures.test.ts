// Failures retrying cannot fix: each is a non-retryable ApplicationFailure of its own type that
// names the item, leaves the data consistent, and goes away once its cause is fixed and the step
// retried; a rollback after it still restores the client exactly.
import { ApplicationFailure } from '@temporalio/common';
import type { MoveFailureDetails } from '../../src/domain/errors';
import { isFinalPhase } from '../../src/domain/move';
import { MOVE_STEPS, MOVE_STEP_TABLE, type MoveStep } from '../../src/domain/steps';
import {
  clientIdOf,
  clientState,
  drain,
  insertMove,
  progressFor,
  runCompensations,
  runStep,
  siteIdOf,
  spaceIdOf,
  type MoveFixture,
  seededActivities,
} from '../support/moveFixtures';

const seeded = seededActivities();
let fixture: MoveFixture | null = null;

afterEach(async () => {
  if (!fixture) return;
  const move = await seeded.database.db.clientSiteMove.findUniqueOrThrow({ where: { id: fixture.moveId } });
  if (!isFinalPhase(move.status)) await finishRolledBack(fixture.moveId);
  fixture = null;
});

/** Schedules and snapshots a move, as the workflow does before its first step. */
async function startMove(options: Parameters<typeof insertMove>[1]): Promise<MoveFixture> {
  fixture = await insertMove(seeded.database.db, options);
  await seeded.activities.markMoveScheduled({ moveId: fixture.moveId });
  await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId });
  return fixture;
}

async function finishRolledBack(moveId: string): Promise<void> {
  const progress = progressFor(moveId, 'ROLLED_BACK', { finishedAt: new Date().toISOString() });
  await seeded.activities.finishMove({ moveId, phase: 'ROLLED_BACK', progress });
}

/** Runs every step before `step`, as the workflow would have. */
async function runStepsBefore(step: MoveStep, moveId: string): Promise<void> {
  for (const row of MOVE_STEP_TABLE.slice(0, MOVE_STEPS.indexOf(step))) {
    await runStep(seeded.activities, row, 'forward', moveId, 10);
  }
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
    seeded.database.db.phoneNumber.findFirstOrThrow({
      where: { clientId: clientIdOf('Evergreen Health'), status: 'BLOCKED' },
    });

  it('moves the rest of the batch, fails the blocked number non-retryably, and succeeds once unblocked', async () => {
    const before = await clientState(seeded.database.db, clientIdOf('Evergreen Health'));
    const { moveId, destinationSiteId } = await startMove(evergreen);
    const blocked = await blockedNumber();
    await drain(seeded.activities.provisionServices, { moveId, batchSize: 50 });
    // The blocked number sorts last, so it is in the second batch of 50.
    expect(await seeded.activities.rehomePhoneNumbers({ moveId, batchSize: 50 })).toEqual({
      processed: 50,
      remaining: 30,
      done: 50,
    });

    const { failure, details } = await failureOf(seeded.activities.rehomePhoneNumbers({ moveId, batchSize: 50 }));
    expect(failure.type).toBe('PhoneNumberBlocked');
    expect(failure.message).toContain(blocked.number);
    expect(details).toEqual({
      item: { kind: 'PHONE_NUMBER', id: blocked.id, label: blocked.number },
      moreFailedItems: 0,
    });
    const item = await seeded.database.db.moveItem.findFirstOrThrow({ where: { moveId, itemId: blocked.id } });
    expect(item).toMatchObject({ status: 'FAILED', error: expect.stringContaining('blocked') as unknown });
    const moved = await seeded.database.db.phoneNumber.count({
      where: { clientId: blocked.clientId, siteId: destinationSiteId },
    });
    expect(moved).toBe(79);
    expect((await blockedNumber()).siteId).toBe(before.client.siteId);

    // An operator's retry before the carrier unblocks it fails the same way and changes nothing.
    await expect(seeded.activities.rehomePhoneNumbers({ moveId, batchSize: 50 })).rejects.toMatchObject({
      type: 'PhoneNumberBlocked',
    });

    await seeded.database.db.phoneNumber.update({ where: { id: blocked.id }, data: { status: 'ACTIVE' } });
    expect(await seeded.activities.rehomePhoneNumbers({ moveId, batchSize: 50 })).toEqual({
      processed: 1,
      remaining: 0,
      done: 80,
    });
    expect(await seeded.database.db.moveItem.findFirstOrThrow({ where: { moveId, itemId: blocked.id } })).toMatchObject(
      {
        status: 'MOVED',
        error: null,
      },
    );

    await runCompensations(seeded.activities, moveId, 50);
    await seeded.database.db.phoneNumber.update({ where: { id: blocked.id }, data: { status: 'BLOCKED' } });
    await finishRolledBack(moveId);
    expect(await clientState(seeded.database.db, blocked.clientId)).toEqual(before);
  });

  it('a rollback after the failure puts back the numbers that moved, and leaves the blocked one alone', async () => {
    const before = await clientState(seeded.database.db, clientIdOf('Evergreen Health'));
    const { moveId } = await startMove(evergreen);
    await drain(seeded.activities.provisionServices, { moveId, batchSize: 500 });
    await expect(seeded.activities.rehomePhoneNumbers({ moveId, batchSize: 500 })).rejects.toMatchObject({
      type: 'PhoneNumberBlocked',
    });
    await runCompensations(seeded.activities, moveId, 500);
    await finishRolledBack(moveId);
    expect(await clientState(seeded.database.db, clientIdOf('Evergreen Health'))).toEqual(before);
  });

  it('beside a number gone since the snapshot (which sorts first), the step still fails as PhoneNumberBlocked', async () => {
    const { moveId } = await startMove(evergreen);
    const blocked = await blockedNumber();
    const gone = await seeded.database.db.phoneNumber.findFirstOrThrow({
      where: { clientId: blocked.clientId },
      orderBy: { number: 'asc' },
    });
    await seeded.database.db.phoneNumber.delete({ where: { id: gone.id } });
    try {
      await drain(seeded.activities.provisionServices, { moveId, batchSize: 500 });
      const { failure, details } = await failureOf(seeded.activities.rehomePhoneNumbers({ moveId, batchSize: 500 }));
      expect(failure.type).toBe('PhoneNumberBlocked');
      expect(details).toEqual({
        item: { kind: 'PHONE_NUMBER', id: blocked.id, label: blocked.number },
        moreFailedItems: 1,
      });
      await runCompensations(seeded.activities, moveId, 500);
    } finally {
      await seeded.database.db.phoneNumber.create({ data: gone });
    }
  });
});

describe('spaces', () => {
  // Dune & Finch holds space 1 at Bristol Temple Quay; Cobalt Legal is another client.
  const dune = clientIdOf('Dune & Finch');
  const cobalt = clientIdOf('Cobalt Legal LLP');

  it('SpaceOccupied: a chosen space taken by another client fails the step with nothing assigned', async () => {
    const before = await clientState(seeded.database.db, dune);
    const taken = spaceIdOf('LDS-WEL', 2);
    const { moveId } = await startMove({ client: 'Dune & Finch', to: 'LDS-WEL', targetSpaces: [1, 2] });
    await runStepsBefore('ASSIGN_SPACES', moveId);
    await seeded.database.db.space.update({ where: { id: taken }, data: { clientId: cobalt } });

    const { failure, details } = await failureOf(seeded.activities.assignSpaces({ moveId }));
    expect(failure.type).toBe('SpaceOccupied');
    expect(details).toEqual({ item: { kind: 'SPACE', id: taken, label: 'Suite 1.02' }, moreFailedItems: 0 });
    expect((await clientState(seeded.database.db, dune)).spaceIds).toEqual(before.spaceIds);
    expect((await seeded.database.db.space.findUniqueOrThrow({ where: { id: taken } })).clientId).toBe(cobalt);

    await seeded.database.db.space.update({ where: { id: taken }, data: { clientId: null } });
    await seeded.activities.assignSpaces({ moveId });
    expect((await clientState(seeded.database.db, dune)).spaceIds).toEqual([spaceIdOf('LDS-WEL', 1), taken].sort());

    await runCompensations(seeded.activities, moveId, 10);
    await finishRolledBack(moveId);
    expect(await clientState(seeded.database.db, dune)).toEqual(before);
  });

  it('a rollback after SpaceOccupied frees only what this move took: the other client keeps its space', async () => {
    const before = await clientState(seeded.database.db, dune);
    const taken = spaceIdOf('LDS-WEL', 2);
    const { moveId } = await startMove({ client: 'Dune & Finch', to: 'LDS-WEL', targetSpaces: [1, 2] });
    await runStepsBefore('ASSIGN_SPACES', moveId);
    await seeded.database.db.space.update({ where: { id: taken }, data: { clientId: cobalt } });
    expect((await failureOf(seeded.activities.assignSpaces({ moveId }))).failure.type).toBe('SpaceOccupied');

    // The workflow undoes every begun step, the failed one included.
    await runCompensations(seeded.activities, moveId, 10);
    await finishRolledBack(moveId);
    expect((await seeded.database.db.space.findUniqueOrThrow({ where: { id: taken } })).clientId).toBe(cobalt);
    expect(await clientState(seeded.database.db, dune)).toEqual(before);
    await seeded.database.db.space.update({ where: { id: taken }, data: { clientId: null } });
  });

  it('SpaceNotRestorable: rollback releases the new spaces and gives back what it can, then fails non-retryably', async () => {
    const before = await clientState(seeded.database.db, dune);
    const original = spaceIdOf('BRS-TQY', 1);
    const { moveId } = await startMove({ client: 'Dune & Finch', to: 'LDS-WEL', targetSpaces: [3] });
    await runStepsBefore('DECOMMISSION_SOURCE_SERVICES', moveId);
    await seeded.activities.assignSpaces({ moveId });
    await seeded.database.db.space.update({ where: { id: original }, data: { clientId: cobalt } });

    const { failure, details } = await failureOf(seeded.activities.restoreSpaces({ moveId }));
    expect(failure.type).toBe('SpaceNotRestorable');
    expect(details).toEqual({ item: { kind: 'SPACE', id: original, label: 'Suite 1.01' }, moreFailedItems: 0 });
    expect((await clientState(seeded.database.db, dune)).spaceIds).toEqual([]);
    expect(
      (await seeded.database.db.space.findUniqueOrThrow({ where: { id: spaceIdOf('LDS-WEL', 3) } })).clientId,
    ).toBeNull();

    // Once a person frees the space, the compensation completes.
    await seeded.database.db.space.update({ where: { id: original }, data: { clientId: null } });
    await runCompensations(seeded.activities, moveId, 10);
    await finishRolledBack(moveId);
    expect(await clientState(seeded.database.db, dune)).toEqual(before);
  });

  it('InvalidChoice: a chosen space that is not at the destination is refused', async () => {
    const { moveId } = await startMove({ client: 'Dune & Finch', to: 'LDS-WEL' });
    const elsewhere = spaceIdOf('MAN-SPF', 11);
    await seeded.database.db.clientSiteMoveSpace.create({ data: { moveId, spaceId: elsewhere, role: 'TARGET' } });
    const { failure, details } = await failureOf(seeded.activities.assignSpaces({ moveId }));
    expect(failure.type).toBe('InvalidChoice');
    expect(details.item).toMatchObject({ kind: 'SPACE', id: elsewhere });
  });
});

describe('services', () => {
  it("removing provisioned services removes only this move's own, never a service an item wrongly points at", async () => {
    const dune = clientIdOf('Dune & Finch');
    const before = await clientState(seeded.database.db, dune);
    const { moveId } = await startMove({ client: 'Dune & Finch', to: 'LDS-WEL' });
    await runStepsBefore('REHOME_PHONE_NUMBERS', moveId);
    // One item now names another client's live service, as a bug or a hand edit might leave it.
    const foreign = await seeded.database.db.service.findFirstOrThrow({
      where: { clientId: clientIdOf('Cobalt Legal LLP'), status: 'ACTIVE' },
    });
    const item = await seeded.database.db.moveItem.findFirstOrThrow({ where: { moveId, kind: 'SERVICE' } });
    await seeded.database.db.moveItem.update({ where: { id: item.id }, data: { newItemId: foreign.id } });

    await drain(seeded.activities.removeProvisionedServices, { moveId, batchSize: 10 });
    expect(await seeded.database.db.service.findUnique({ where: { id: foreign.id } })).toMatchObject({
      clientId: foreign.clientId,
      status: 'ACTIVE',
    });
    // The service this move did make for that item is still there; tidy it away by hand.
    await seeded.database.db.service.deleteMany({ where: { replacesServiceId: item.itemId } });
    await runCompensations(seeded.activities, moveId, 10);
    await finishRolledBack(moveId);
    expect(await clientState(seeded.database.db, dune)).toEqual(before);
  });
});

describe('provisioning an item whose service already exists', () => {
  it('adopts the one this move made at the destination; one at another site fails the item, and no second is made', async () => {
    const { moveId } = await startMove({ client: 'Dune & Finch', to: 'LDS-WEL' });
    await drain(seeded.activities.provisionServices, { moveId, batchSize: 10 });
    const [adopted, leftover] = await seeded.database.db.moveItem.findMany({
      where: { moveId, kind: 'SERVICE' },
      orderBy: { label: 'asc' },
      take: 2,
    });
    // Both records lose their link, as if never provisioned: a retry must find the services made.
    await seeded.database.db.moveItem.updateMany({
      where: { id: { in: [adopted!.id, leftover!.id] } },
      data: { status: 'PENDING', newItemId: null },
    });
    await seeded.database.db.service.update({
      where: { id: leftover!.newItemId! },
      data: { siteId: siteIdOf('BRS-TQY') },
    });
    const services = await seeded.database.db.service.count();

    const { failure, details } = await failureOf(seeded.activities.provisionServices({ moveId, batchSize: 10 }));
    expect(failure.type).toBe('MoveDataMissing');
    expect(details.item).toMatchObject({ kind: 'SERVICE', id: leftover!.itemId });
    expect(await seeded.database.db.service.count()).toBe(services);
    expect(await seeded.database.db.moveItem.findUniqueOrThrow({ where: { id: adopted!.id } })).toMatchObject({
      status: 'MOVED',
      newItemId: adopted!.newItemId,
    });
    expect(await seeded.database.db.moveItem.findUniqueOrThrow({ where: { id: leftover!.id } })).toMatchObject({
      status: 'FAILED',
      newItemId: null,
    });
    // Tidy the leftover away by hand, so the rollback leaves the client as it was.
    await seeded.database.db.service.delete({ where: { id: leftover!.newItemId! } });
  });
});

describe('an item that disappeared after the snapshot', () => {
  it('fails the step as MoveDataMissing, naming it, after moving the rest of the batch', async () => {
    const before = await clientState(seeded.database.db, clientIdOf('Dune & Finch'));
    const client = await seeded.database.db.client.findUniqueOrThrow({ where: { id: clientIdOf('Dune & Finch') } });
    const leaver = await seeded.database.db.clientUser.create({
      data: { clientId: client.id, siteId: client.siteId, name: 'Gone Soon', email: 'gone.soon@dunefinch.example' },
    });
    const { moveId } = await startMove({ client: 'Dune & Finch', to: 'LDS-WEL' });
    await seeded.database.db.clientUser.delete({ where: { id: leaver.id } });

    const { failure, details } = await failureOf(seeded.activities.moveUsers({ moveId, batchSize: 10 }));
    expect(failure.type).toBe('MoveDataMissing');
    expect(details).toEqual({ item: { kind: 'USER', id: leaver.id, label: 'Gone Soon' }, moreFailedItems: 0 });
    expect(await seeded.database.db.moveItem.count({ where: { moveId, kind: 'USER', status: 'MOVED' } })).toBe(3);

    await runCompensations(seeded.activities, moveId, 10);
    await finishRolledBack(moveId);
    expect(await clientState(seeded.database.db, client.id)).toEqual(before);
  });
});

describe('an unknown move', () => {
  const moveId = '6f1d2c3b-0000-4000-8000-000000000000';
  const batch = { moveId, batchSize: 10 };
  const finish = { moveId, phase: 'COMPLETED' as const, progress: progressFor(moveId, 'COMPLETED') };
  const calls: [string, () => Promise<unknown>][] = [
    ['snapshotMoveItems', () => seeded.activities.snapshotMoveItems({ moveId })],
    ['provisionServices', () => seeded.activities.provisionServices(batch)],
    ['rehomePhoneNumbers', () => seeded.activities.rehomePhoneNumbers(batch)],
    ['moveUsers', () => seeded.activities.moveUsers(batch)],
    ['applyTariffAndBundle', () => seeded.activities.applyTariffAndBundle({ moveId })],
    ['assignSpaces', () => seeded.activities.assignSpaces({ moveId })],
    ['decommissionSourceServices', () => seeded.activities.decommissionSourceServices(batch)],
    ['removeProvisionedServices', () => seeded.activities.removeProvisionedServices(batch)],
    ['restorePhoneNumbers', () => seeded.activities.restorePhoneNumbers(batch)],
    ['restoreUsers', () => seeded.activities.restoreUsers(batch)],
    ['restoreTariffAndBundle', () => seeded.activities.restoreTariffAndBundle({ moveId })],
    ['restoreSpaces', () => seeded.activities.restoreSpaces({ moveId })],
    ['recommissionSourceServices', () => seeded.activities.recommissionSourceServices(batch)],
    ['finishMove', () => seeded.activities.finishMove(finish)],
    ['sendOutcomeEmail', () => seeded.activities.sendOutcomeEmail(finish)],
  ];

  it.each(calls)('%s fails non-retryably with MoveDataMissing', async (_, call) => {
    const { failure } = await failureOf(call());
    expect(failure.type).toBe('MoveDataMissing');
  });
});
