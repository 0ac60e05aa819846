// DECOMMISSION_SOURCE_SERVICES, the "break" of make-before-break: the source services go last,
// once everything else is at the destination. Its compensation brings them back to life.
import { Prisma } from '../db/client';
import type { BatchInput, BatchResult } from './contract';
import type { ActivityDeps } from './shared/deps';
import { idsOf, runBatch, type BatchStep } from './shared/batch';

const DECOMMISSIONED = Prisma.sql`decommissioned_at IS NOT NULL`;

const decommission: BatchStep = {
  name: 'decommissionSourceServices',
  kind: 'SERVICE',
  todo: Prisma.sql`status = 'MOVED' AND decommissioned_at IS NULL`,
  done: DECOMMISSIONED,
  async apply(tx, batch, now) {
    await tx.$executeRaw`
      UPDATE service s SET status = 'DECOMMISSIONED', decommissioned_at = ${now}
      FROM move_item mi
      WHERE mi.id = ANY(${idsOf(batch)}) AND s.id = mi.item_id AND s.status = 'ACTIVE'`;
    await tx.$executeRaw`
      UPDATE move_item SET decommissioned_at = ${now}, updated_at = ${now} WHERE id = ANY(${idsOf(batch)})`;
    return [];
  },
};

const recommission: BatchStep = {
  name: 'recommissionSourceServices',
  kind: 'SERVICE',
  todo: DECOMMISSIONED,
  done: DECOMMISSIONED,
  async apply(tx, batch, now) {
    await tx.$executeRaw`
      UPDATE service s SET status = 'ACTIVE', decommissioned_at = NULL
      FROM move_item mi
      WHERE mi.id = ANY(${idsOf(batch)}) AND s.id = mi.item_id AND s.status = 'DECOMMISSIONED'`;
    await tx.$executeRaw`
      UPDATE move_item SET decommissioned_at = NULL, updated_at = ${now} WHERE id = ANY(${idsOf(batch)})`;
    return [];
  },
};

export const decommissionSourceServices = (deps: ActivityDeps, input: BatchInput): Promise<BatchResult> =>
  runBatch(deps, decommission, input);
export const recommissionSourceServices = (deps: ActivityDeps, input: BatchInput): Promise<BatchResult> =>
  runBatch(deps, recommission, input);
