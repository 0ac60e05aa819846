// The session's resources: who the token belongs to, and (before sign-in) the demo operators.
import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import type { z } from 'zod';
import { MeResponse, SignInOptionsResponse, type Me } from '../../../src/api/schemas';
import { callApi } from './client';
import { useApi } from './useApi';

export function useMe(): UseQueryResult<Me> {
  const api = useApi();
  return useQuery({
    queryKey: ['me'],
    queryFn: ({ signal }) => api.get('/api/me', MeResponse, signal),
    staleTime: Infinity,
  });
}

export function useSignInOptions(): UseQueryResult<z.infer<typeof SignInOptionsResponse>> {
  return useQuery({
    queryKey: ['sign-in-options'],
    queryFn: ({ signal }) => callApi(null, '/api/sign-in-options', SignInOptionsResponse, { signal }),
    staleTime: Infinity,
  });
}
