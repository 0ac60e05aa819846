// A per-token budget for changing moves: one operator's runaway script cannot flood Temporal.
// Keyed by operator (it runs after authentication), not by IP: many operators share an office NAT.
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
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
