// For the platform and for developers: liveness, readiness, Prometheus metrics, the OpenAPI
// document and its browsable page. All public (metrics are expected to be fenced off by the network).
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { withTemporalDeadline } from '../../moveService/temporal';
import type { RouteDeps } from '../context';
import { DOCS_PATH, docsAssets, renderDocsPage } from '../docsPage';
import type { OpenApiDocument } from '../openapi';
import type { ApiRouter } from '../routing';
import { HealthResponse, ReadyResponse } from '../schemas';

export interface OperationsDeps {
  metrics: Registry;
  /** The finished document; routes are all registered by the time anyone asks. */
  openApiDocument: () => OpenApiDocument;
  /** True once shutdown has begun: the instance should get no new traffic. */
  isDraining: () => boolean;
}

interface Check {
  ok: boolean;
  latencyMs: number;
  /** Which way it failed, in words that name no host, user or address (those go to the log). */
  error?: string;
}

interface CheckResult extends Check {
  /** The failure itself, for the log only. */
  cause?: unknown;
}

/** Runs a probe; with `ms`, stops waiting after that long (for probes that have no deadline of their own). */
async function timed(probe: () => Promise<unknown>, ms?: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      ...(ms === undefined
        ? []
        : [
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
            }),
          ]),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const latencyMs = Math.round(performance.now() - started);
    const slow = ms !== undefined && latencyMs >= ms;
    return { ok: false, latencyMs, error: slow ? `no answer within ${ms} ms` : 'unavailable', cause: error };
  } finally {
    clearTimeout(timer);
  }
}

export function registerOperationsRoutes(api: ApiRouter, deps: RouteDeps, ops: OperationsDeps): void {
  api.add({
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    tag: 'Operations',
    summary: 'Liveness: the process is up',
    access: 'public',
    responses: { 200: { description: 'Up', schema: HealthResponse } },
    handle: ({ res }) => {
      res.json({ status: 'ok' });
    },
  });

  api.add({
    method: 'get',
    path: '/readyz',
    operationId: 'ready',
    tag: 'Operations',
    summary: 'Readiness: the database and Temporal answer',
    access: 'public',
    responses: {
      200: { description: 'Ready', schema: ReadyResponse },
      503: { description: 'Not ready (or shutting down); see checks', schema: ReadyResponse },
    },
    handle: async ({ req, res }) => {
      const ms = deps.timeouts.readyMs;
      const [database, temporal] = await Promise.all([
        timed(() => deps.db.$queryRaw`SELECT 1`, ms),
        // Bounded by its gRPC deadline, and awaited to the end: a call left retrying in the background
        // would outlive the request (and trip over the connection when it closes).
        timed(() =>
          withTemporalDeadline(deps.temporal, ms, () => deps.temporal.connection.workflowService.getSystemInfo({})),
        ),
      ]);
      // The endpoint is public: it says which check failed; what the error said is for the log.
      const checks: Record<string, Check> = {};
      for (const [name, { cause, ...check }] of Object.entries({ database, temporal })) {
        checks[name] = check;
        if (!check.ok) req.log.warn({ check: name, err: cause }, `Readiness: the ${name} check failed`);
      }
      const ready = database.ok && temporal.ok && !ops.isDraining();
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
    },
  });

  api.add({
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    tag: 'Operations',
    summary: 'Prometheus metrics: requests, latencies, moves by phase',
    access: 'public',
    responses: {
      200: { description: 'Prometheus text format', schema: z.string(), contentType: 'text/plain; version=0.0.4' },
    },
    handle: async ({ res }) => {
      const body = await ops.metrics.metrics();
      res.type(ops.metrics.contentType).send(body);
    },
  });

  api.add({
    method: 'get',
    path: '/api/openapi.json',
    operationId: 'openApiDocument',
    tag: 'Operations',
    summary: 'This API as OpenAPI 3.1, generated from the schemas the API validates with',
    access: 'public',
    responses: { 200: { description: 'The OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
    handle: ({ res }) => {
      res.json(ops.openApiDocument());
    },
  });

  let docsPage: string | undefined;
  api.add({
    method: 'get',
    path: DOCS_PATH,
    operationId: 'docsPage',
    tag: 'Operations',
    summary: 'This API, browsable and to try out (Swagger UI)',
    access: 'public',
    responses: { 200: { description: 'HTML', schema: z.string(), contentType: 'text/html' } },
    handle: ({ req, res }) => {
      // The page's links are relative to /api/docs; under /api/docs/ they would miss.
      if (req.path.endsWith('/')) return res.redirect(301, '../docs');
      docsPage ??= renderDocsPage(ops.openApiDocument().info.title);
      res.type('html').send(docsPage);
    },
  });
  // The page's scripts and styles: files, not API operations, so not in the document.
  api.router.use(DOCS_PATH, docsAssets());
}
