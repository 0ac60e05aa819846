// A zod failure as the fields the caller wrote (`spaceIds.1`, `limit`, `Idempotency-Key`), each with
// a message for people. Plain code: the API answers with it, and the web app checks forms with it.
import type { z } from 'zod';
import type { FieldError } from '../moveService/errors';

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
