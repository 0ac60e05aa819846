// The one way the app talks to the API: same origin, the operator's token as a bearer header,
// answers checked against the API's own zod schemas, and problem+json answers thrown as ApiProblem.
import type { z } from 'zod';
import { ProblemSchema } from '../../../src/api/schemas';

export type Problem = z.infer<typeof ProblemSchema>;
export type FieldError = NonNullable<Problem['errors']>[number];

/** An answer of the API's that says no: status, stable type, words for people, fields at fault. */
export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }

  get status(): number {
    return this.problem.status;
  }

  /** The stable part of `type`, e.g. `phase-does-not-allow`. */
  get slug(): string {
    return this.problem.type.slice(this.problem.type.lastIndexOf(':') + 1);
  }

  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? [];
  }
}

/** The API could not be reached, or answered with something that is not the API's. */
export class ApiUnreachable extends Error {}

export interface CallOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function callApi<S extends z.ZodType>(
  token: string | null,
  path: string,
  schema: S,
  options: CallOptions = {},
): Promise<z.output<S>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      credentials: 'omit',
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiUnreachable('The API could not be reached; check your connection and try again.');
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const problem = ProblemSchema.safeParse(body);
    if (problem.success) throw new ApiProblem(problem.data);
    throw new ApiUnreachable(`The API answered ${response.status} without saying why; try again shortly.`);
  }
  return schema.parse(body);
}
