// Prometheus metrics: request counts and latencies by route (the spec's path, so ids do not explode
// the label set), and the moves' database gauges read at scrape time (src/telemetry/moveGauges.ts).
// Each app has its own registry, so several apps in one process (tests) do not collide.
import type { RequestHandler } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/client';
import { registerMoveGauges } from '../telemetry/moveGauges';

export interface ApiMetrics {
  registry: Registry;
  middleware: RequestHandler;
}

export function createMetrics(db: Db, onScrapeError: (error: unknown) => void): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'csm_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'csm_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route and status',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  registerMoveGauges(registry, db, onScrapeError);

  const middleware: RequestHandler = (req, res, next) => {
    const end = latency.startTimer();
    res.on('finish', () => {
      const labels = { method: req.method, route: res.locals.route ?? 'unmatched', status: String(res.statusCode) };
      end(labels);
      requests.inc(labels);
    });
    next();
  };
  return { registry, middleware };
}
