// Every error the API returns is application/problem+json (RFC 9457) with a stable `type`. This
// module holds the one table from domain error to HTTP, and the one error middleware that uses it:
// routes throw, this answers. Only a genuine bug becomes a 500.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { MoveRequestError, MoveRequestErrorCode, type FieldError } from '../moves/errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_PREFIX = 'urn:connect-site-move:problem:';

/** Every problem the API can answer with: slug → status and title. Listed in the OpenAPI spec. */
export const PROBLEMS = {
  'validation-failed': { status: 400, title: 'The request is not valid' },
  'malformed-json': { status: 400, title: 'The request body is not valid JSON' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Not allowed for this operator' },
  'not-found': { status: 404, title: 'No such resource' },
  'client-not-found': { status: 404, title: 'Client not found' },
  'move-not-found': { status: 404, title: 'Move not found' },
  'site-not-found': { status: 404, title: 'Site not found' },
  'active-move-exists': { status: 409, title: 'The client already has a move in progress' },
  'workflow-already-running': { status: 409, title: "The client's move workflow is still running" },
  'idempotent-request-in-progress': { status: 409, title: 'A request with this Idempotency-Key is in progress' },
  'phase-does-not-allow': { status: 409, title: "The move's phase does not allow this" },
  'move-finished': { status: 409, title: 'The move has finished' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'The request body must be application/json' },
  'client-not-active': { status: 422, title: 'The client is not active' },
  'destination-is-current-site': { status: 422, title: 'The destination is the current site' },
  'destination-unknown': { status: 422, title: 'The destination site does not exist' },
  'choice-not-at-destination': { status: 422, title: 'A choice does not belong to the destination site' },
  'space-occupied': { status: 422, title: 'A chosen space is not vacant' },
  'client-name-taken': { status: 422, title: 'The destination already has a client with this name' },
  'move-time-in-past': { status: 422, title: 'The move time is in the past' },
  'notify-operator-unknown': { status: 422, title: 'The T2 contact to notify does not exist' },
  'idempotency-key-reused': { status: 422, title: 'The Idempotency-Key was used for a different request' },
  'invalid-move-time': { status: 422, title: 'The new move time is not valid' },
  'invalid-reason': { status: 422, title: 'The reason is not valid' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'internal-error': { status: 500, title: 'Internal error' },
  'temporal-unavailable': { status: 503, title: 'Temporal is unavailable' },
  'start-outcome-unknown': { status: 503, title: 'Whether the move started is not known yet' },
} as const satisfies Record<string, { status: number; title: string }>;
export type ProblemSlug = keyof typeof PROBLEMS;

const FROM_MOVE_ERROR: Record<MoveRequestErrorCode, ProblemSlug> = {
  [MoveRequestErrorCode.ClientNotFound]: 'client-not-found',
  [MoveRequestErrorCode.MoveNotFound]: 'move-not-found',
  [MoveRequestErrorCode.SiteNotFound]: 'site-not-found',
  [MoveRequestErrorCode.ActiveMoveExists]: 'active-move-exists',
  [MoveRequestErrorCode.WorkflowAlreadyRunning]: 'workflow-already-running',
  [MoveRequestErrorCode.IdempotentRequestInProgress]: 'idempotent-request-in-progress',
  [MoveRequestErrorCode.PhaseDoesNotAllow]: 'phase-does-not-allow',
  [MoveRequestErrorCode.MoveFinished]: 'move-finished',
  [MoveRequestErrorCode.ClientNotActive]: 'client-not-active',
  [MoveRequestErrorCode.DestinationIsCurrentSite]: 'destination-is-current-site',
  [MoveRequestErrorCode.DestinationUnknown]: 'destination-unknown',
  [MoveRequestErrorCode.ChoiceNotAtDestination]: 'choice-not-at-destination',
  [MoveRequestErrorCode.SpaceOccupied]: 'space-occupied',
  [MoveRequestErrorCode.ClientNameTaken]: 'client-name-taken',
  [MoveRequestErrorCode.MoveTimeInPast]: 'move-time-in-past',
  [MoveRequestErrorCode.NotifyOperatorUnknown]: 'notify-operator-unknown',
  [MoveRequestErrorCode.IdempotencyKeyReused]: 'idempotency-key-reused',
  [MoveRequestErrorCode.InvalidMoveTime]: 'invalid-move-time',
  [MoveRequestErrorCode.InvalidReason]: 'invalid-reason',
  [MoveRequestErrorCode.TemporalUnavailable]: 'temporal-unavailable',
  [MoveRequestErrorCode.StartOutcomeUnknown]: 'start-outcome-unknown',
};

/** Problems that pass with time: how long a client should wait before trying again. */
const RETRY_AFTER_SECONDS: Partial<Record<ProblemSlug, string>> = {
  'temporal-unavailable': '5',
  'idempotent-request-in-progress': '1',
};

export function problemType(slug: ProblemSlug): string {
  return `${TYPE_PREFIX}${slug}`;
}

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
      const slug = FROM_MOVE_ERROR[error.code];
      const retryAfter = RETRY_AFTER_SECONDS[slug];
      return sendProblem(res, slug, error.message, {
        errors: error.fields,
        headers: retryAfter ? { 'Retry-After': retryAfter } : {},
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
