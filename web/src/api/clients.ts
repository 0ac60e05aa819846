// Clients, and what the wizard reads about one: its choices at every other site (step 1) and what
// would move (the review steps, a page at a time: a client can have thousands of items).
import { keepPreviousData, useQuery, type UseQueryResult } from '@tanstack/react-query';
import type { z } from 'zod';
import { ClientsResponse, MoveOptionsResponse, MovePreviewResponse } from '../../../src/api/schemas';
import { LIST_POLL_MS } from './polling';
import { queryString, useApi } from './useApi';

export function useClients(filter: {
  siteId?: string;
  offset: number;
  limit: number;
}): UseQueryResult<z.infer<typeof ClientsResponse>> {
  const api = useApi();
  return useQuery({
    queryKey: ['clients', filter],
    queryFn: ({ signal }) => api.get(`/api/clients${queryString(filter)}`, ClientsResponse, signal),
    refetchInterval: LIST_POLL_MS,
    placeholderData: keepPreviousData,
  });
}

export type MoveOptions = z.infer<typeof MoveOptionsResponse>;

export function useMoveOptions(clientId: string): UseQueryResult<MoveOptions> {
  const api = useApi();
  return useQuery({
    queryKey: ['move-options', clientId],
    queryFn: ({ signal }) => api.get(`/api/clients/${clientId}/site-move/options`, MoveOptionsResponse, signal),
  });
}

export function useMovePreview(
  clientId: string,
  page: { offset: number; limit: number },
): UseQueryResult<z.infer<typeof MovePreviewResponse>> {
  const api = useApi();
  return useQuery({
    queryKey: ['move-preview', clientId, page],
    queryFn: ({ signal }) =>
      api.get(`/api/clients/${clientId}/site-move/preview${queryString(page)}`, MovePreviewResponse, signal),
    placeholderData: keepPreviousData,
  });
}
