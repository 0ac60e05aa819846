// The API client bound to this tab's session: every call carries the token, and a 401 (token
// revoked, or a stale tab) ends the session instead of showing a broken page.
import { useMemo } from 'react';
import type { z } from 'zod';
import { useSession } from '../session/SessionProvider';
import { ApiProblem, callApi, type CallOptions } from './client';

export interface BoundApi {
  get: <S extends z.ZodType>(path: string, schema: S, signal?: AbortSignal) => Promise<z.output<S>>;
  post: <S extends z.ZodType>(
    path: string,
    schema: S,
    body: unknown,
    headers?: Record<string, string>,
  ) => Promise<z.output<S>>;
}

export function useApi(): BoundApi {
  const { token, signOut } = useSession();
  return useMemo(() => {
    const call = async <S extends z.ZodType>(path: string, schema: S, options: CallOptions) => {
      try {
        return await callApi(token, path, schema, options);
      } catch (error) {
        if (error instanceof ApiProblem && error.status === 401) signOut('Your sign-in has ended; sign in again.');
        throw error;
      }
    };
    return {
      get: (path, schema, signal) => call(path, schema, { signal }),
      post: (path, schema, body, headers) => call(path, schema, { method: 'POST', body, headers }),
    };
  }, [token, signOut]);
}

/** Query string from the values that are set. */
export function queryString(values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
