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
 *
 * A failure is counted when its 401 has been sent, never before: express-rate-limit's
 * skipSuccessfulRequests counts every request as it arrives and takes it back when it ends well, so
 * more valid requests in flight than the budget (a dashboard polling under load), or valid ones the
 * client gave up on, were refused as failed authentications (the bench saw 429s at 50 rps).
 */
export function authFailureRateLimit(perMinute: number, now: () => number = Date.now): RequestHandler {
  const windowMs = 60_000;
  const failures = new Map<string, { count: number; endsAt: number }>();
  const forget = (at: number) => {
    for (const [key, window] of failures) if (window.endsAt <= at) failures.delete(key);
  };
  return (req, res, next) => {
    // The socket's address (no proxy is trusted): a header a client writes itself is no key.
    const key = ipKeyGenerator(req.socket.remoteAddress ?? 'unknown');
    const window = failures.get(key);
    const at = now();
    if (window && window.endsAt > at && window.count >= perMinute) {
      const retryAfter = String(Math.ceil((window.endsAt - at) / 1000));
      next(
        new HttpProblem(
          'rate-limited',
          `Too many requests with a missing or invalid token from this address; try again in ${retryAfter} s`,
          [],
          { 'Retry-After': retryAfter },
        ),
      );
      return;
    }
    res.once('finish', () => {
      if (res.statusCode !== 401) return;
      const failedAt = now();
      const current = failures.get(key);
      if (current && current.endsAt > failedAt) current.count++;
      else {
        // Addresses whose minute is over are forgotten as new ones come, so the map stays small.
        forget(failedAt);
        failures.set(key, { count: 1, endsAt: failedAt + windowMs });
      }
    });
    next();
  };
}
