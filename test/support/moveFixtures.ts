// Moves over the demo seed for tests: insert a move row the way the API does, drive the activities
// the way the workflow does (batches until nothing remains, compensations in reverse), and take
// snapshots of a client and a move that tests compare for "exactly as before" and "same state twice".
import { randomUUID } from 'node:crypto';
import { createActivities } from '../../src/activities';
import type { BatchInput, BatchResult, MoveActivities } from '../../src/activities/contract';
import type { Db } from '../../src/db/client';
import { seedDemoData, seedId } from '../../src/dev/seed';
import {
  scheduledProgress,
  moveWorkflowId,
  type ClientSiteMoveInput,
  type ItemProgress,
  type MovePhase,
  type MoveProgress,
} from '../../src/domain/move';
import { MOVE_STEP_TABLE, isBatched, type StepRow } from '../../src/domain/steps';
import type { Mailer } from '../../src/mail/mailer';
import { createTestDatabase, type TestDatabase } from './database';

export const clientIdOf = (name: string): string => seedId(`client/${name}`);
export const siteIdOf = (code: string): string => seedId(`site/${code}`);
export const spaceIdOf = (siteCode: string, n: number): string => seedId(`space/${siteCode}/${n}`);
export const tariffIdOf = (siteCode: string, name: string): string => seedId(`tariff/${siteCode}/${name}`);
export const bundleIdOf = (siteCode: string, name: string): string => seedId(`bundle/${siteCode}/${name}`);
export const SUPER_ADMIN_ID = seedId('operator/super-admin');
export const ADMIN_ID = seedId('operator/admin');
export const ADMIN_EMAIL = 'admin@t2.example';

export interface MoveOptions {
  /** A demo client's name, e.g. 'Acme Analytics Ltd'. */
  client: string;
  /** The destination site's code, e.g. 'MAN-SPF'. */
  to: string;
  tariff?: string;
  /** The destination bundle's name; null: the client has no minute bundle at the destination. */
  bundle?: string | null;
  /** Destination spaces by their seed number (1 to 12). */
  targetSpaces?: number[];
  /** Email the demo admin the outcome. */
  notify?: boolean;
  scheduledFor?: Date;
}

export interface MoveFixture {
  moveId: string;
  clientId: string;
  clientName: string;
  sourceSiteId: string;
  destinationSiteId: string;
  tariffId: string;
  minuteBundleId: string | null;
  targetSpaceIds: string[];
}

/** Inserts a SCHEDULED move row and its TARGET spaces, as the API does before starting the workflow. */
export async function insertMove(db: Db, options: MoveOptions): Promise<MoveFixture> {
  const clientId = clientIdOf(options.client);
  const client = await db.client.findUniqueOrThrow({ where: { id: clientId } });
  const destinationSiteId = siteIdOf(options.to);
  const fixture: MoveFixture = {
    moveId: randomUUID(),
    clientId,
    clientName: client.name,
    sourceSiteId: client.siteId,
    destinationSiteId,
    tariffId: tariffIdOf(options.to, options.tariff ?? 'Standard'),
    minuteBundleId: options.bundle === null ? null : bundleIdOf(options.to, options.bundle ?? '500 minutes'),
    targetSpaceIds: (options.targetSpaces ?? []).map((n) => spaceIdOf(options.to, n)),
  };
  await db.clientSiteMove.create({
    data: {
      id: fixture.moveId,
      clientId,
      requestedById: SUPER_ADMIN_ID,
      sourceSiteId: client.siteId,
      destinationSiteId,
      tariffId: fixture.tariffId,
      minuteBundleId: fixture.minuteBundleId,
      moveNow: options.scheduledFor === undefined,
      scheduledFor: options.scheduledFor ?? new Date(),
      notifyOperatorId: options.notify ? ADMIN_ID : null,
      workflowId: moveWorkflowId(clientId),
      spaces: { create: fixture.targetSpaceIds.map((spaceId) => ({ spaceId, role: 'TARGET' as const })) },
    },
  });
  return fixture;
}

/** The workflow input the API would start this move with (move now, batches of 500). */
export function moveInputFor(fixture: MoveFixture, overrides: Partial<ClientSiteMoveInput> = {}): ClientSiteMoveInput {
  return {
    moveId: fixture.moveId,
    clientId: fixture.clientId,
    clientName: fixture.clientName,
    sourceSiteId: fixture.sourceSiteId,
    destinationSiteId: fixture.destinationSiteId,
    scheduledFor: new Date().toISOString(),
    moveNow: true,
    notify: false,
    batchSize: 500,
    decisionTimeout: '24 hours',
    ...overrides,
  };
}

/** A MoveProgress as the workflow would report it. */
export function progressFor(moveId: string, phase: MovePhase, overrides: Partial<MoveProgress> = {}): MoveProgress {
  const at = '2026-12-01T09:00:00.000Z';
  return { ...scheduledProgress(moveId, at, false, at), phase, currentStep: null, ...overrides };
}

type BatchActivity = (input: BatchInput) => Promise<BatchResult>;

/** Calls a batched activity until nothing remains, as the workflow does; fails instead of looping forever. */
export async function drain(
  activity: BatchActivity,
  input: BatchInput,
  maxCalls = 1_000,
): Promise<{ calls: number; processed: number; last: BatchResult }> {
  let processed = 0;
  for (let calls = 1; calls <= maxCalls; calls++) {
    const last = await activity(input);
    processed += last.processed;
    if (last.remaining === 0) return { calls, processed, last };
  }
  throw new Error(`Still items remaining after ${maxCalls} calls`);
}

/** Runs one step's activity (or its compensation) on real activities to the end, as the workflow does. */
export async function runStep(
  activities: MoveActivities,
  row: StepRow,
  direction: 'forward' | 'undo',
  moveId: string,
  batchSize: number,
): Promise<void> {
  if (!isBatched(row)) {
    const single = direction === 'forward' ? activities[row.forward] : activities[row.compensation];
    return single({ moveId });
  }
  await drain(direction === 'forward' ? activities[row.forward] : activities[row.compensation], { moveId, batchSize });
}

/** Every forward step after the snapshot, in the workflow's order. */
export async function runForwardSteps(activities: MoveActivities, moveId: string, batchSize: number): Promise<void> {
  for (const row of MOVE_STEP_TABLE) await runStep(activities, row, 'forward', moveId, batchSize);
}

/** Every compensation, in reverse order of the forward steps. */
export async function runCompensations(activities: MoveActivities, moveId: string, batchSize: number): Promise<void> {
  for (const row of [...MOVE_STEP_TABLE].reverse()) await runStep(activities, row, 'undo', moveId, batchSize);
}

/** The client's items as a move would carry them now, counted from the data: every user and number, live services. */
export async function itemProgressOf(db: Db, clientId: string, done: 'none' | 'all'): Promise<ItemProgress> {
  const [users, phoneNumbers, services] = await Promise.all([
    db.clientUser.count({ where: { clientId } }),
    db.phoneNumber.count({ where: { clientId } }),
    db.service.count({ where: { clientId, status: 'ACTIVE' } }),
  ]);
  const kind = (total: number) => ({ total, done: done === 'all' ? total : 0 });
  return { users: kind(users), phoneNumbers: kind(phoneNumbers), services: kind(services) };
}

/** Everything a move may change about a client, in a stable order: equal snapshots mean "exactly as before". */
export async function clientState(db: Db, clientId: string) {
  const [client, users, phoneNumbers, services, spaces] = await Promise.all([
    db.client.findUniqueOrThrow({
      where: { id: clientId },
      select: { siteId: true, tariffId: true, minuteBundleId: true, status: true },
    }),
    db.clientUser.findMany({
      where: { clientId },
      select: { id: true, siteId: true, name: true, email: true },
      orderBy: { id: 'asc' },
    }),
    db.phoneNumber.findMany({
      where: { clientId },
      select: { id: true, number: true, siteId: true, status: true },
      orderBy: { id: 'asc' },
    }),
    db.service.findMany({
      where: { clientId },
      select: {
        id: true,
        siteId: true,
        type: true,
        name: true,
        status: true,
        replacesServiceId: true,
        decommissionedAt: true,
      },
      orderBy: { id: 'asc' },
    }),
    db.space.findMany({ where: { clientId }, select: { id: true }, orderBy: { id: 'asc' } }),
  ]);
  return { client, users, phoneNumbers, services, spaceIds: spaces.map((s) => s.id) };
}

/** The move's own records (without updated_at, which Prisma bumps on every write). */
export async function moveState(db: Db, moveId: string) {
  const [move, items, spaces, task, audit, emails] = await Promise.all([
    db.clientSiteMove.findUniqueOrThrow({ where: { id: moveId }, omit: { updatedAt: true } }),
    db.moveItem.findMany({
      where: { moveId },
      omit: { updatedAt: true },
      orderBy: [{ kind: 'asc' }, { itemId: 'asc' }],
    }),
    db.clientSiteMoveSpace.findMany({ where: { moveId }, orderBy: [{ role: 'asc' }, { spaceId: 'asc' }] }),
    db.dashboardTask.findUnique({ where: { moveId }, omit: { updatedAt: true } }),
    db.auditEntry.findMany({ where: { moveId }, orderBy: { id: 'asc' } }),
    db.emailOutbox.findMany({ where: { moveId }, orderBy: { dedupeKey: 'asc' } }),
  ]);
  return { move, items, spaces, task, audit, emails };
}

/** Client and move together: what "running it twice leaves the same state" compares. */
export async function fullState(db: Db, fixture: MoveFixture) {
  return { client: await clientState(db, fixture.clientId), move: await moveState(db, fixture.moveId) };
}

/** For tests that must not send mail: any attempt fails the test. */
export const noMail: Mailer = {
  send: () => Promise.reject(new Error('This test sends no mail')),
};

/**
 * For a file of activity tests: a database with the demo seed and the activities over it (no mail),
 * made before the file's tests and dropped after them. Its fields are there once the tests run.
 */
export function seededActivities(): { database: TestDatabase; activities: MoveActivities } {
  const seeded = {} as { database: TestDatabase; activities: MoveActivities };
  beforeAll(async () => {
    seeded.database = await createTestDatabase();
    await seedDemoData(seeded.database.db, { env: 'test' });
    seeded.activities = createActivities({ db: seeded.database.db, mailer: noMail });
  });
  afterAll(() => seeded.database.drop());
  return seeded;
}
