// Request validation with the same zod schemas the OpenAPI spec is generated from. A failure lists
// every wrong field, named as the caller wrote it: `spaceIds.1`, `limit`, `Idempotency-Key`.
import type { z } from 'zod';
import { fieldErrors, type RequestPart } from './fieldErrors';
import { HttpProblem } from './problem';

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
