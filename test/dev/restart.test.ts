// Two promises the README makes of `npm start`, on the real stack as a child process with its own
// data folder: Ctrl-C while a move's batch runs lets that batch finish (the worker drains) before
// everything stops, and the next `npm start` on the same folder still has the move and its Temporal
// history (kept in a write-ahead log). The demo's largest client moves in small batches; the test holds its users' rows locked,
// so a batch of the users step is in flight (waiting on them) when Ctrl-C comes, for as long as needed.
import { chmod, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import pg from 'pg';
import { EMBEDDED_DATABASE_NAME, embeddedDatabaseUrl } from '../../src/config';
import { stopLeftovers } from '../../src/dev/leftovers';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../../src/dev/temporalDevServer';
import { SUPER, clientIdOf, startBody } from '../api/harness';
import { canConnect, freePorts, runStart, waitFor, type Run } from '../support/npmStart';

const CLIENT = 'Acme Analytics Ltd';
const BATCH_SIZE = 100;
const { EventType, PendingActivityState } = temporal.api.enums.v1;

let dir: string;
let ports: Record<string, string>;
const runs: Run[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'csm-restart-'));
  // PostgreSQL runs as its own system user and must be able to reach its data folder.
  await chmod(dir, 0o755);
  ports = await freePorts();
});
afterAll(async () => {
  for (const run of runs) if (!run.hasExited()) run.kill('SIGTERM');
  await Promise.all(runs.map((run) => run.exited));
  // Whatever happened, nothing this test started stays running.
  await stopLeftovers(dir, () => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function startStack(): Promise<Run> {
  // Small batches over the 2,100 items of the demo's largest client.
  const run = runStart({ ...ports, DATA_DIR: dir, MOVE_BATCH_SIZE: String(BATCH_SIZE) });
  runs.push(run);
  await waitFor(run, 'Connect Site Move is up', 150_000);
  return run;
}

async function withTemporal<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: `127.0.0.1:${ports.TEMPORAL_PORT}` });
  try {
    return await work(new Client({ connection }));
  } finally {
    await connection.close();
  }
}

/** Locks the client's users in the stack's database until released: the users step's batch waits on them. */
async function holdUsers(client: string): Promise<() => Promise<void>> {
  const db = new pg.Client({ connectionString: embeddedDatabaseUrl(Number(ports.PG_PORT), EMBEDDED_DATABASE_NAME) });
  // A stack that stops PostgreSQL under it (as it must not here) ends this connection.
  db.on('error', () => undefined);
  await db.connect();
  await db.query('BEGIN');
  await db.query('SELECT id FROM client_user WHERE client_id = $1 FOR UPDATE', [clientIdOf(client)]);
  return async () => {
    await db.query('COMMIT').catch(() => undefined);
    await db.end().catch(() => undefined);
  };
}

/** Polls the workflow until a batch of the users step is running on the worker; returns that activity. */
async function usersBatchInFlight(handle: WorkflowHandle): Promise<temporal.api.workflow.v1.IPendingActivityInfo> {
  for (;;) {
    const { raw } = await handle.describe();
    const running = raw.pendingActivities?.find(
      (a) => a.activityType?.name === 'moveUsers' && a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
    );
    if (running) return running;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopWith(run: Run): Promise<void> {
  expect(await run.exited).toBe(0);
  // In order: the API stops taking requests, the worker drains, then the servers it needed stop.
  const stopped = [...run.output().matchAll(/stopped (API|worker|Temporal dev server|PostgreSQL)$/gm)].map((m) => m[1]);
  expect(stopped).toEqual(['API', 'worker', 'Temporal dev server', 'PostgreSQL']);
  for (const port of Object.values(ports)) await expect(canConnect(Number(port))).resolves.toBe(false);
}

it('Ctrl-C during a batch lets it finish before the stack stops; the next npm start has the move and its history', async () => {
  const first = await startStack();
  // Before the move starts: its services and numbers move first, then the users' batch waits here.
  const releaseUsers = await holdUsers(CLIENT);
  const api = `http://127.0.0.1:${ports.API_PORT}`;
  const started = await fetch(`${api}/api/client-site-moves`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SUPER}`, 'content-type': 'application/json' },
    body: JSON.stringify(startBody(CLIENT, 'MAN-SPF')),
  });
  const move = (await started.json()) as { id: string; workflowId: string };
  expect({ status: started.status, move }).toMatchObject({ status: 201 });

  const { inFlight, runId, historyLength } = await withTemporal(async (client) => {
    const handle = client.workflow.getHandle(move.workflowId);
    const activity = await usersBatchInFlight(handle);
    const { raw, runId } = await handle.describe();
    return { inFlight: activity, runId, historyLength: Number(raw.workflowExecutionInfo?.historyLength ?? 0) };
  });
  first.kill('SIGINT');
  await waitFor(first, 'stopped API', 60_000);
  // However long the batch takes, the worker waits for it, and nothing it needs stops before it has.
  // (A stack that did not wait would be past the worker at once; a second is plenty to see that.)
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(first.output()).not.toMatch(/stopped (worker|Temporal dev server|PostgreSQL)/);
  await releaseUsers();
  await stopWith(first);

  const second = await startStack();
  // The move is still there, read through the API of the new run.
  const read = await fetch(`${api}/api/client-site-moves/${move.id}`, {
    headers: { authorization: `Bearer ${SUPER}` },
  });
  expect(read.status).toBe(200);
  expect(await read.json()).toMatchObject({ id: move.id, workflowId: move.workflowId });

  const history = await withTemporal((client) => client.workflow.getHandle(move.workflowId, runId).fetchHistory());
  const events = history.events ?? [];
  // The same run's history, kept whole by the Temporal dev server's database in the data folder.
  expect(events[0]?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  expect(events.length).toBeGreaterThanOrEqual(historyLength);

  // The batch in flight at Ctrl-C completed on its first attempt, on the worker that was stopped:
  // nothing was cut off and retried, and its result is recorded.
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityId === inFlight.activityId);
  expect(scheduled).toBeDefined();
  const startedEvent = events.find(
    (e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduled!.eventId?.toString(),
  );
  const completed = events.find(
    (e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === scheduled!.eventId?.toString(),
  );
  expect({
    attempt: startedEvent?.activityTaskStartedEventAttributes?.attempt,
    identity: startedEvent?.activityTaskStartedEventAttributes?.identity,
    completed: completed !== undefined,
  }).toEqual({ attempt: 1, identity: inFlight.lastWorkerIdentity, completed: true });
  const result = JSON.parse(
    Buffer.from(completed!.activityTaskCompletedEventAttributes!.result!.payloads![0]!.data!).toString(),
  ) as { processed: number; done: number };
  // The first batch of users, whole: committed in one transaction, and reported.
  expect(result).toMatchObject({ processed: BATCH_SIZE, done: BATCH_SIZE });
  // No attempt of any activity failed or timed out across the stop and the restart.
  const cutOff = events.filter((e) =>
    [EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT].includes(e.eventType!),
  );
  expect(cutOff).toEqual([]);

  // Its dev server runs with the project's settings (src/dev/temporalDevServer.ts).
  const serverArgs = await commandLineWith(path.join(dir, 'temporal.sqlite'));
  expect(serverArgs).toEqual(
    expect.arrayContaining([
      'journal_mode=WAL',
      'synchronous=FULL',
      `history.transferProcessorMaxPollRPS=${DEV_SERVER_DYNAMIC_CONFIG['history.transferProcessorMaxPollRPS']}`,
    ]),
  );

  second.kill('SIGTERM');
  await stopWith(second);
  // Temporal's file keeps a write-ahead log (FILE_STORE_PRAGMAS): the header's read and write
  // versions (bytes 18 and 19) are 2 in WAL mode, 1 with SQLite's default rollback journal.
  const header = await readFile(path.join(dir, 'temporal.sqlite'));
  expect([header[18], header[19]]).toEqual([2, 2]);
  // Two starts of the whole stack (each bundles the workflow for its worker) on a shared 2-core machine.
}, 300_000);

/** The arguments of the running process whose command line names `arg` (from /proc). */
async function commandLineWith(arg: string): Promise<string[]> {
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const args = await readFile(`/proc/${pid}/cmdline`, 'utf8').then(
      (text) => text.split('\0'),
      (): string[] => [],
    );
    if (args.includes(arg)) return args;
  }
  throw new Error(`no process runs with ${arg}`);
}
