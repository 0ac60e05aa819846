// DECOMMISSION_SOURCE_SERVICES, the "break" of make-before-break: the source services go last,
// once everything else is at the destination. Its compensation brings them back to life.
import { Prisma } from '../db/client';
import type { BatchInput, BatchResult } from './contract';
import type { ActivityDeps } from './shared/deps';
import { allMissing, runBatch, updateRecords, type BatchStep } from './shared/batch';

const DECOMMISSIONED = Prisma.sql`decommissioned_at IS NOT NULL`;

const decommission: BatchStep = {
  name: 'decommissionSourceServices',
  kind: 'SERVICE',
  todo: Prisma.sql`status = 'MOVED' AND decommissioned_at IS NULL`,
  done: DECOMMISSIONED,
  change: (now) => Prisma.sql`
    retired AS (
      UPDATE service s SET status = 'DECOMMISSIONED', decommissioned_at = ${now}
      FROM batch b WHERE s.id = b.item_id AND s.status = 'ACTIVE'
    ),
    ${updateRecords(Prisma.sql`decommissioned_at = ${now}`, now)}`,
  failures: allMissing('Service'),
};

const recommission: BatchStep = {
  name: 'recommissionSourceServices',
  kind: 'SERVICE',
  todo: DECOMMISSIONED,
  done: DECOMMISSIONED,
  change: (now) => Prisma.sql`
    revived AS (
      UPDATE service s SET status = 'ACTIVE', decommissioned_at = NULL
      FROM batch b WHERE s.id = b.item_id AND s.status = 'DECOMMISSIONED'
    ),
    ${updateRecords(Prisma.sql`decommissioned_at = NULL`, now)}`,
  failures: allMissing('Service'),
};

export const decommissionSourceServices = (deps: ActivityDeps, input: BatchInput): Promise<BatchResult> =>
  runBatch(deps, decommission, input);
export const recommissionSourceServices = (deps: ActivityDeps, input: BatchInput): Promise<BatchResult> =>
  runBatch(deps, recommission, input);
