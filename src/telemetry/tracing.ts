// OpenTelemetry traces: one trace runs from the HTTP request that starts a move, through the Temporal
// client, the workflow and each activity, to the email. Spans go to the OTLP/HTTP endpoint the
// standard OTEL_* variables name (read in src/config.ts); with none, nothing is recorded. Tracing
// is per process (npm start runs the API and the worker in one): each entry point starts it once.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { TracingSettings } from '../config';

export interface Tracing {
  resource: Resource;
  /** Where every span goes, the workflow's too (through the worker's sink). */
  spanProcessor: SpanProcessor;
  /** Sends what is buffered, then stops recording (for the process's own shutdown). */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** e.g. connect-site-move-worker; OTEL_SERVICE_NAME wins when set. */
  serviceName: string;
  exporter: SpanExporter;
  resourceAttributes?: Record<string, string>;
  /** Export each span as it ends (tests); otherwise in batches, off the request path. */
  immediate?: boolean;
}

/** Registers the process's tracer provider, context manager and W3C propagator. */
export function startTracing(options: TracingOptions): Tracing {
  const resource = new Resource({
    ...Resource.default().attributes,
    ...options.resourceAttributes,
    'service.name': options.serviceName,
  });
  const spanProcessor = options.immediate
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(options.exporter);
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register({
    contextManager: new AsyncLocalStorageContextManager().enable(),
    propagator: new W3CTraceContextPropagator(),
  });
  return {
    resource,
    spanProcessor,
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** Tracing as configured, or undefined when no OTLP endpoint is set. */
export function startConfiguredTracing(
  settings: TracingSettings | undefined,
  defaultServiceName: string,
): Tracing | undefined {
  if (!settings) return undefined;
  return startTracing({
    serviceName: settings.serviceName ?? defaultServiceName,
    resourceAttributes: settings.resourceAttributes,
    exporter: new OTLPTraceExporter({ url: settings.endpoint, headers: settings.headers }),
  });
}

/** On the API's Temporal client: starting a move (or an update) opens a span and carries it to the workflow. */
export function tracingClientInterceptors(): WorkflowClientInterceptor[] {
  return [new OpenTelemetryWorkflowClientInterceptor()];
}

/** On the worker: each activity runs in a span that continues the workflow's trace. */
export const tracingActivityInterceptor: ActivityInterceptorsFactory = (ctx) => ({
  inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
  outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
});

/**
 * The workflow records its spans inside its sandbox and hands them to this sink. Always registered,
 * so the workflow code (and its history) is the same with tracing on or off; off, spans are dropped.
 */
export function workflowTracingSinks(tracing: Tracing | undefined): InjectedSinks<OpenTelemetrySinks> {
  return {
    exporter: makeWorkflowExporter(
      tracing?.spanProcessor ?? new NoopSpanProcessor(),
      tracing?.resource ?? new Resource({}),
    ),
  };
}

/** The module the worker's workflow bundle loads for the workflow-side interceptors. */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/interceptors')];

/**
 * The workflow-side interceptors a worker bundles: only with tracing on. Off, their spans would be
 * dropped, yet making them cost the workflow thread about a fifth of its CPU (100 concurrent moves:
 * worker CPU 17.1 s with them, 12.1-12.4 s without; docs/performance.md). They add no commands, so
 * a history recorded with them replays without them, and the other way round.
 */
export function workflowInterceptorModules(tracing: Tracing | undefined): string[] {
  return tracing ? WORKFLOW_INTERCEPTOR_MODULES : [];
}
