// How this service talks to Temporal from a request: every call has a deadline (the client's own
// retries would otherwise hold a request for ~20 s when the server is down), and "could not reach
// Temporal" is told apart from Temporal saying no.
import { WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcServiceError, type Client } from '@temporalio/client';

export interface TemporalTimeouts {
  /** Progress queries: short, the database answers instead. */
  queryMs: number;
  /** Starting a workflow. */
  startMs: number;
  /** An update, from the request until its handler returns. */
  updateMs: number;
  /** The readiness probe. */
  readyMs: number;
}

/**
 * Measured against the dev server: a live query answers in ~25 ms, a query on a closed 2,100-item
 * move (385 history events, replayed by a worker) in ~175 ms, a start in ~50 ms, an update in ~55 ms.
 */
export const DEFAULT_TEMPORAL_TIMEOUTS: TemporalTimeouts = {
  queryMs: 2_000,
  startMs: 5_000,
  updateMs: 30_000,
  readyMs: 2_000,
};

export function withTemporalDeadline<T>(temporal: Client, ms: number, call: () => Promise<T>): Promise<T> {
  return temporal.connection.withDeadline(Date.now() + ms, call);
}

/** gRPC status codes (fixed by the gRPC spec): DEADLINE_EXCEEDED, UNAVAILABLE. */
const UNREACHABLE = new Set<number>([4, 14]);

/** True when the error says Temporal was unreachable or slow, not that it refused the request. */
export function isTemporalUnavailable(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
    if (isGrpcServiceError(e) && UNREACHABLE.has(e.code)) return true;
  }
  return false;
}
