// The Temporal worker: runs the ClientSiteMove workflow and its activities over PostgreSQL and
// SendGrid. `npm run worker` starts it on its own; `npm start` runs it beside the API.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import { loadConfig, type Config } from './config';
import { createDb, type Db } from './db/client';
import { createSendGridMailer, type Mailer } from './mail/mailer';
import {
  connectTemporalClient,
  temporalConnectError,
  temporalConnectionOptions,
  type TemporalConnectionOptions,
} from './temporal/connection';
import { registerSearchAttributes } from './temporal/searchAttributes';

export interface MoveWorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Db;
  mailer: Mailer;
  /** A prebuilt bundle (tests build it once); otherwise the worker bundles src/workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Links in emails point here, e.g. Temporal Web. */
  temporalWebUrl?: string;
}

export async function createMoveWorker(deps: MoveWorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    ...(deps.workflowBundle
      ? { workflowBundle: deps.workflowBundle }
      : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities({ db: deps.db, mailer: deps.mailer, temporalWebUrl: deps.temporalWebUrl }),
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
  /** Settles when the worker has stopped (after `stop()`, or a shutdown signal). */
  running: Promise<void>;
  /** Drains the worker (no batch is cut in the middle), then closes its connections. */
  stop(): Promise<void>;
}

export interface StartWorkerOverrides {
  /** Tests pass the bundle they built once. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** Connects to the configured Temporal and PostgreSQL and starts polling. */
export async function startWorker(config: Config, overrides: StartWorkerOverrides = {}): Promise<RunningWorker> {
  const options = temporalConnectionOptions(config.temporal);
  // First: it fails within milliseconds when TLS is refused (the client connection retries for 10 s).
  const connection = await connectTemporalWorker(options);
  try {
    // A server other than the dev server (which `npm start` runs with them) may not have them yet.
    const admin = await connectTemporalClient(options);
    try {
      await registerSearchAttributes(admin, config.temporal.namespace);
    } finally {
      await admin.close();
    }
  } catch (error) {
    await connection.close();
    throw error;
  }
  const db = createDb(config.database.url);
  let worker: Worker;
  try {
    worker = await createMoveWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      db,
      mailer: createSendGridMailer(config.mail),
      workflowBundle: overrides.workflowBundle,
      temporalWebUrl: config.temporal.webUrl,
    });
  } catch (error) {
    await Promise.allSettled([db.$disconnect(), connection.close()]);
    throw error;
  }
  const running = worker.run().finally(() => Promise.allSettled([db.$disconnect(), connection.close()]));
  return {
    worker,
    running: running.then(() => undefined),
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

export async function runWorker(config: Config): Promise<void> {
  const { running } = await startWorker(config);
  await running;
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
