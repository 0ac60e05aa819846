// The Temporal worker: runs the ClientSiteMove workflow and its activities over PostgreSQL and
// SendGrid. `npm run worker` starts it on its own; `npm start` runs it beside the API.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import { loadConfig, type Config } from './config';
import { createDb, type Db } from './db/client';
import { createSendGridMailer, type Mailer } from './mail/mailer';
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
  /** For workflows the activities start (the outcome email's), on the same server and namespace. */
  client: Client;
}

export async function createMoveWorker(deps: MoveWorkerDeps): Promise<Worker> {
  return Worker.create({
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
  });
}

export async function runWorker(config: Config): Promise<void> {
  const address = config.temporal.address ?? `127.0.0.1:${config.temporal.port}`;
  // A server other than the dev server (which `npm start` runs with them) may not have them yet.
  const clientConnection = await Connection.connect({ address });
  await registerSearchAttributes(clientConnection, config.temporal.namespace);
  const connection = await NativeConnection.connect({ address });
  const db = createDb(config.database.url);
  const worker = await createMoveWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    db,
    mailer: createSendGridMailer(config.mail),
    temporalWebUrl: config.temporal.webUrl,
    client: new Client({ connection: clientConnection, namespace: config.temporal.namespace }),
  });
  try {
    await worker.run();
  } finally {
    await db.$disconnect();
    await connection.close();
    await clientConnection.close();
  }
}

if (require.main === module) {
  runWorker(loadConfig()).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
