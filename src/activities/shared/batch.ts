// One batch of a batched step or compensation, as one statement after the move's lock: pick at most
// batchSize of the move's items that the step still has to do (in a fixed order), change them and
// their move_item records, and count what is left. The batch never leaves the database: only the
// counts come back, and the items the step could not change, which are then marked FAILED with the
// reason; the step throws a non-retryable failure naming them, after the rest of the batch is committed.
import { Prisma } from '../../db/client';
import { plainTransaction, type SqlTx } from '../../db/plainSql';
import { MoveFailureType } from '../../domain/errors';
import type { ItemKind } from '../../domain/move';
import type { BatchInput, BatchResult } from '../contract';
import type { ActivityDeps } from './deps';
import { describeItems, moveFailure, type FailedItem } from './failures';
import { heartbeat } from './activityContext';
import { TX_OPTIONS, lockMove } from './moveRecord';
import { writeProgress } from '../recordProgress';

/** An item of the batch that the step did not change. */
export interface UnchangedItem {
  id: string;
  itemId: string;
  label: string;
}

export interface ItemFailure {
  item: UnchangedItem;
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
  /**
   * Data-modifying CTEs over `batch` (the move_item rows picked: id, item_id, label, from_site_id,
   * to_site_id, new_item_id) that change the items and their records. The last is `changed`: the
   * UPDATE of move_item, `RETURNING ${CHANGED}`, for the records it changed. The planner knows
   * nothing of how many items a CTE holds (a move's items are newer than the table's statistics), so
   * a CTE is only ever joined to a table through that table's index, never to another CTE.
   */
  change(now: Date): Prisma.Sql;
  /** Why the items the step left unchanged failed (in the same transaction, after the change). */
  failures(tx: SqlTx, unchanged: UnchangedItem[]): Promise<ItemFailure[]>;
}

/** Items a forward step (re)tries: new ones, and ones an operator asked to retry after a failure. */
export const NOT_YET_MOVED = Prisma.sql`status IN ('PENDING', 'FAILED')`;
export const MOVED = Prisma.sql`status = 'MOVED'`;

/** What `changed` returns: the record's id and every column a step's todo or done reads. */
export const CHANGED = Prisma.sql`mi.id, mi.status, mi.new_item_id, mi.decommissioned_at`;

interface BatchRow {
  picked: number;
  remaining: number;
  done: number;
  unchanged: UnchangedItem[] | null;
}

export async function runBatch(deps: ActivityDeps, step: BatchStep, input: BatchInput): Promise<BatchResult> {
  const limit = Math.max(1, Math.floor(input.batchSize));
  const now = deps.now();
  const ofKind = Prisma.sql`move_id = ${input.moveId}::uuid AND kind = ${step.kind}::"MoveItemKind"`;
  const { result, failures } = await plainTransaction(deps.db, TX_OPTIONS, async (tx) => {
    const move = await lockMove(tx, input.moveId);
    if (input.mirror) await writeProgress(tx, move, input.mirror, now);
    heartbeat({ step: step.name, batchSize: limit });
    // The counts read move_item as the statement leaves it: the records `changed` returns stand in
    // for their old versions, which are all the statement itself can see. NOT IN over a CTE is a
    // hashed lookup, never a join.
    const [row] = await tx.$queryRaw<BatchRow[]>`
      WITH batch AS MATERIALIZED (
        SELECT id, item_id, label, from_site_id, to_site_id, new_item_id FROM move_item
        WHERE ${ofKind} AND (${step.todo})
        ORDER BY label, item_id
        LIMIT ${limit}
      ),
      ${step.change(now)}
      SELECT (SELECT count(*) FROM batch)::int AS picked,
             count(*) FILTER (WHERE ${step.todo})::int AS remaining,
             count(*) FILTER (WHERE ${step.done})::int AS done,
             (SELECT json_agg(json_build_object('id', b.id, 'itemId', b.item_id, 'label', b.label)
                              ORDER BY b.label, b.item_id)
              FROM batch b WHERE b.id NOT IN (SELECT id FROM changed)) AS unchanged
      FROM (
        SELECT status, new_item_id, decommissioned_at FROM move_item
        WHERE ${ofKind} AND id NOT IN (SELECT id FROM changed)
        UNION ALL
        SELECT status, new_item_id, decommissioned_at FROM changed
      ) AS move_item`;
    const unchanged = row?.unchanged ?? [];
    const failures = unchanged.length > 0 ? await step.failures(tx, unchanged) : [];
    // A failed item stays to do (FAILED, as it was PENDING or FAILED), so the counts hold.
    if (failures.length > 0) await markFailed(tx, failures, now);
    const result: BatchResult = {
      processed: (row?.picked ?? 0) - failures.length,
      remaining: row?.remaining ?? 0,
      done: row?.done ?? 0,
    };
    return { result, failures };
  });
  heartbeat({ step: step.name, ...result });
  if (failures.length > 0) throw failureOf(step, failures);
  return result;
}

/** `changed` for a step that changes every record of the batch: `set` is its SET list. */
export function updateRecords(set: Prisma.Sql, now: Date): Prisma.Sql {
  return Prisma.sql`changed AS (
    UPDATE move_item mi SET ${set}, updated_at = ${now}
    FROM batch b WHERE mi.id = b.id
    RETURNING ${CHANGED})`;
}

/** `changed` for a forward step: the records of the items `relocated` (shared/relocate.ts) changed, marked MOVED. */
export function markRelocated(now: Date): Prisma.Sql {
  return Prisma.sql`changed AS (
    UPDATE move_item mi SET status = 'MOVED', error = NULL, updated_at = ${now}
    FROM relocated r WHERE mi.id = r.id
    RETURNING ${CHANGED})`;
}

/** A compensation's records: the item is back where it was (or has nowhere to go back to). */
export const ROLLED_BACK = Prisma.sql`status = 'ROLLED_BACK', error = NULL`;

/** The failure of an item whose row is gone since the snapshot. */
export function missing(item: UnchangedItem, what: string): ItemFailure {
  return {
    item,
    type: MoveFailureType.MoveDataMissing,
    error: `${what} ${item.label} (${item.itemId}) no longer exists`,
  };
}

/** `failures` of a step whose only reason to leave an item unchanged is that its row is gone. */
export const allMissing =
  (what: string) =>
  (_tx: SqlTx, unchanged: UnchangedItem[]): Promise<ItemFailure[]> =>
    Promise.resolve(unchanged.map((item) => missing(item, what)));

async function markFailed(tx: SqlTx, failures: ItemFailure[], now: Date): Promise<void> {
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
