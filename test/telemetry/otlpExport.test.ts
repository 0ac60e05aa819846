// With OTEL_EXPORTER_OTLP_ENDPOINT set, spans leave the process as OTLP/HTTP protobuf, with the
// OTEL_EXPORTER_OTLP_HEADERS and the service name; a stand-in collector receives them. Without it,
// nothing traces, and the worker leaves the workflow's tracing interceptors out of its bundle.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { loadConfig } from '../../src/config';
import {
  WORKFLOW_INTERCEPTOR_MODULES,
  startConfiguredTracing,
  startTracing,
  workflowInterceptorModules,
} from '../../src/telemetry/tracing';

it('exports spans to the configured collector, with its headers and the service name', async () => {
  const received: { path?: string; headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
  const collector = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  try {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=secret',
    });
    const tracing = startConfiguredTracing(config.observability.tracing, 'connect-site-move-worker');
    expect(tracing).toBeDefined();
    trace.getTracer('test').startSpan('a move step').end();
    await tracing!.shutdown(); // flushes the batch
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      path: '/v1/traces',
      headers: { 'content-type': 'application/x-protobuf', 'x-collector-key': 'secret' },
    });
    // Protobuf carries strings as they are: the span and the service are in the request.
    expect(received[0]!.body.includes('a move step')).toBe(true);
    expect(received[0]!.body.includes('connect-site-move-worker')).toBe(true);
  } finally {
    collector.close();
  }
});

it('is off without an endpoint: nothing is started', () => {
  expect(startConfiguredTracing(loadConfig({}).observability.tracing, 'connect-site-move-api')).toBeUndefined();
});

it('bundles the workflow-side interceptors only with tracing on (off, their spans would be dropped)', async () => {
  expect(workflowInterceptorModules(undefined)).toEqual([]);
  const tracing = startTracing({ serviceName: 'connect-site-move-test', exporter: new InMemorySpanExporter() });
  try {
    expect(workflowInterceptorModules(tracing)).toEqual(WORKFLOW_INTERCEPTOR_MODULES);
    expect(WORKFLOW_INTERCEPTOR_MODULES).toEqual([require.resolve('../../src/workflows/interceptors')]);
  } finally {
    await tracing.shutdown();
  }
});
