// Every error the API returns is application/problem+json (RFC 9457) with a stable `type`. This
// module holds the one table from domain error to HTTP, and the one error middleware that uses it:
// routes throw, this answers. Only a genuine bug becomes a 500.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
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
