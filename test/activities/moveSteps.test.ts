// Snapshot, each forward step and its compensation on a small demo client, against real PostgreSQL:
// every activity run twice leaves the same state, and each compensation (run after the steps before
// it, as the workflow does) gives the client back exactly as it was.
import { MockActivityEnvironment } from '@temporalio/testing';
import type { BatchResult } from '../../src/activities/contract';
import type { ItemKind } from '../../src/domain/move';
import { MOVE_STEPS, isBatched, stepRow, type MoveStep } from '../../src/domain/steps';
import {
  bundleIdOf,
  clientState,
  fullState,
  insertMove,
  progressFor,
  runCompensations,
  runStep,
  spaceIdOf,
  tariffIdOf,
  type MoveFixture,
  seededActivities,
} from '../support/moveFixtures';

// A small demo client at London Shoreditch, with one space there; counts come from its data.
const CLIENT = 'Brightwave Studios';
const BATCH = 4;

const seeded = seededActivities();
let fixture: MoveFixture;
let before: Awaited<ReturnType<typeof clientState>>;

beforeEach(async () => {
  fixture = await insertMove(seeded.database.db, {
    client: CLIENT,
    to: 'MAN-SPF',
    tariff: 'Premium',
    targetSpaces: [5, 6],
  });
  await seeded.activities.markMoveScheduled({ moveId: fixture.moveId });
  // Taken once scheduled: compensations restore items, finishMove restores the client's status.
  before = await clientState(seeded.database.db, fixture.clientId);
});

afterEach(async () => {
  // Whatever a test did, undo it and close the move, so the next test can start one for the client.
  await runCompensations(seeded.activities, fixture.moveId, 100);
  const finishedAt = new Date().toISOString();
  await seeded.activities.finishMove({
    moveId: fixture.moveId,
    phase: 'ROLLED_BACK',
    progress: progressFor(fixture.moveId, 'ROLLED_BACK', { finishedAt }),
  });
});

const input = () => ({ moveId: fixture.moveId, batchSize: BATCH });

const forward = (step: MoveStep) => runStep(seeded.activities, stepRow(step), 'forward', fixture.moveId, BATCH);
const compensate = (step: MoveStep) => runStep(seeded.activities, stepRow(step), 'undo', fixture.moveId, BATCH);

/** How many items of a kind the client has, from the data (what a batched step carries). */
const itemsOf = (kind: ItemKind): number =>
  ({
    SERVICE: before.services.filter((s) => s.status === 'ACTIVE').length,
    PHONE_NUMBER: before.phoneNumbers.length,
    USER: before.users.length,
  })[kind];

/** Runs `run` again and expects nothing to change. */
async function expectSameStateWhenRepeated(run: () => Promise<void>): Promise<void> {
  const once = await fullState(seeded.database.db, fixture);
  await run();
  expect(await fullState(seeded.database.db, fixture)).toEqual(once);
}

type State = Awaited<ReturnType<typeof clientState>>;

/** What each forward step visibly changes. */
const EFFECT: Record<MoveStep, (after: State) => void> = {
  PROVISION_SERVICES: (after) => {
    const made = after.services.filter((s) => s.replacesServiceId !== null);
    expect(made).toHaveLength(before.services.length);
    expect(made.every((s) => s.siteId === fixture.destinationSiteId && s.status === 'ACTIVE')).toBe(true);
    expect(new Set(made.map((s) => s.replacesServiceId))).toEqual(new Set(before.services.map((s) => s.id)));
  },
  REHOME_PHONE_NUMBERS: (after) =>
    expect(after.phoneNumbers.every((p) => p.siteId === fixture.destinationSiteId)).toBe(true),
  MOVE_USERS: (after) => expect(after.users.every((u) => u.siteId === fixture.destinationSiteId)).toBe(true),
  APPLY_TARIFF_AND_BUNDLE: (after) =>
    expect(after.client).toMatchObject({
      siteId: fixture.destinationSiteId,
      tariffId: tariffIdOf('MAN-SPF', 'Premium'),
      minuteBundleId: bundleIdOf('MAN-SPF', '500 minutes'),
    }),
  ASSIGN_SPACES: (after) => expect(after.spaceIds).toEqual([...fixture.targetSpaceIds].sort()),
  DECOMMISSION_SOURCE_SERVICES: (after) => {
    const source = after.services.filter((s) => s.replacesServiceId === null);
    expect(source.every((s) => s.status === 'DECOMMISSIONED' && s.decommissionedAt !== null)).toBe(true);
  },
};

describe('snapshotMoveItems', () => {
  it('records one pending item per user, number and active service, and what a rollback restores', async () => {
    const items = await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId });
    expect(items).toEqual({
      users: { total: itemsOf('USER'), done: 0 },
      phoneNumbers: { total: itemsOf('PHONE_NUMBER'), done: 0 },
      services: { total: itemsOf('SERVICE'), done: 0 },
    });
    const { move, items: rows, spaces } = (await fullState(seeded.database.db, fixture)).move;
    expect(move.originalTariffId).toBe(tariffIdOf('LDN-SHO', 'Standard'));
    expect(move.originalMinuteBundleId).toBe(bundleIdOf('LDN-SHO', '500 minutes'));
    expect(spaces.filter((s) => s.role === 'ORIGINAL').map((s) => s.spaceId)).toEqual([spaceIdOf('LDN-SHO', 4)]);
    expect(rows.every((r) => r.status === 'PENDING')).toBe(true);
    expect(rows.every((r) => r.fromSiteId === fixture.sourceSiteId && r.toSiteId === fixture.destinationSiteId)).toBe(
      true,
    );
    const numberItem = rows.find((r) => r.kind === 'PHONE_NUMBER' && r.itemId === before.phoneNumbers[0]!.id);
    expect(numberItem?.label).toBe(before.phoneNumbers[0]!.number);
    await expectSameStateWhenRepeated(
      async () => void (await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId })),
    );
  });

  it("gives the records time-ordered ids (UUIDv7's layout), so they go in at the end of the primary key", async () => {
    const before = Date.now();
    await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId });
    const after = Date.now();
    const { items: rows } = (await fullState(seeded.database.db, fixture)).move;
    expect(rows.length).toBeGreaterThan(0);
    for (const { id } of rows) {
      const hex = id.replaceAll('-', '');
      // Version 7, RFC 9562 variant, and the first 48 bits the time of the insert in milliseconds.
      expect({ version: hex[12], variant: '89ab'.includes(hex[16]!) }).toEqual({ version: '7', variant: true });
      const ms = parseInt(hex.slice(0, 12), 16);
      expect(ms).toBeGreaterThanOrEqual(before - 5_000);
      expect(ms).toBeLessThanOrEqual(after + 5_000);
    }
  });

  it('on a re-run adds what is new, keeps the first originals and reports what already moved', async () => {
    await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId });
    await seeded.activities.moveUsers({ moveId: fixture.moveId, batchSize: 10 });
    const late = await seeded.database.db.clientUser.create({
      data: {
        clientId: fixture.clientId,
        siteId: fixture.sourceSiteId,
        name: 'Late Joiner',
        email: 'late.joiner@brightwave.example',
      },
    });
    const again = await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId });
    expect(again.users).toEqual({ total: itemsOf('USER') + 1, done: 10 });
    expect(again.phoneNumbers).toEqual({ total: itemsOf('PHONE_NUMBER'), done: 0 });
    const move = await seeded.database.db.clientSiteMove.findUniqueOrThrow({ where: { id: fixture.moveId } });
    expect(move.originalTariffId).toBe(tariffIdOf('LDN-SHO', 'Standard'));
    await seeded.database.db.clientUser.delete({ where: { id: late.id } });
  });

  it('a late attempt, after the steps up to the new tariff ran, keeps the first originals and changes nothing', async () => {
    await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId });
    for (const step of MOVE_STEPS.slice(0, MOVE_STEPS.indexOf('APPLY_TARIFF_AND_BUNDLE') + 1)) await forward(step);
    // An attempt Temporal gave up on commits after its retry, and the steps after it, went on.
    await expectSameStateWhenRepeated(
      async () => void (await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId })),
    );
    const { move } = (await fullState(seeded.database.db, fixture)).move;
    expect(move.originalTariffId).toBe(tariffIdOf('LDN-SHO', 'Standard'));
  });

  it('refuses, non-retryably, when the client is no longer at the source site (and its mirror with it)', async () => {
    const original = await seeded.database.db.client.findUniqueOrThrow({ where: { id: fixture.clientId } });
    const before = (await fullState(seeded.database.db, fixture)).move;
    await seeded.database.db.client.update({
      where: { id: fixture.clientId },
      data: {
        siteId: fixture.destinationSiteId,
        tariffId: tariffIdOf('MAN-SPF', 'Standard'),
        minuteBundleId: bundleIdOf('MAN-SPF', '500 minutes'),
      },
    });
    try {
      const mirror = progressFor(fixture.moveId, 'MOVING', { currentStep: 'SNAPSHOT' });
      await expect(seeded.activities.snapshotMoveItems({ moveId: fixture.moveId, mirror })).rejects.toMatchObject({
        type: 'MoveDataMissing',
        nonRetryable: true,
      });
      expect(await seeded.database.db.moveItem.count({ where: { moveId: fixture.moveId } })).toBe(0);
      // The progress handed to it to mirror went with its transaction.
      const after = (await fullState(seeded.database.db, fixture)).move;
      expect({ status: after.move.status, task: after.task }).toEqual({
        status: before.move.status,
        task: before.task,
      });
    } finally {
      await seeded.database.db.client.update({
        where: { id: fixture.clientId },
        data: { siteId: original.siteId, tariffId: original.tariffId, minuteBundleId: original.minuteBundleId },
      });
    }
  });
});

describe('batches', () => {
  it('take at most batchSize items and report processed, remaining and done', async () => {
    await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId });
    const users = itemsOf('USER');
    expect(users % 10).not.toBe(0); // so the last batch is a short one
    const calls = Math.ceil(users / 10) + 1;
    const results = [];
    for (let i = 0; i < calls; i++)
      results.push(await seeded.activities.moveUsers({ moveId: fixture.moveId, batchSize: 10 }));
    // Full batches of 10, a short last one, then a call that finds nothing left to do.
    expect(results.map((r) => r.processed)).toEqual([...Array<number>(calls - 2).fill(10), users % 10, 0]);
    expect(results.map((r) => r.done)).toEqual(results.map((_, i) => Math.min(users, 10 * (i + 1))));
    expect(results.map((r) => r.remaining)).toEqual(results.map((r) => users - r.done));
  });

  it('go in a fixed order, so the same items make the same batch', async () => {
    await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId });
    await seeded.activities.rehomePhoneNumbers({ moveId: fixture.moveId, batchSize: 5 });
    const moved = await seeded.database.db.phoneNumber.findMany({
      where: { clientId: fixture.clientId, siteId: fixture.destinationSiteId },
      orderBy: { number: 'asc' },
    });
    const lowest = [...before.phoneNumbers].sort((x, y) => x.number.localeCompare(y.number)).slice(0, 5);
    expect(moved.map((p) => p.id)).toEqual(lowest.map((p) => p.id));
  });

  it('heartbeat when run as an activity', async () => {
    await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId });
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    const result: BatchResult = await env.run(seeded.activities.provisionServices, {
      moveId: fixture.moveId,
      batchSize: BATCH,
    });
    expect(result).toEqual({ processed: BATCH, remaining: itemsOf('SERVICE') - BATCH, done: BATCH });
    expect(beats).toEqual([
      { step: 'provisionServices', batchSize: BATCH },
      { step: 'provisionServices', ...result },
    ]);
  });
});

describe.each(MOVE_STEPS.map((step, index) => [step, index] as const))('%s', (step, index) => {
  beforeEach(async () => {
    await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId });
    for (const earlier of MOVE_STEPS.slice(0, index)) await forward(earlier);
  });

  it('does its part, and doing it again changes nothing', async () => {
    await forward(step);
    EFFECT[step]((await fullState(seeded.database.db, fixture)).client);
    await expectSameStateWhenRepeated(() => forward(step));
    const row = stepRow(step);
    if (isBatched(row)) {
      // What the workflow sees when it calls a finished step again: nothing to do, all done.
      expect(await seeded.activities[row.forward](input())).toEqual({
        processed: 0,
        remaining: 0,
        done: itemsOf(row.batchedKind),
      });
    }
  });

  it('is undone exactly by its compensation (which is idempotent too), after which the earlier steps undo', async () => {
    await forward(step);
    await compensate(step);
    await expectSameStateWhenRepeated(() => compensate(step));
    const row = stepRow(step);
    if (isBatched(row)) {
      expect(await seeded.activities[row.compensation](input())).toEqual({ processed: 0, remaining: 0, done: 0 });
    }
    for (const earlier of MOVE_STEPS.slice(0, index).reverse()) await compensate(earlier);
    expect(await clientState(seeded.database.db, fixture.clientId)).toEqual(before);
  });
});

describe('a move run to the end and rolled back', () => {
  it('leaves every item ROLLED_BACK and the client exactly as before', async () => {
    await seeded.activities.snapshotMoveItems({ moveId: fixture.moveId });
    for (const step of MOVE_STEPS) await forward(step);
    await runCompensations(seeded.activities, fixture.moveId, BATCH);
    const { items } = (await fullState(seeded.database.db, fixture)).move;
    expect(items.every((i) => i.status === 'ROLLED_BACK' && i.newItemId === null && i.decommissionedAt === null)).toBe(
      true,
    );
    expect(await clientState(seeded.database.db, fixture.clientId)).toEqual(before);
  });
});
