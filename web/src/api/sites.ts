// Sites, and each site's dashboard tasks (the moves coming to it), polled while the page is open.
import { keepPreviousData, useQuery, type UseQueryResult } from '@tanstack/react-query';
import type { z } from 'zod';
import { SitesResponse, TasksResponse } from '../../../src/api/schemas';
import { LIVE_POLL_MS } from './polling';
import { queryString, useApi } from './useApi';

export function useSites(): UseQueryResult<z.infer<typeof SitesResponse>> {
  const api = useApi();
  return useQuery({
    queryKey: ['sites'],
    queryFn: ({ signal }) => api.get('/api/sites', SitesResponse, signal),
    staleTime: 5 * 60_000,
  });
}

export function useDashboardTasks(
  siteId: string | undefined,
  page: { offset: number; limit: number },
): UseQueryResult<z.infer<typeof TasksResponse>> {
  const api = useApi();
  return useQuery({
    queryKey: ['dashboard-tasks', siteId, page],
    queryFn: ({ signal }) => api.get(`/api/sites/${siteId}/dashboard/tasks${queryString(page)}`, TasksResponse, signal),
    enabled: siteId !== undefined,
    refetchInterval: LIVE_POLL_MS,
    placeholderData: keepPreviousData,
  });
}
