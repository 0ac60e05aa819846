// Request validation with the same zod schemas the OpenAPI spec is generated from. A failure lists
// every wrong field, named as the caller wrote it: `spaceIds.1`, `limit`, `Idempotency-Key`.
import type { z } from 'zod';
import type { FieldError } from '../moveService/errors';
import { HttpProblem } from './problem';

export type RequestPart = 'path' | 'query' | 'body' | 'header';

export function fieldErrors(error: z.ZodError, part: RequestPart): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: at ? `${at}.${key}` : key, message: 'is not a known field' }));
    }
    // zod says "expected string, received undefined" for a missing field; people say "required".
    const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
    return [{ field: at || part, message: missing ? 'is required' : issue.message }];
  });
}

export function parseRequestPart<S extends z.ZodType>(schema: S, value: unknown, part: RequestPart): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const where = { path: 'path parameters', query: 'query', body: 'request body', header: 'headers' }[part];
  throw new HttpProblem(
    'validation-failed',
    `The ${where} did not validate; see errors`,
    fieldErrors(result.error, part),
  );
}
