// The problem types the API answers with (RFC 9457 `type`), each with its status and title: plain
// data, shared by the API (src/api/problem.ts), its OpenAPI document and the web app.
import { MOVE_REFUSALS, type RefusalKind, type RefusalSlug } from '../moveService/errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_PREFIX = 'urn:connect-site-move:problem:';

/** The API's own problems: about HTTP itself (auth, validation, limits), not about moves. */
const HTTP_PROBLEMS = {
  'validation-failed': { status: 400, title: 'The request is not valid' },
  'malformed-json': { status: 400, title: 'The request body is not valid JSON' },
  'malformed-request': { status: 400, title: 'The request is not well-formed HTTP' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Not allowed for this operator' },
  'not-found': { status: 404, title: 'No such resource' },
  'method-not-allowed': { status: 405, title: 'The resource does not take this method' },
  'request-timeout': { status: 408, title: 'The request was not received in time' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'The request body must be application/json' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'headers-too-large': { status: 431, title: 'The request headers are too large' },
  'internal-error': { status: 500, title: 'Internal error' },
  'database-unavailable': { status: 503, title: 'The database is unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

/** One status per kind of refusal; the refusals themselves are in src/moveService/errors.ts. */
const STATUS_OF: Record<RefusalKind, number> = {
  'not-found': 404,
  conflict: 409,
  unprocessable: 422,
  unavailable: 503,
};

export type ProblemSlug = keyof typeof HTTP_PROBLEMS | RefusalSlug;

/** Every problem the API can answer with: slug → status and title. Listed in the OpenAPI spec. */
export const PROBLEMS: Record<ProblemSlug, { status: number; title: string }> = {
  ...HTTP_PROBLEMS,
  ...(Object.fromEntries(
    Object.values(MOVE_REFUSALS).map((r) => [r.slug, { status: STATUS_OF[r.kind], title: r.title }]),
  ) as Record<RefusalSlug, { status: number; title: string }>),
};

export function problemType(slug: ProblemSlug): string {
  return `${TYPE_PREFIX}${slug}`;
}
