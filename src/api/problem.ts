// Every error the API returns is application/problem+json (RFC 9457) with a stable `type`. This
// module holds the one table from domain error to HTTP, and the one error middleware that uses it:
// routes throw, this answers. Only a genuine bug becomes a 500.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { isDatabaseUnavailable } from '../db/unavailable';
import { MOVE_REFUSALS, MoveRequestError, type FieldError, type RefusalSlug } from '../moveService/errors';
import { PROBLEM_CONTENT_TYPE, PROBLEMS, problemType, type ProblemSlug } from './problemTypes';

// The catalog of problem types is plain data in its own module, so the web app can read it too.
export { PROBLEM_CONTENT_TYPE, PROBLEMS, problemType, type ProblemSlug } from './problemTypes';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The request id, also in the X-Request-Id header and the logs. */
  requestId?: string;
  /** For validation: each field that is wrong, and why. */
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Thrown by middleware and routes for problems that are the API's own (auth, validation, limits). */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';

  constructor(
    readonly slug: ProblemSlug,
    detail: string,
    readonly errors: FieldError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export function sendProblem(
  res: Response,
  slug: ProblemSlug,
  detail: string,
  extra: { errors?: FieldError[]; headers?: Record<string, string>; members?: Record<string, unknown> } = {},
): void {
  const { status, title } = PROBLEMS[slug];
  const body: ProblemBody = {
    ...extra.members,
    type: problemType(slug),
    title,
    status,
    detail,
    requestId: res.getHeader('X-Request-Id')?.toString(),
    ...(extra.errors && extra.errors.length > 0 ? { errors: extra.errors } : {}),
  };
  res.locals.problem = slug;
  res
    .status(status)
    .set(extra.headers ?? {})
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(body));
}

/** While PostgreSQL restarts or fails over: a few seconds is the usual wait. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

/** A problem document for answers written outside Express (no request id: no request got that far). */
export function rawProblemBody(slug: ProblemSlug, detail: string): string {
  const { status, title } = PROBLEMS[slug];
  return JSON.stringify({ type: problemType(slug), title, status, detail });
}

/**
 * A whole HTTP response for a request Node's parser refused before Express saw it (garbage, headers
 * too large, a body that never arrives): problem+json like every other answer, then the connection closes.
 */
export function rawProblemResponse(slug: ProblemSlug, detail: string): string {
  const { status, title } = PROBLEMS[slug];
  const body = rawProblemBody(slug, detail);
  return [
    `HTTP/1.1 ${status} ${title}`,
    `Content-Type: ${PROBLEM_CONTENT_TYPE}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Errors body-parser raises (http-errors shape), by their `type`. */
const BODY_PARSER_PROBLEMS: Record<string, ProblemSlug> = {
  'entity.parse.failed': 'malformed-json',
  'entity.too.large': 'payload-too-large',
  'encoding.unsupported': 'unsupported-media-type',
  'charset.unsupported': 'unsupported-media-type',
};

interface HttpErrorLike {
  status: number;
  expose: boolean;
  type?: string;
  message: string;
}

function isClientHttpError(error: unknown): error is HttpErrorLike {
  const e = error as Partial<HttpErrorLike> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.status === 'number' &&
    e.status >= 400 &&
    e.status < 500 &&
    e.expose === true
  );
}

export function problemHandler(): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof HttpProblem) {
      return sendProblem(res, error.slug, error.message, { errors: error.errors, headers: error.headers });
    }
    if (error instanceof MoveRequestError) {
      const refusal: { slug: RefusalSlug; retryAfterSeconds?: number } = MOVE_REFUSALS[error.code];
      return sendProblem(res, refusal.slug, error.message, {
        errors: error.fields,
        headers: refusal.retryAfterSeconds ? { 'Retry-After': String(refusal.retryAfterSeconds) } : {},
        members: error.extra,
      });
    }
    if (isClientHttpError(error)) {
      const slug = BODY_PARSER_PROBLEMS[error.type ?? ''] ?? 'validation-failed';
      return sendProblem(res, slug, error.message);
    }
    if (error instanceof URIError) {
      // The router could not percent-decode a path parameter: the caller's mistake, not ours.
      return sendProblem(res, 'validation-failed', 'The path is not valid percent-encoded UTF-8', {
        errors: [{ field: 'path', message: 'is not valid percent-encoded UTF-8' }],
      });
    }
    if (isDatabaseUnavailable(error)) {
      req.log.warn({ err: error }, 'The database is unavailable');
      return sendProblem(res, 'database-unavailable', 'The database is unavailable; try again shortly', {
        headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
      });
    }
    // A bug: log it whole, answer without internals.
    req.log.error({ err: error }, 'Unhandled error');
    res.err = error instanceof Error ? error : new Error(String(error));
    return sendProblem(
      res,
      'internal-error',
      'Something went wrong on our side; the request id identifies it in the logs',
    );
  };
}

/** Anything no route matched. */
export function notFoundHandler(): RequestHandler {
  return (req, res) => sendProblem(res, 'not-found', `No route for ${req.method} ${req.path}`);
}
