// One declaration per route gives both the Express handler chain (auth, role, rate limit,
// validation) and its OpenAPI operation, so the spec cannot drift from what the app accepts.
import { OpenAPIRegistry, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, PROBLEMS, HttpProblem, problemType, type ProblemSlug } from './problem';
import { ProblemSchema } from './schemas';
import { parseRequestPart } from './validation';

/** public: anyone. operator: any authenticated operator (reads). superAdmin: changes moves. */
export type Access = 'public' | 'operator' | 'superAdmin';

const Empty = z.strictObject({});
type Empty = typeof Empty;

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json when there is a schema. */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RouteContext<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, H extends z.ZodObject> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  headers: z.output<H>;
  req: Request;
  res: Response;
}

export interface ApiRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, H extends z.ZodObject> {
  method: 'get' | 'post';
  /** OpenAPI form: /api/client-site-moves/{id}. */
  path: `/${string}`;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** True when the body may be left out altogether (action routes that take no input). */
  bodyOptional?: boolean;
  /** Keys spelled as in HTTP (Idempotency-Key); looked up case-insensitively. */
  headers?: H;
  responses: Record<number, ResponseDoc>;
  /** Problems this route can answer with, besides those its access and inputs imply. */
  problems?: ProblemSlug[];
  handle(ctx: RouteContext<P, Q, B, H>): Promise<void> | void;
}

export interface RoutingDeps {
  /** Everything that runs before a route's handler to know the operator (limits, token lookup). */
  authenticate: RequestHandler[];
  requireSuperAdmin: RequestHandler;
  /** Applied to every superAdmin route, after authentication (the key is the operator). */
  mutationRateLimit: RequestHandler;
  /** Reads a JSON body; only on routes that take one, after access checks. */
  parseBody: RequestHandler;
}

export class ApiRouter {
  readonly router: Router = express.Router();
  readonly registry = new OpenAPIRegistry();
  /** Every declared path (as a pattern) with the methods it takes, for 405 answers. */
  private readonly methodsByPath = new Map<string, { pattern: RegExp; methods: Set<string> }>();

  constructor(private readonly deps: RoutingDeps) {
    this.registry.registerComponent('securitySchemes', 'bearerAuth', {
      type: 'http',
      scheme: 'bearer',
      // No demo token here: this document is public, and a token printed in it is a token handed out.
      description: "An operator's API token (`npm run operator:create`)",
    });
  }

  /** Every declared path, as Express matches it (e.g. /healthz, /api/moves/:id). */
  paths(): string[] {
    return [...this.declared];
  }

  private readonly declared = new Set<string>();

  add<
    P extends z.ZodType = Empty,
    Q extends z.ZodType = Empty,
    B extends z.ZodType = Empty,
    H extends z.ZodObject = Empty,
  >(route: ApiRoute<P, Q, B, H>): void {
    this.registry.registerPath(openApiOperation(route));
    const known = this.methodsByPath.get(route.path) ?? { pattern: pathPattern(route.path), methods: new Set() };
    known.methods.add(route.method.toUpperCase());
    this.methodsByPath.set(route.path, known);

    const chain: RequestHandler[] = [
      (req, res, next) => {
        // /api/client-site-moves/check is its own path, not the move "check": a path with a parameter
        // never answers for a literal path declared beside it (that one answers, or says 405).
        if (route.path.includes('{') && this.isLiteralPath(req.path)) return next('route');
        res.locals.route = route.path;
        next();
      },
    ];
    if (route.access !== 'public') chain.push(...this.deps.authenticate);
    if (route.access === 'superAdmin') chain.push(this.deps.requireSuperAdmin, this.deps.mutationRateLimit);
    if (route.body) {
      chain.push((req, _res, next) => {
        // A body of another type would otherwise reach validation as "no body" and be misreported.
        // (type-is counts `Content-Length: 0` as a body; an empty one needs no type.)
        const empty = req.get('content-length') === '0' && req.get('transfer-encoding') === undefined;
        if (!empty && req.is('application/json') === false) {
          throw new HttpProblem(
            'unsupported-media-type',
            `Send the body as application/json, not ${req.get('content-type')}`,
          );
        }
        next();
      }, this.deps.parseBody);
    }
    chain.push(async (req, res) => {
      const ctx: RouteContext<P, Q, B, H> = {
        params: parseRequestPart(route.params ?? Empty, req.params, 'path') as z.output<P>,
        query: route.query ? parseRequestPart(route.query, req.query, 'query') : ({} as z.output<Q>),
        headers: route.headers
          ? parseRequestPart(route.headers, headerValues(route.headers, req), 'header')
          : ({} as z.output<H>),
        body: route.body ? parseRequestPart(route.body, req.body ?? {}, 'body') : ({} as z.output<B>),
        req,
        res,
      };
      await route.handle(ctx);
    });
    this.router[route.method](expressPath(route.path), ...chain);
    this.declared.add(expressPath(route.path));
  }

  private isLiteralPath(requestPath: string): boolean {
    for (const [path, { pattern }] of this.methodsByPath) {
      if (!path.includes('{') && pattern.test(requestPath)) return true;
    }
    return false;
  }

  /**
   * After the routes: a declared path asked with a method it does not take answers 405 with `Allow`
   * (not 404: the resource exists). Reads the paths at request time, so routes added later count.
   */
  methodNotAllowed(): RequestHandler {
    return (req, res, next) => {
      // Literal paths first: /api/client-site-moves/check is not a move id.
      const byLiteralFirst = [...this.methodsByPath].sort(
        ([a], [b]) => Number(a.includes('{')) - Number(b.includes('{')),
      );
      for (const [path, { pattern, methods }] of byLiteralFirst) {
        if (!pattern.test(req.path)) continue;
        const allow = [...methods].flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
        res.locals.route = path;
        throw new HttpProblem('method-not-allowed', `${path} takes ${allow}, not ${req.method}`, [], {
          Allow: allow,
        });
      }
      next();
    };
  }
}

/** /api/moves/{id} → a pattern matching /api/moves/<anything but a slash>, with an optional trailing slash. */
function pathPattern(openApiPath: string): RegExp {
  const escaped = openApiPath
    .split(/\{\w+\}/)
    .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${escaped}/?$`, 'i');
}

/** The declared headers under their declared names (Node lower-cases the ones it received). */
function headerValues(schema: z.ZodObject, req: Request): Record<string, string | undefined> {
  return Object.fromEntries(Object.keys(schema.shape).map((name) => [name, req.get(name)]));
}

/** /api/moves/{id} → /api/moves/:id */
export function expressPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1');
}

function impliedProblems(route: ApiRoute<z.ZodType, z.ZodType, z.ZodType, z.ZodObject>): ProblemSlug[] {
  const slugs: ProblemSlug[] = [];
  if (route.params || route.query || route.body || route.headers) slugs.push('validation-failed');
  if (route.body) slugs.push('malformed-json', 'payload-too-large', 'unsupported-media-type');
  // Every operator route looks the token up, so every one of them needs the database.
  if (route.access !== 'public') slugs.push('unauthorized', 'rate-limited', 'database-unavailable');
  if (route.access === 'superAdmin') slugs.push('forbidden', 'rate-limited');
  slugs.push('internal-error');
  return [...slugs, ...(route.problems ?? [])];
}

function openApiOperation(route: ApiRoute<z.ZodType, z.ZodType, z.ZodType, z.ZodObject>): RouteConfig {
  const responses: Record<string, ResponseConfig> = {};
  for (const [status, doc] of Object.entries(route.responses)) {
    responses[status] = {
      description: doc.description,
      ...(doc.headers ? { headers: stringHeaders(doc.headers) } : {}),
      ...(doc.schema ? { content: { [doc.contentType ?? 'application/json']: { schema: doc.schema } } } : {}),
    };
  }
  const byStatus = new Map<number, ProblemSlug[]>();
  for (const slug of impliedProblems(route)) {
    const status = PROBLEMS[slug].status;
    if (route.responses[status]) continue;
    byStatus.set(status, [...(byStatus.get(status) ?? []), slug]);
  }
  for (const [status, slugs] of [...byStatus].sort(([a], [b]) => a - b)) {
    const list = [...new Set(slugs)];
    responses[String(status)] = {
      description: list.map((slug) => `\`${problemType(slug)}\`: ${PROBLEMS[slug].title}`).join('; '),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
      ...(status === 429 || status === 503 ? { headers: stringHeaders({ 'Retry-After': 'Seconds to wait' }) } : {}),
      ...(status === 401 ? { headers: stringHeaders({ 'WWW-Authenticate': 'Bearer challenge' }) } : {}),
    };
  }
  return {
    method: route.method,
    path: route.path,
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    security: route.access === 'public' ? [] : [{ bearerAuth: [] }],
    request: {
      ...(route.params ? { params: route.params as z.ZodObject } : {}),
      ...(route.query ? { query: route.query as z.ZodObject } : {}),
      ...(route.headers ? { headers: route.headers } : {}),
      ...(route.body
        ? {
            body: {
              required: !route.bodyOptional,
              content: { 'application/json': { schema: route.body } },
            },
          }
        : {}),
    },
    responses,
  };
}

function stringHeaders(headers: Record<string, string>): NonNullable<ResponseConfig['headers']> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: 'string' as const } }]),
  );
}
