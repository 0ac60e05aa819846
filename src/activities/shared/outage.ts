// The database being unreachable is nobody's mistake in the move: every activity reports it as a
// retryable DatabaseUnavailable failure, which the workflow waits out (showing it on the move)
// instead of asking an operator. Recognised from the driver adapter's error kinds, PostgreSQL's
// connection-class SQLSTATEs, Prisma's connection codes and the pg driver's own messages.
import { ApplicationFailure } from '@temporalio/common';
import { OutageFailureType } from '../../domain/errors';

/** @prisma/adapter-pg's names for a connection that could not be made, or was lost. */
const UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** Can't reach, timed out, closed connection, pool timeout, transaction lost with its connection. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
/** SQLSTATE classes 08 (connection), 57P01-03 (server shutting down or starting), 53300 (too many clients). */
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
const MESSAGES =
  /Connection terminated|server closed the connection|terminating connection due to administrator command|Connection ended unexpectedly|Can't reach database server|the database system is (starting up|shutting down)/i;

interface ErrorShape {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } };
}

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const { code, message, cause, meta } = e as ErrorShape;
    const adapter = meta?.driverAdapterError?.cause;
    if (typeof adapter?.kind === 'string' && UNREACHABLE_KINDS.has(adapter.kind)) return true;
    if (typeof adapter?.code === 'string' && SQLSTATE.test(adapter.code)) return true;
    if (typeof code === 'string' && (PRISMA_CODES.has(code) || NODE_CODES.has(code) || SQLSTATE.test(code)))
      return true;
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
    e = cause;
  }
  return false;
}

/** The same activity, reporting an unreachable database as a retryable DatabaseUnavailable failure. */
export function reportingOutages<A extends unknown[], R>(
  activity: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await activity(...args);
    } catch (error) {
      if (error instanceof ApplicationFailure || !isDatabaseUnavailable(error)) throw error;
      const detail = error instanceof Error ? error.message.trim().split('\n').at(-1) : String(error);
      throw ApplicationFailure.create({
        type: OutageFailureType.DatabaseUnavailable,
        message: `The database is unreachable: ${detail}`,
        nonRetryable: false,
        cause: error instanceof Error ? error : undefined,
      });
    }
  };
}
