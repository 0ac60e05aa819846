// Moves: the list, one move (polled until it has finished), its audit trail, the check before Finish,
// starting one (the wizard's Finish, with an Idempotency-Key) and the operator's actions on one.
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type UseInfiniteQueryResult,
  type InfiniteData,
  type UseMutationResult,
  type UseQueryResult,
} from '@tanstack/react-query';
import type { z } from 'zod';
import {
  MoveDetailSchema,
  MoveEventsResponse,
  MoveSchema,
  MovesResponse,
  StartCheckResponse,
  type CancelBody,
  type Move,
  type MoveDetail,
  type RescheduleBody,
  type StartMoveBody,
} from '../../../src/api/schemas';
import { isFinalPhase, type MovePhase } from '../../../src/domain/move';
import { LIST_POLL_MS, LIVE_POLL_MS } from './polling';
import { queryString, useApi } from './useApi';

export interface MovesFilter {
  phase?: MovePhase;
  siteId?: string;
  clientId?: string;
  offset: number;
  limit: number;
}

export function useMoves(filter: MovesFilter): UseQueryResult<z.infer<typeof MovesResponse>> {
  const api = useApi();
  const { phase, ...rest } = filter;
  return useQuery({
    queryKey: ['moves', filter],
    queryFn: ({ signal }) =>
      api.get(
        `/api/client-site-moves${queryString({ ...rest, status: phase, order: 'needs-attention-first' })}`,
        MovesResponse,
        signal,
      ),
    refetchInterval: LIST_POLL_MS,
    placeholderData: keepPreviousData,
  });
}

export function useMove(moveId: string): UseQueryResult<MoveDetail> {
  const api = useApi();
  return useQuery({
    queryKey: ['move', moveId],
    queryFn: ({ signal }) => api.get(`/api/client-site-moves/${moveId}`, MoveDetailSchema, signal),
    // A finished move changes no more.
    refetchInterval: (query) => (query.state.data && isFinalPhase(query.state.data.status) ? false : LIVE_POLL_MS),
  });
}

/** Everything a move changes shows on these lists. */
function useRefreshLists() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all(
      ['clients', 'moves', 'dashboard-tasks', 'move-options'].map((key) =>
        queryClient.invalidateQueries({ queryKey: [key] }),
      ),
    );
}

export type StartMoveInput = z.input<StartMoveBody>;
export type StartCheck = z.infer<typeof StartCheckResponse>;

/**
 * What a start with this request would meet (POST /check writes nothing, so it is a query): asked
 * again whenever the request changes, and when the operator comes back to the tab.
 */
export function useStartCheck(body: StartMoveInput | null): UseQueryResult<StartCheck> {
  const api = useApi();
  return useQuery({
    queryKey: ['start-check', body],
    queryFn: () => api.post('/api/client-site-moves/check', StartCheckResponse, body),
    enabled: body !== null,
    // A problem found a minute ago may be fixed now (a space let go): never served from the cache.
    staleTime: 0,
    gcTime: 0,
  });
}

type MoveEventsPage = z.infer<typeof MoveEventsResponse>;
export type MoveEvent = MoveEventsPage['items'][number];

const EVENTS_PAGE_SIZE = 50;

/** True once the trail holds its move's ending (the last event of a finished move). */
function trailEnded(data: InfiniteData<MoveEventsPage, number> | undefined): boolean {
  const last = data?.pages.at(-1);
  const kind = last?.items.at(-1)?.kind;
  return last?.page.nextOffset === null && (kind === 'finished' || kind === 'never-started');
}

/**
 * The move's audit trail, oldest first, a page at a time ("Show later events" loads the next). Polled
 * until the move has finished and its trail holds the ending.
 */
export function useMoveEvents(
  moveId: string,
  moveFinished: boolean,
): UseInfiniteQueryResult<InfiniteData<MoveEventsPage, number>> {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: ['move-events', moveId],
    queryFn: ({ pageParam, signal }) =>
      api.get(
        `/api/client-site-moves/${moveId}/events${queryString({ offset: pageParam, limit: EVENTS_PAGE_SIZE })}`,
        MoveEventsResponse,
        signal,
      ),
    initialPageParam: 0,
    getNextPageParam: (last) => last.page.nextOffset ?? undefined,
    refetchInterval: (query) => (moveFinished && trailEnded(query.state.data) ? false : LIVE_POLL_MS),
  });
}

export function useStartMove(): UseMutationResult<Move, Error, { body: StartMoveInput; idempotencyKey: string }> {
  const api = useApi();
  const refreshLists = useRefreshLists();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: StartMoveInput; idempotencyKey: string }) =>
      api.post('/api/client-site-moves', MoveSchema, body, { 'Idempotency-Key': idempotencyKey }),
    onSuccess: refreshLists,
  });
}

export type MoveAction =
  | { kind: 'move-now' }
  | { kind: 'reschedule'; body: z.input<RescheduleBody> }
  | { kind: 'cancel'; body: z.input<typeof CancelBody> }
  | { kind: 'retry' }
  | { kind: 'rollback' };

export function useMoveAction(moveId: string): UseMutationResult<MoveDetail, Error, MoveAction> {
  const api = useApi();
  const queryClient = useQueryClient();
  const refreshLists = useRefreshLists();
  return useMutation({
    mutationFn: (action: MoveAction) =>
      api.post(
        `/api/client-site-moves/${moveId}/${action.kind}`,
        MoveDetailSchema,
        'body' in action ? action.body : {},
      ),
    onSuccess: async (move) => {
      queryClient.setQueryData(['move', moveId], move);
      await Promise.all([refreshLists(), queryClient.invalidateQueries({ queryKey: ['move-events', moveId] })]);
    },
  });
}
