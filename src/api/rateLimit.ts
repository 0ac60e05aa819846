// Two budgets. Changing moves: per token, so one operator's runaway script cannot flood Temporal
// (keyed by operator, not IP: many operators share an office NAT). Failed authentications: per
// client IP, so nobody can make the API look up guessed tokens in the database as fast as they like.
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { HttpProblem } from './problem';

export function mutationRateLimit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (_req, res) => `operator:${String(res.locals.operator?.id)}`,
    // The key is never an IP, so the library's proxy and IP checks would only log noise behind a proxy.
    validate: { ip: false, trustProxy: false, xForwardedForHeader: false, forwardedHeader: false },
    handler: (_req, res, next) => {
      const retryAfter = res.getHeader('Retry-After');
      next(
        new HttpProblem(
          'rate-limited',
          `At most ${perMinute} changes per minute per operator; try again in ${String(retryAfter ?? 60)} s`,
          [],
          { 'Retry-After': String(retryAfter ?? 60) },
        ),
      );
    },
  });
}

/**
 * Runs before authentication on every operator route and counts only the requests that end 401.
 * Once an IP has spent the budget, its requests are refused for the rest of the minute without a
 * token lookup (an operator with a valid token behind that IP waits too: that is the price).
 */
export function authFailureRateLimit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    // The socket's address (no proxy is trusted): a header a client writes itself is no key.
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.socket.remoteAddress ?? 'unknown')}`,
    validate: { ip: false, trustProxy: false, xForwardedForHeader: false, forwardedHeader: false },
    handler: (_req, res, next) => {
      const retryAfter = String(res.getHeader('Retry-After') ?? 60);
      next(
        new HttpProblem(
          'rate-limited',
          `Too many requests with a missing or invalid token from this address; try again in ${retryAfter} s`,
          [],
          { 'Retry-After': retryAfter },
        ),
      );
    },
  });
}
