// Runs the API: `npm run api` (or `npm start`, which runs it beside the worker). Listens on
// API_HOST:API_PORT; on SIGTERM or SIGINT it stops accepting connections, lets requests in flight
// finish (up to a grace period), then closes the database and Temporal connections.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pino, { type Logger } from 'pino';
import { PortInUseError, loadConfig, type Config } from '../config';
import { createDb } from '../db/client';
import { PROJECT_ROOT } from '../paths';
import { startConfiguredTracing, tracingClientInterceptors } from '../telemetry/tracing';
import { temporalConnectionOptions } from '../temporal/connection';
import { createApp } from './app';
import type { DemoOperator } from './schemas';

export interface ApiServer {
  url: string;
  port: number;
  server: http.Server;
  /** Graceful: no new connections, requests in flight finish, then dependencies close. */
  close(): Promise<void>;
}

export interface ApiServerOptions {
  logger?: Logger;
  /** After this long, connections still open are cut. */
  shutdownGraceMs?: number;
  /** Demo operators the web app's sign-in offers (development only; `npm start` passes them). */
  demoOperators?: readonly DemoOperator[];
}

/** Where `npm run build:web` (and bootstrap) put the web app; the API serves it at /. */
export const WEB_APP_DIR = path.join(PROJECT_ROOT, 'web', 'dist');

export async function startApiServer(config: Config, options: ApiServerOptions = {}): Promise<ApiServer> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const db = createDb(config.database.url);
  // Lazy: the API starts (and says "not ready") while Temporal is still coming up.
  const connection = Connection.lazy(temporalConnectionOptions(config.temporal));
  const temporal = new Client({
    connection,
    namespace: config.temporal.namespace,
    interceptors: { workflow: tracingClientInterceptors() },
  });
  let draining = false;
  const app = createApp({
    db,
    temporal,
    config,
    logger,
    isDraining: () => draining,
    webAppDir: WEB_APP_DIR,
    demoOperators: options.demoOperators,
  });

  const server = http.createServer();
  // Responses sent once draining has begun tell keep-alive clients to reconnect elsewhere.
  const unanswered = new Set<http.ServerResponse>();
  const closeAfterResponse = (res: http.ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  server.on('request', (_req, res: http.ServerResponse) => {
    if (draining) return closeAfterResponse(res);
    unanswered.add(res);
    res.once('close', () => unanswered.delete(res));
  });
  server.on('request', app);

  const closeDependencies = async () => {
    await Promise.allSettled([db.$disconnect(), connection.close()]);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.api.port, config.api.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await closeDependencies();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(config.api.port, 'API_PORT');
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.api.host}:${port}`;
  logger.info({ url }, 'API listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      draining = true;
      logger.info({ inFlight: unanswered.size }, 'API shutting down: finishing requests in flight');
      unanswered.forEach(closeAfterResponse);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => {
        logger.warn('Shutdown grace period over: closing the connections still open');
        server.closeAllConnections();
      }, options.shutdownGraceMs ?? 10_000);
      await closed;
      clearTimeout(grace);
      await closeDependencies();
      logger.info('API stopped');
    })());
  return { url, port, server, close };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const tracing = startConfiguredTracing(config.observability.tracing, 'connect-site-move-api');
  const server = await startApiServer(config);
  const stop = (signal: NodeJS.Signals) => {
    process.stderr.write(`${signal}: stopping the API\n`);
    server
      .close()
      .then(() => tracing?.shutdown())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error instanceof Error ? error.message : error);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    // Expected failures (port taken, bad configuration) carry one line that says what to do.
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
