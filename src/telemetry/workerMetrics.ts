// The worker's own Prometheus registry: process metrics, the moves' database gauges and the activity
// metrics its interceptor records. Served at WORKER_METRICS_ADDRESS (the SDK's are separate, see
// src/temporal/runtime.ts).
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Db } from '../db/client';
import { createActivityMetrics } from './activityMetrics';
import { registerMoveGauges } from './moveGauges';

export interface WorkerMetrics {
  registry: Registry;
  /** Goes on the worker's activity interceptors. */
  activityInterceptor: ActivityInterceptorsFactory;
}

export function createWorkerMetrics(db: Db, onScrapeError: (error: unknown) => void): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerMoveGauges(registry, db, onScrapeError);
  return { registry, activityInterceptor: createActivityMetrics(registry).interceptor };
}
