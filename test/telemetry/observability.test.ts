// Metrics and traces on a running stack: the real worker (with the Temporal SDK's Prometheus
// exporter and the app's metrics server) and the real API, over the dev server and PostgreSQL,
// run a move that completes and one that is rolled back. Then: one trace runs from the HTTP request
// through the workflow to every activity and the email; every metric the alerts and the dashboard
// name is on the worker's (or the API's) /metrics.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { loadConfig } from '../../src/config';
import { seedDemoData } from '../../src/dev/seed';
import { startMailSink, type MailSink } from '../../src/dev/mailSink';
import { freePort } from '../../src/dev/ports';
import { startTracing, type Tracing } from '../../src/telemetry/tracing';
import { installTemporalRuntime } from '../../src/temporal/runtime';
import { startWorker, type RunningWorker } from '../../src/worker';
import { ADMIN_ID, eventually, startBody, SUPER } from '../api/harness';
import { alertRules, dashboardExpressions, metricNames } from '../support/promql';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startDevServerEnv, workflowBundle } from '../support/temporal';

const spans = new InMemorySpanExporter();
let tracing: Tracing;
let sdkMetricsUrl: string;
let env: TestWorkflowEnvironment;
let database: TestDatabase;
let sink: MailSink;
let worker: RunningWorker;
let api: ApiServer;
const moves: Record<'completed' | 'rolledBack', string> = { completed: '', rolledBack: '' };

const headers = { authorization: `Bearer ${SUPER}`, 'content-type': 'application/json' };

interface MoveView {
  status: string;
  progress: { email: { state: string } } | null;
}

async function moveStatus(id: string): Promise<MoveView> {
  return (await (await fetch(`${api.url}/api/client-site-moves/${id}`, { headers })).json()) as MoveView;
}

async function startMove(client: string, to: string): Promise<string> {
  const res = await fetch(`${api.url}/api/client-site-moves`, {
    method: 'POST',
    headers,
    body: JSON.stringify(startBody(client, to, { notifyOperatorId: ADMIN_ID })),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function waitFor(id: string, predicate: (move: MoveView) => boolean) {
  return eventually(
    async () => {
      const move = await moveStatus(id);
      return predicate(move) ? move : undefined;
    },
    { what: `move ${id}` },
  );
}

beforeAll(async () => {
  // Once per process and before any connection, as npm start and `npm run worker` do.
  const sdkMetricsAddress = `127.0.0.1:${await freePort()}`;
  installTemporalRuntime({ sdkMetricsAddress });
  sdkMetricsUrl = `http://${sdkMetricsAddress}/metrics`;
  tracing = startTracing({ serviceName: 'connect-site-move-test', exporter: spans, immediate: true });
  [env, database, sink] = await Promise.all([startDevServerEnv(), createTestDatabase(), startMailSink()]);
  await seedDemoData(database.db, { env: 'development' });
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    API_PORT: String(await freePort()),
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: 'observability',
    SENDGRID_BASE_URL: sink.url,
    WORKER_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
  });
  worker = await startWorker(config, { workflowBundle: workflowBundle(), tracing });
  api = await startApiServer(config, { logger: pino({ level: 'silent' }) });

  moves.completed = await startMove('Brightwave Studios', 'MAN-SPF');
  // Evergreen Health has a blocked phone number: NEEDS_ATTENTION, then an operator rolls it back.
  moves.rolledBack = await startMove('Evergreen Health', 'LDN-SHO');
  await waitFor(moves.completed, (m) => m.status === 'COMPLETED' && m.progress?.email.state === 'SENT');
  await waitFor(moves.rolledBack, (m) => m.status === 'NEEDS_ATTENTION');
  const rollback = await fetch(`${api.url}/api/client-site-moves/${moves.rolledBack}/rollback`, {
    method: 'POST',
    headers,
  });
  expect(rollback.status).toBe(200);
  await waitFor(moves.rolledBack, (m) => m.status === 'ROLLED_BACK' && m.progress?.email.state === 'SENT');
}, 120_000);

afterAll(async () => {
  await api?.close();
  await worker?.stop();
  await Promise.all([env?.teardown(), database?.drop(), sink?.close()]);
  await tracing?.shutdown();
});

/** The spans of one trace, by name; fails if a name is missing. */
function traceOf(traceId: string) {
  const inTrace = spans.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
  const named = (name: string) => inTrace.filter((span) => span.name === name);
  const one = (name: string): ReadableSpan => {
    const found = named(name);
    expect({ name, found: found.length }).toEqual({ name, found: 1 });
    return found[0]!;
  };
  return { spans: inTrace, named, one };
}

const spanId = (span: ReadableSpan) => span.spanContext().spanId;

describe('traces', () => {
  it('one trace runs from POST /api/client-site-moves through the workflow to every activity and the email', async () => {
    const { workflowId } = (await (
      await fetch(`${api.url}/api/client-site-moves/${moves.completed}`, { headers })
    ).json()) as {
      workflowId: string;
    };
    const start = spans
      .getFinishedSpans()
      .find(
        (span) => span.name === 'StartWorkflow:clientSiteMove' && span.attributes.temporalWorkflowId === workflowId,
      );
    expect(start).toBeDefined();
    const trace = traceOf(start!.spanContext().traceId);

    const http = trace.one('POST /api/client-site-moves');
    expect(http.parentSpanId).toBeUndefined();
    expect(http.attributes).toMatchObject({ 'http.route': '/api/client-site-moves', 'http.response.status_code': 201 });
    expect(start!.parentSpanId).toBe(spanId(http));
    const run = trace.one('RunWorkflow:clientSiteMove');
    expect(run.parentSpanId).toBe(spanId(start!));

    // Every activity and local activity of a move that runs at once (its mirrors are written by the
    // snapshot and the first step, so it has no recordProgress of its own).
    const activities = [
      'markMoveScheduled',
      'preflightCheck',
      'snapshotMoveItems',
      'compareWithReview',
      'provisionServices',
      'rehomePhoneNumbers',
      'moveUsers',
      'applyTariffAndBundle',
      'assignSpaces',
      'decommissionSourceServices',
      'finishMove',
      'deliverOutcomeEmail',
    ];
    for (const activity of activities) {
      const scheduled = trace.named(`StartActivity:${activity}`);
      const ran = trace.named(`RunActivity:${activity}`);
      expect({ activity, ran: ran.length > 0 }).toEqual({ activity, ran: true });
      for (const span of scheduled) expect(span.parentSpanId).toBe(spanId(run));
      const scheduledIds = new Set(scheduled.map(spanId));
      for (const span of ran)
        expect({ activity, child: scheduledIds.has(span.parentSpanId!) }).toEqual({ activity, child: true });
    }
    // The email is delivered by its own workflow, started by deliverOutcomeEmail, in the same trace:
    // one trace id from the request to the email.
    const startEmail = trace.one('StartWorkflow:moveOutcomeEmail');
    expect(startEmail.parentSpanId).toBe(spanId(trace.one('RunActivity:deliverOutcomeEmail')));
    const runEmail = trace.one('RunWorkflow:moveOutcomeEmail');
    expect(runEmail.parentSpanId).toBe(spanId(startEmail));
    const sendEmail = trace.one('StartActivity:sendOutcomeEmail');
    expect(sendEmail.parentSpanId).toBe(spanId(runEmail));
    const email = trace.one('RunActivity:sendOutcomeEmail');
    expect(email.parentSpanId).toBe(spanId(sendEmail));
    expect(email.spanContext().traceId).toBe(http.spanContext().traceId);
  });

  it("an operator's rollback is traced from its request into the workflow's update handler", () => {
    const request = spans.getFinishedSpans().find((span) => span.name === 'POST /api/client-site-moves/{id}/rollback');
    expect(request).toBeDefined();
    const trace = traceOf(request!.spanContext().traceId);
    const update = trace.one('StartWorkflowUpdate:rollback');
    expect(update.parentSpanId).toBe(spanId(request!));
    expect(trace.one('HandleUpdate:rollback').parentSpanId).toBe(spanId(update));
  });
});

describe('metrics', () => {
  const scrape = async (url: string) => (await fetch(url)).text();
  /** Names exposed at a /metrics endpoint: with samples, or declared (# TYPE) with none yet. */
  const exposed = (text: string) =>
    new Set(
      text
        .split('\n')
        .map((line) =>
          line.startsWith('# TYPE ') ? line.split(' ')[2] : line.startsWith('#') ? '' : line.split(/[{ ]/)[0],
        )
        .filter((name): name is string => Boolean(name)),
    );
  const sample = (text: string, name: string, labels: string) =>
    Number(new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);

  it('every metric the alerts and the dashboard name is on the running worker (or the API)', async () => {
    const [app, sdk, apiMetrics] = await Promise.all([
      scrape(worker.metricsUrl!),
      scrape(sdkMetricsUrl),
      scrape(`${api.url}/metrics`),
    ]);
    const where = { worker: exposed(app), sdk: exposed(sdk), api: exposed(apiMetrics) };
    const names = [...alertRules().map((rule) => rule.expr), ...dashboardExpressions()].flatMap(metricNames);
    expect(names.length).toBeGreaterThan(20);
    for (const name of new Set(names)) {
      const endpoint = name.startsWith('temporal_') ? 'sdk' : name.startsWith('csm_http_') ? 'api' : 'worker';
      // With histograms the exposition has name_bucket / _sum / _count; a name is found as written.
      expect({ name, endpoint, exposed: where[endpoint].has(name) || where[endpoint].has(`${name}_bucket`) }).toEqual({
        name,
        endpoint,
        exposed: true,
      });
    }
  });

  it("counts what the two moves did: items moved, the blocked number's failure, the rollback, two emails", async () => {
    const app = await scrape(worker.metricsUrl!);
    const users = await database.db.clientUser.count({ where: { client: { name: 'Brightwave Studios' } } });
    expect(sample(app, 'csm_items_moved_total', 'kind="USER"')).toBe(users);
    expect(sample(app, 'csm_activity_failures_total', 'activity="rehomePhoneNumbers",type="PhoneNumberBlocked"')).toBe(
      1,
    );
    expect(sample(app, 'csm_moves_finished_total', 'phase="COMPLETED"')).toBe(1);
    expect(sample(app, 'csm_moves_finished_total', 'phase="ROLLED_BACK"')).toBe(1);
    expect(sample(app, 'csm_emails_total', 'outcome="sent"')).toBe(2);
    expect(sample(app, 'csm_moves', 'phase="ROLLED_BACK"')).toBe(1);
    expect(sample(app, 'csm_email_outbox', 'status="SENT"')).toBe(2);
    expect(app).toMatch(/^csm_move_needs_attention_oldest_seconds 0$/m);
    expect(app).toMatch(/^csm_activity_duration_seconds_count\{activity="moveUsers",outcome="completed"\} [1-9]/m);
  });
});
