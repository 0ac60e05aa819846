-- Every step rewrites its items' move_item rows (status, new_item_id, decommissioned_at, updated_at).
-- With no index on a column a step changes, and room left on each page, PostgreSQL makes those
-- updates HOT (heap-only): no index entry is written. The batches find a kind's items through
-- move_item_move_id_kind_item_id_key (move_id, kind first), so the status index only cost writes.
-- Measured with bench/abActivities.ts (docs/performance.md).
DROP INDEX "move_item_move_id_kind_status_idx";

-- Room on each page for the new version of a row: a row is rewritten once or twice per move.
ALTER TABLE "move_item" SET (fillfactor = 60);
