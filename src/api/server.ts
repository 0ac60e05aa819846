// Runs the API: `npm run api` (or `npm start`, which runs it beside the worker). Listens on
// API_HOST:API_PORT and, in the background, settles moves whose start had an unknown outcome; on
// SIGTERM or SIGINT it stops accepting connections, lets requests in flight finish (up to a grace
// period), then closes the database and Temporal connections.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pino, { type Logger } from 'pino';
import { PortInUseError, loadConfig, type Config } from '../config';
import { createDb } from '../db/client';
import { DEFAULT_TEMPORAL_TIMEOUTS } from '../moveService/temporal';
import { DEFAULT_TEMPORAL_HEALTH, TemporalHealth } from '../moveService/temporalHealth';
import { UNSTARTED_SWEEP_INTERVAL_MS, startUnstartedSweep } from '../moveService/unstartedSweep';
import { PROJECT_ROOT } from '../paths';
import { startConfiguredTracing, tracingClientInterceptors } from '../telemetry/tracing';
import { temporalConnectionOptions } from '../temporal/connection';
import { createApp, temporalHealthLogger } from './app';
import { PROBLEM_CONTENT_TYPE, rawProblemBody, rawProblemResponse, type ProblemSlug } from './problem';
import type { DemoOperator } from './schemas';

/**
 * gRPC's reconnect backoff grows to 2 minutes by default, so after an outage the API would keep
 * answering from the database long after Temporal is back; capped at a few seconds instead.
 */
export const TEMPORAL_CHANNEL_ARGS = {
  'grpc.initial_reconnect_backoff_ms': 500,
  'grpc.max_reconnect_backoff_ms': 5_000,
};

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
  /** How often unstarted moves are swept (tests make it short). */
  sweepIntervalMs?: number;
}

/** Where `npm run build:web` (and bootstrap) put the web app; the API serves it at /. */
export const WEB_APP_DIR = path.join(PROJECT_ROOT, 'web', 'dist');

export async function startApiServer(config: Config, options: ApiServerOptions = {}): Promise<ApiServer> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const db = createDb(config.database.url);
  // Lazy: the API starts (and says "not ready") while Temporal is still coming up.
  const connection = Connection.lazy({
    ...temporalConnectionOptions(config.temporal),
    channelArgs: TEMPORAL_CHANNEL_ARGS,
  });
  const temporal = new Client({
    connection,
    namespace: config.temporal.namespace,
    interceptors: { workflow: tracingClientInterceptors() },
  });
  const temporalHealth = new TemporalHealth(temporal, {
    ...DEFAULT_TEMPORAL_HEALTH,
    onChange: temporalHealthLogger(logger),
  });
  let draining = false;
  const app = createApp({
    db,
    temporal,
    config,
    logger,
    isDraining: () => draining,
    temporalHealth,
    webAppDir: WEB_APP_DIR,
    demoOperators: options.demoOperators,
  });

  // Node answers a missing Host itself, in plain text; the app says it in problem+json instead.
  const server = http.createServer({ requireHostHeader: false });
  server.on('clientError', answerClientError);
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
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.httpVersion === '1.1' && req.headers.host === undefined) {
      res.shouldKeepAlive = false;
      res.writeHead(400, { 'content-type': PROBLEM_CONTENT_TYPE });
      res.end(rawProblemBody('malformed-request', 'An HTTP/1.1 request needs a Host header'));
      return;
    }
    app(req, res);
  });

  const sweep = startUnstartedSweep(
    {
      db,
      temporal,
      timeouts: DEFAULT_TEMPORAL_TIMEOUTS,
      taskQueue: config.temporal.taskQueue,
      move: config.move,
      temporalHealth,
      log: logger,
    },
    options.sweepIntervalMs ?? UNSTARTED_SWEEP_INTERVAL_MS,
  );
  const closeDependencies = async () => {
    await sweep.stop();
    await temporalHealth.close();
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

/** Node's parser refused the request (not HTTP, headers too large, too slow): problem+json all the same. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // As Node's own handler: answer only on a connection that has not been answered on (bytes after a
  // finished response, e.g. the unread rest of a refused body, are dropped with the connection).
  if (error.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const slug: ProblemSlug =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'headers-too-large'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'request-timeout'
        : 'malformed-request';
  const detail =
    slug === 'headers-too-large'
      ? 'The request headers are larger than this server accepts'
      : slug === 'request-timeout'
        ? 'The request did not arrive in time'
        : `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'})`;
  socket.end(rawProblemResponse(slug, detail));
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
