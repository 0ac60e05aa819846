// Tells "the database could not be reached, went away or is not ready yet" apart from every other
// database error: the API answers 503 (try again) instead of 500 (a bug), and activities report a
// retryable DatabaseUnavailable that the workflow waits out. One classifier for both, since the same
// error reaches them in several wrappings: Prisma's errors, the pg driver adapter's bare
// DriverAdapterError (its cause carries the SQLSTATE), and the pg driver's and Node's own errors.
import { Prisma } from './client';

/** Prisma's codes: can't reach, timed out, closed connection, pool timeout, transaction lost with its connection. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
/** @prisma/adapter-pg's names for a connection that could not be made, or was lost. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/**
 * SQLSTATE class 08 (connection), 57P01-03 (admin or crash shutdown; "starting up" and "not yet
 * accepting connections" during recovery), 53300 (too many clients).
 */
const SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
const NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
/** What raw queries and the pg driver say, where no code survives the wrapping. */
const MESSAGES =
  /Connection terminated|server closed the connection|terminating connection due to administrator command|Connection ended unexpectedly|Can't reach database server|Timed out fetching a new connection|the database system is (starting up|shutting down|not yet accepting connections|in recovery mode)/i;

interface ErrorShape {
  code?: unknown;
  originalCode?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: unknown } };
}

/** The error, or any cause it wraps (a few levels deep), says the database is unreachable or not ready. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const { code, originalCode, kind, message, cause, meta } = e as ErrorShape;
    if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true;
    for (const c of [code, originalCode]) {
      if (typeof c === 'string' && (PRISMA_CODES.has(c) || NODE_CODES.has(c) || SQLSTATE.test(c))) return true;
    }
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
    // A Prisma error keeps the adapter's error in its meta; a DriverAdapterError, in its cause.
    e = meta?.driverAdapterError?.cause ?? cause;
  }
  return false;
}
