// PROVISION_SERVICES, make-before-break: each of the client's services is provisioned at the
// destination before anything leaves the source. Its compensation removes only what it made.
import type { BatchInput, BatchResult } from './contract';
import type { ActivityDeps } from './shared/deps';
import {
  CHANGED,
  MOVED,
  NOT_YET_MOVED,
  ROLLED_BACK,
  allMissing,
  runBatch,
  updateRecords,
  type BatchStep,
} from './shared/batch';
import { Prisma } from '../db/client';

const provision: BatchStep = {
  name: 'provisionServices',
  kind: 'SERVICE',
  todo: NOT_YET_MOVED,
  done: MOVED,
  // replaces_service_id is unique: a retry finds the service it already made instead of a second one.
  // Each item's new service id is drawn up front, so its record can name the service `made` made
  // without joining `made` back to the batch (see BatchStep.change); one made earlier is in `service`.
  change: (now) => Prisma.sql`
    planned AS MATERIALIZED (SELECT b.*, gen_random_uuid() AS new_id FROM batch b),
    made AS (
      INSERT INTO service (id, client_id, site_id, type, name, status, replaces_service_id, created_at)
      SELECT p.new_id, s.client_id, p.to_site_id, s.type, s.name, 'ACTIVE'::"ServiceStatus", s.id, ${now}
      FROM planned p JOIN service s ON s.id = p.item_id
      ON CONFLICT (replaces_service_id) DO NOTHING
      RETURNING id
    ),
    changed AS (
      UPDATE move_item mi
      SET status = 'MOVED', new_item_id = coalesce(earlier.id, p.new_id), error = NULL, updated_at = ${now}
      FROM planned p LEFT JOIN service earlier ON earlier.replaces_service_id = p.item_id
      WHERE mi.id = p.id
        -- Adopt only this move's own service (a leftover at another site stays a visible failure).
        AND (p.new_id IN (SELECT id FROM made) OR earlier.site_id = p.to_site_id)
      RETURNING ${CHANGED}
    )`,
  failures: allMissing('Service'),
};

const removeProvisioned: BatchStep = {
  name: 'removeProvisionedServices',
  kind: 'SERVICE',
  todo: Prisma.sql`new_item_id IS NOT NULL`,
  done: MOVED,
  // Only the service this move made for the item: the replaces link proves it is ours.
  change: (now) => Prisma.sql`
    removed AS (
      DELETE FROM service s USING batch b
      WHERE s.id = b.new_item_id AND s.replaces_service_id = b.item_id
    ),
    ${updateRecords(Prisma.sql`${ROLLED_BACK}, new_item_id = NULL`, now)}`,
  failures: allMissing('Service'),
};

export const provisionServices = (deps: ActivityDeps, input: BatchInput): Promise<BatchResult> =>
  runBatch(deps, provision, input);
export const removeProvisionedServices = (deps: ActivityDeps, input: BatchInput): Promise<BatchResult> =>
  runBatch(deps, removeProvisioned, input);
