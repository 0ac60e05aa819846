// The Temporal worker: runs the ClientSiteMove workflow and its activities over PostgreSQL and
// SendGrid. `npm run worker` starts it on its own; `npm start` runs it beside the API.
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import { loadConfig, type Config } from './config';
import { createDb, type Db } from './db/client';
import { createSendGridMailer, type Mailer } from './mail/mailer';
import { serveMetrics, type MetricsServer } from './telemetry/metricsServer';
import {
  workflowInterceptorModules,
  startConfiguredTracing,
  tracingActivityInterceptor,
  tracingClientInterceptors,
  workflowTracingSinks,
  type Tracing,
} from './telemetry/tracing';
import { createWorkerMetrics, type WorkerMetrics } from './telemetry/workerMetrics';
import {
  connectTemporalClient,
  temporalConnectError,
  temporalConnectionOptions,
  type TemporalConnectionOptions,
} from './temporal/connection';
import { installTemporalRuntime } from './temporal/runtime';
import { registerSearchAttributes } from './temporal/searchAttributes';

export interface MoveWorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Db;
  mailer: Mailer;
  /** A prebuilt bundle (tests build it once, with WORKFLOW_INTERCEPTOR_MODULES); otherwise the worker bundles src/workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Links in emails point here, e.g. Temporal Web. */
  temporalWebUrl?: string;
  /** Records each activity's duration and outcome, items moved, moves finished, emails. */
  metrics?: WorkerMetrics;
  /** Where the workflow's spans go; without it they are dropped (traces still propagate). */
  tracing?: Tracing;
  /** For workflows the activities start (the outcome email's), on the same server and namespace. */
  client: Client;
  /** Other task slots or threads than the SDK's defaults, for the bench's experiments. */
  tuning?: Partial<Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'workflowThreadPoolSize'>>;
}

export async function createMoveWorker(deps: MoveWorkerDeps): Promise<Worker> {
  return Worker.create({
    // The SDK's defaults (docs/performance.md measured the alternatives), unless the bench asks otherwise.
    ...deps.tuning,
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    ...(deps.workflowBundle
      ? { workflowBundle: deps.workflowBundle }
      : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities({
      db: deps.db,
      mailer: deps.mailer,
      temporalWebUrl: deps.temporalWebUrl,
      temporal: { client: deps.client, taskQueue: deps.taskQueue },
    }),
    interceptors: {
      // Outermost first: the activity's span covers the time the metrics measure.
      activity: [tracingActivityInterceptor, ...(deps.metrics ? [deps.metrics.activityInterceptor] : [])],
      ...(deps.workflowBundle ? {} : { workflowModules: workflowInterceptorModules(deps.tracing) }),
    },
    sinks: workflowTracingSinks(deps.tracing),
  });
}

/** The worker's connection (the SDK's native one), checked now; a failure names the settings to check. */
export async function connectTemporalWorker(options: TemporalConnectionOptions): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(options);
  } catch (error) {
    throw temporalConnectError(options, error);
  }
}

export interface RunningWorker {
  worker: Worker;
  /** Where the worker's app metrics are served, when WORKER_METRICS_ADDRESS is set. */
  metricsUrl?: string;
  /** Settles when the worker has stopped (after `stop()`, or a shutdown signal). */
  running: Promise<void>;
  /** Drains the worker (no batch is cut in the middle), then closes its connections. */
  stop(): Promise<void>;
}

export interface StartWorkerOverrides {
  /** Tests pass the bundle they built once. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** npm start shares its database client. */
  db?: Db;
  /** npm start sends mail to its local sink. */
  mailer?: Mailer;
  /** The process's tracing (started by the entry point), for the workflow's spans. */
  tracing?: Tracing;
  /** The bench's experiments: other task slots or threads than the SDK's defaults. */
  tuning?: MoveWorkerDeps['tuning'];
}

/** Connects to the configured Temporal and PostgreSQL, serves the metrics if asked, and starts polling. */
export async function startWorker(config: Config, overrides: StartWorkerOverrides = {}): Promise<RunningWorker> {
  const options = temporalConnectionOptions(config.temporal);
  // First: it fails within milliseconds when TLS is refused (the client connection retries for 10 s).
  const connection = await connectTemporalWorker(options);
  const owned: (() => Promise<unknown>)[] = [() => connection.close()];
  const closeOwned = () => Promise.allSettled([...owned].reverse().map((close) => close()));
  try {
    // Kept open: the activities start the outcome email's workflow through it.
    const clientConnection = await connectTemporalClient(options);
    owned.push(() => clientConnection.close());
    // A server other than the dev server (which `npm start` runs with them) may not have them yet.
    await registerSearchAttributes(clientConnection, config.temporal.namespace);
    const db = overrides.db ?? createDb(config.database.url);
    if (!overrides.db) owned.push(() => db.$disconnect());
    let metrics: WorkerMetrics | undefined;
    let metricsServer: MetricsServer | undefined;
    const address = config.observability.workerMetricsAddress;
    if (address) {
      const logger = Runtime.instance().logger;
      metrics = createWorkerMetrics(db, (error) => {
        logger.warn('Could not read the moves for /metrics', { error: String(error) });
      });
      metricsServer = await serveMetrics(metrics.registry, address, 'WORKER_METRICS_ADDRESS');
      owned.push(() => metricsServer!.close());
    }
    const worker = await createMoveWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      db,
      mailer: overrides.mailer ?? createSendGridMailer(config.mail),
      workflowBundle: overrides.workflowBundle,
      temporalWebUrl: config.temporal.webUrl,
      metrics,
      tracing: overrides.tracing,
      tuning: overrides.tuning,
      // Traced like the API's client: the outcome email's workflow joins the move's trace.
      client: new Client({
        connection: clientConnection,
        namespace: config.temporal.namespace,
        interceptors: { workflow: tracingClientInterceptors() },
      }),
    });
    const running = worker.run().finally(closeOwned);
    return {
      worker,
      metricsUrl: metricsServer?.url,
      running,
      stop: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      },
    };
  } catch (error) {
    await closeOwned();
    throw error;
  }
}

/** `npm run worker`: the SDK runtime and tracing for this process, then the worker until a signal stops it. */
export async function runWorker(config: Config): Promise<void> {
  installTemporalRuntime(config.observability);
  const tracing = startConfiguredTracing(config.observability.tracing, 'connect-site-move-worker');
  try {
    const { running } = await startWorker(config, { tracing });
    await running;
  } finally {
    await tracing?.shutdown();
  }
}

if (require.main === module) {
  // loadConfig inside the chain: a bad setting is one line too, not a stack trace.
  Promise.resolve()
    .then(() => runWorker(loadConfig()))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
