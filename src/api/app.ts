// The HTTP API as an Express app, built from its dependencies (no globals, so tests build their own
// against real PostgreSQL and Temporal). Order matters: tracing, logging and metrics see every request,
// security headers and CORS come before any route, errors all end in one problem+json handler.
import type { Client } from '@temporalio/client';
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Db } from '../db/client';
import { ProgressCache } from '../moveService/progressCache';
import { DEFAULT_TEMPORAL_TIMEOUTS } from '../moveService/temporal';
import { DEFAULT_TEMPORAL_HEALTH, TemporalHealth } from '../moveService/temporalHealth';
import { authenticate, requireSuperAdmin } from './auth';
import type { AppConfig, RouteDeps } from './context';
import './locals';
import { requestLogger } from './logging';
import { createMetrics } from './metrics';
import { generateOpenApiDocument, type OpenApiDocument } from './openapi';
import { notFoundHandler, problemHandler } from './problem';
import { authFailureRateLimit, mutationRateLimit } from './rateLimit';
import { registerClientRoutes } from './routes/clients';
import { registerMoveActionRoutes } from './routes/moveActions';
import { registerMoveRoutes } from './routes/moves';
import { registerOperationsRoutes } from './routes/operations';
import { registerSessionRoutes } from './routes/session';
import { registerSiteRoutes } from './routes/sites';
import { ApiRouter } from './routing';
import type { DemoOperator } from './schemas';
import { webApp } from './webApp';
import { traceRequests } from '../telemetry/httpTracing';

export type { AppConfig } from './context';

export interface AppDeps {
  db: Db;
  temporal: Client;
  config: AppConfig;
  logger: Logger;
  /** True once graceful shutdown has begun (readiness then fails). */
  isDraining?: () => boolean;
  /** The built web app's folder (web/dist), served at / when it holds a build. */
  webAppDir?: string;
  /** Demo operators the sign-in page may offer; only development machinery passes any. */
  demoOperators?: readonly DemoOperator[];
  /** Shared with the server's background work; one of its own when not given. */
  temporalHealth?: TemporalHealth;
  /** One of its own (PROGRESS_MAX_AGE_MS) when not given; tests pass one with their own clock. */
  progressCache?: ProgressCache;
}

export function createApp(deps: AppDeps): Express {
  const { db, config, logger } = deps;
  const temporalHealth =
    deps.temporalHealth ??
    new TemporalHealth(deps.temporal, { ...DEFAULT_TEMPORAL_HEALTH, onChange: temporalHealthLogger(logger) });
  const routeDeps: RouteDeps = {
    db,
    temporal: deps.temporal,
    config,
    timeouts: { ...DEFAULT_TEMPORAL_TIMEOUTS, ...config.temporalTimeouts },
    temporalHealth,
    progressCache: deps.progressCache ?? new ProgressCache(config.api.progressMaxAgeMs),
    logger,
    links: { temporalWebUrl: config.temporal.webUrl, namespace: config.temporal.namespace },
  };
  const metrics = createMetrics(db, (error) => logger.warn({ err: error }, 'Could not count moves by phase'));

  const app = express();
  app.disable('x-powered-by');
  app.use(traceRequests());
  app.use(requestLogger(logger));
  app.use(metrics.middleware);
  app.use(helmet());
  app.use(
    cors({
      // A comma-separated list of origins; only a listed origin is echoed back. `*` allows any.
      origin: config.api.corsOrigin.trim() === '*' ? '*' : config.api.corsOrigin.split(',').map((o) => o.trim()),
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      exposedHeaders: [
        'Location',
        'X-Request-Id',
        'Idempotent-Replayed',
        'Retry-After',
        'RateLimit',
        'RateLimit-Policy',
      ],
      maxAge: 600,
    }),
  );

  const api = new ApiRouter({
    authenticate: [authFailureRateLimit(config.api.authFailuresPerMinute), authenticate(db, config.env)],
    requireSuperAdmin,
    mutationRateLimit: mutationRateLimit(config.api.rateLimitPerMinute),
    // Bodies are read only once the caller is known to be allowed to send one.
    parseBody: express.json({ limit: config.api.bodyLimit }),
  });
  registerOperationsRoutes(api, routeDeps, {
    metrics: metrics.registry,
    // Asked for only by requests, which come after the document below exists.
    openApiDocument: () => document,
    isDraining: deps.isDraining ?? (() => false),
  });
  registerSiteRoutes(api, routeDeps);
  registerClientRoutes(api, routeDeps);
  registerMoveRoutes(api, routeDeps);
  registerMoveActionRoutes(api, routeDeps);
  registerSessionRoutes(api, { demoOperators: config.env === 'production' ? [] : (deps.demoOperators ?? []) });
  // Now, not on first request: a schema the generator cannot express fails at startup.
  const document: OpenApiDocument = generateOpenApiDocument(api.registry);
  app.use(api.router);
  if (deps.webAppDir) {
    const pages = webApp({ dir: deps.webAppDir, apiPaths: api.paths() });
    if (pages) app.use(...pages);
    else logger.warn({ dir: deps.webAppDir }, 'The web app is not built (npm run build:web): serving the API only');
  }
  app.use(api.methodNotAllowed());

  app.use(notFoundHandler());
  app.use(problemHandler());
  return app;
}

/** One log line when Temporal is found down, one when it answers again. */
export function temporalHealthLogger(logger: Logger): (down: boolean, error?: unknown) => void {
  return (down, error) =>
    down
      ? logger.warn({ err: error }, 'Temporal is down: reads answer from the database until it is back')
      : logger.info('Temporal answers again: reads ask it again');
}
