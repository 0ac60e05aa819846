// A server span per HTTP request, continuing a caller's W3C `traceparent` when there is one, named
// after the route as the OpenAPI document writes it (GET /api/client-site-moves/{id}). Whatever the
// request does, the Temporal client's span included, runs inside it. No-op while tracing is off.
import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';

export function traceRequests(): RequestHandler {
  const tracer = trace.getTracer('connect-site-move-api');
  return (req, res, next) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(
      req.method,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'url.path': req.path, 'url.scheme': req.protocol },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    let ended = false;
    const end = (aborted: boolean) => {
      if (ended) return;
      ended = true;
      const route = res.locals.route;
      if (route) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (aborted) span.setStatus({ code: SpanStatusCode.ERROR, message: 'connection closed before the answer' });
      else if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', () => end(false));
    res.once('close', () => end(!res.writableFinished));
    // Body parsing continues in the request stream's callbacks, which would otherwise lose the span.
    context.bind(active, req);
    context.bind(active, res);
    context.with(active, next);
  };
}
