// One batch of a batched step or compensation: pick at most batchSize of the move's items that the
// step still has to do (in a fixed order), change them with a few bulk statements, and count what is
// left, all in one transaction. Items a step cannot change are marked FAILED with the reason, and the
// step throws a non-retryable failure naming them, after the rest of the batch is committed.
import { Prisma } from '../../db/client';
import { MoveFailureType } from '../../domain/errors';
import type { ItemKind } from '../../domain/move';
import type { BatchInput, BatchResult } from '../contract';
import type { ActivityDeps } from './deps';
import { describeItems, moveFailure, type FailedItem } from './failures';
import { heartbeat } from './activityContext';
import { TX_OPTIONS, lockMove, type Tx } from './moveRecord';

export interface MoveItemRow {
  id: string;
  itemId: string;
  label: string;
  fromSiteId: string;
  toSiteId: string;
  newItemId: string | null;
}

export interface ItemFailure {
  item: MoveItemRow;
  type: MoveFailureType;
  error: string;
}

export interface BatchStep {
  name: string;
  kind: ItemKind;
  /** SQL condition on move_item: items this step still has to do. */
  todo: Prisma.Sql;
  /** SQL condition on move_item: items in the forward step's end state (a compensation's are "still done"). */
  done: Prisma.Sql;
  /** Changes the batch's items and their move_item rows; returns the items it could not change. */
  apply(tx: Tx, batch: MoveItemRow[], now: Date): Promise<ItemFailure[]>;
}

/** Items a forward step (re)tries: new ones, and ones an operator asked to retry after a failure. */
export const NOT_YET_MOVED = Prisma.sql`status IN ('PENDING', 'FAILED')`;
export const MOVED = Prisma.sql`status = 'MOVED'`;

export async function runBatch(deps: ActivityDeps, step: BatchStep, input: BatchInput): Promise<BatchResult> {
  const limit = Math.max(1, Math.floor(input.batchSize));
  const now = deps.now();
  const { result, failures } = await deps.db.$transaction(async (tx) => {
    await lockMove(tx, input.moveId);
    const batch = await tx.$queryRaw<MoveItemRow[]>`
      SELECT id, item_id AS "itemId", label, from_site_id AS "fromSiteId", to_site_id AS "toSiteId",
             new_item_id AS "newItemId"
      FROM move_item
      WHERE move_id = ${input.moveId}::uuid AND kind = ${step.kind}::"MoveItemKind" AND (${step.todo})
      ORDER BY label, item_id
      LIMIT ${limit}`;
    heartbeat({ step: step.name, picked: batch.length });
    const failures = batch.length > 0 ? await step.apply(tx, batch, now) : [];
    if (failures.length > 0) await markFailed(tx, failures, now);
    const [counts] = await tx.$queryRaw<{ remaining: number; done: number }[]>`
      SELECT count(*) FILTER (WHERE ${step.todo})::int AS remaining,
             count(*) FILTER (WHERE ${step.done})::int AS done
      FROM move_item
      WHERE move_id = ${input.moveId}::uuid AND kind = ${step.kind}::"MoveItemKind"`;
    const result: BatchResult = {
      processed: batch.length - failures.length,
      remaining: counts?.remaining ?? 0,
      done: counts?.done ?? 0,
    };
    return { result, failures };
  }, TX_OPTIONS);
  heartbeat({ step: step.name, ...result });
  if (failures.length > 0) throw failureOf(step, failures);
  return result;
}

export const moveItemIds = (batch: MoveItemRow[]): string[] => batch.map((i) => i.id);

/** The move_item ids of a batch, as a uuid[] parameter. */
export function idsOf(batch: MoveItemRow[]): Prisma.Sql {
  return Prisma.sql`${moveItemIds(batch)}::uuid[]`;
}

/** Marks move items MOVED (forward) or ROLLED_BACK (compensation), clearing an earlier failure. */
export async function setItemStatus(
  tx: Tx,
  moveItemIds: Iterable<string>,
  status: 'MOVED' | 'ROLLED_BACK',
  now: Date,
): Promise<void> {
  const ids = [...moveItemIds];
  if (ids.length === 0) return;
  await tx.$executeRaw`
    UPDATE move_item SET status = ${status}::"MoveItemStatus", error = NULL, updated_at = ${now}
    WHERE id = ANY(${ids}::uuid[])`;
}

/** Items of the batch the step did not find among `found` (their source row is gone). */
export function missingFrom(batch: MoveItemRow[], found: Set<string>, what: string): ItemFailure[] {
  return batch
    .filter((item) => !found.has(item.id))
    .map((item) => ({
      item,
      type: MoveFailureType.MoveDataMissing,
      error: `${what} ${item.label} (${item.itemId}) no longer exists`,
    }));
}

async function markFailed(tx: Tx, failures: ItemFailure[], now: Date): Promise<void> {
  await tx.$executeRaw`
    UPDATE move_item AS mi SET status = 'FAILED', error = f.error, updated_at = ${now}
    FROM unnest(${failures.map((f) => f.item.id)}::uuid[], ${failures.map((f) => f.error)}::text[]) AS f(id, error)
    WHERE mi.id = f.id`;
}

function failureOf(step: BatchStep, failures: ItemFailure[]): Error {
  // One failure type per throw, the first item's; the message still names the others.
  const first = failures[0]!;
  const items: FailedItem[] = failures.map((f) => ({ kind: step.kind, id: f.item.itemId, label: f.item.label }));
  const message =
    failures.length === 1
      ? first.error
      : `${failures.length} items failed (${describeItems(items)}); first: ${first.error}`;
  return moveFailure(first.type, message, items);
}
