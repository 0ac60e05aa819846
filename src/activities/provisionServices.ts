// PROVISION_SERVICES, make-before-break: each of the client's services is provisioned at the
// destination before anything leaves the source. Its compensation removes only what it made.
import type { BatchInput, BatchResult } from './contract';
import type { ActivityDeps } from './shared/deps';
import { MOVED, NOT_YET_MOVED, idsOf, missingFrom, runBatch, type BatchStep } from './shared/batch';
import { Prisma } from '../db/client';

const provision: BatchStep = {
  name: 'provisionServices',
  kind: 'SERVICE',
  todo: NOT_YET_MOVED,
  done: MOVED,
  async apply(tx, batch, now) {
    // replaces_service_id is unique: a retry finds the service it already made instead of a second one.
    await tx.$executeRaw`
      INSERT INTO service (id, client_id, site_id, type, name, status, replaces_service_id, created_at)
      SELECT gen_random_uuid(), s.client_id, mi.to_site_id, s.type, s.name, 'ACTIVE'::"ServiceStatus", s.id, ${now}
      FROM move_item mi JOIN service s ON s.id = mi.item_id
      WHERE mi.id = ANY(${idsOf(batch)})
      ON CONFLICT (replaces_service_id) DO NOTHING`;
    const provisioned = await tx.$queryRaw<{ id: string }[]>`
      UPDATE move_item mi SET status = 'MOVED', new_item_id = n.id, error = NULL, updated_at = ${now}
      FROM service n
      -- Adopt only this move's own service (a leftover at another site stays a visible failure).
      WHERE mi.id = ANY(${idsOf(batch)}) AND n.replaces_service_id = mi.item_id AND n.site_id = mi.to_site_id
      RETURNING mi.id`;
    return missingFrom(batch, new Set(provisioned.map((r) => r.id)), 'Service');
  },
};

const removeProvisioned: BatchStep = {
  name: 'removeProvisionedServices',
  kind: 'SERVICE',
  todo: Prisma.sql`new_item_id IS NOT NULL`,
  done: MOVED,
  async apply(tx, batch, now) {
    // Only the service this move made for the item: the replaces link proves it is ours.
    await tx.$executeRaw`
      DELETE FROM service s USING move_item mi
      WHERE mi.id = ANY(${idsOf(batch)}) AND s.id = mi.new_item_id AND s.replaces_service_id = mi.item_id`;
    await tx.$executeRaw`
      UPDATE move_item SET status = 'ROLLED_BACK', new_item_id = NULL, error = NULL, updated_at = ${now}
      WHERE id = ANY(${idsOf(batch)})`;
    return [];
  },
};

export const provisionServices = (deps: ActivityDeps, input: BatchInput): Promise<BatchResult> =>
  runBatch(deps, provision, input);
export const removeProvisionedServices = (deps: ActivityDeps, input: BatchInput): Promise<BatchResult> =>
  runBatch(deps, removeProvisioned, input);
