// Tells "the database could not be reached or went away" apart from every other database error, so
// the API can answer 503 (try again) instead of 500 (a bug) while PostgreSQL is down or restarting.
import { Prisma } from './client';

/**
 * Prisma's codes for an unreachable server, a timeout, a closed connection and an exhausted pool; and
 * P2028, a transaction that could not start in time (every connection busy: a burst of starts did
 * this in the bench) or ran out of time: overload, which passes, so 503 and not 500 (the activities'
 * own check counts it as an outage too).
 */
const UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
/** The pg driver adapter's kinds for the same. */
const UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** SQLSTATEs: connection exceptions (08…), admin/crash shutdown and "starting up" (57P01-57P03). */
const UNAVAILABLE_SQLSTATE = /^(08|57P0[123])/;
/** What raw queries and the pg driver say, where no code survives the wrapping. */
const UNAVAILABLE_MESSAGE =
  /Can't reach database server|Connection terminated|connection terminated|Timed out fetching a new connection|ECONNREFUSED|ECONNRESET|the database system is (starting up|shutting down)/;

interface AdapterErrorMeta {
  driverAdapterError?: { cause?: { kind?: string; originalCode?: string; code?: string } };
}

export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (UNAVAILABLE_CODES.has(error.code)) return true;
    const cause = (error.meta as AdapterErrorMeta | undefined)?.driverAdapterError?.cause;
    if (cause?.kind && UNAVAILABLE_KINDS.has(cause.kind)) return true;
    const sqlState = cause?.originalCode ?? cause?.code;
    if (sqlState && UNAVAILABLE_SQLSTATE.test(sqlState)) return true;
  }
  if (
    error instanceof Prisma.PrismaClientKnownRequestError ||
    error instanceof Prisma.PrismaClientUnknownRequestError
  ) {
    return UNAVAILABLE_MESSAGE.test(error.message);
  }
  return false;
}
