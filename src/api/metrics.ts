// Prometheus metrics: request counts and latencies by route (the spec's path, so ids do not explode
// the label set), and moves by phase read from the database at scrape time. Each app has its own
// registry, so several apps in one process (tests) do not collide.
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/client';
import { MOVE_PHASES } from '../domain/move';

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
  new Gauge({
    name: 'csm_moves',
    help: 'Client site moves by phase, from the database',
    labelNames: ['phase'] as const,
    registers: [registry],
    async collect() {
      try {
        const rows = await db.clientSiteMove.groupBy({ by: ['status'], _count: { _all: true } });
        const counts = new Map(rows.map((r) => [r.status, r._count._all]));
        for (const phase of MOVE_PHASES) this.set({ phase }, counts.get(phase) ?? 0);
      } catch (error) {
        // No numbers rather than stale ones; the scrape itself still answers.
        this.reset();
        onScrapeError(error);
      }
    },
  });

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
