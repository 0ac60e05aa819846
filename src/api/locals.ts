// What the middleware learns about a request and later middleware reads (typed res.locals).
import type { OperatorRole } from '../generated/prisma/client';

export interface AuthenticatedOperator {
  id: string;
  name: string;
  email: string;
  role: OperatorRole;
}

declare module 'express-serve-static-core' {
  interface Locals {
    operator?: AuthenticatedOperator;
    /** The matched route as written in the OpenAPI spec, e.g. /api/client-site-moves/{id} (metrics label). */
    route?: string;
    /** Set by routes about one move, so the request's log line names it. */
    moveId?: string;
    workflowId?: string;
    /** The problem slug of an error answer (logs). */
    problem?: string;
  }
}
