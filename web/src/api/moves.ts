// Moves: the list, one move (polled until it has finished), starting one (the wizard's Finish, with
// an Idempotency-Key) and the operator's actions on one.
import {
  keepPreviousData,
  useMutation,
  useQuery,
  useQueryClient,
  type UseMutationResult,
  type UseQueryResult,
} from '@tanstack/react-query';
import type { z } from 'zod';
import {
  MoveDetailSchema,
  MoveSchema,
  MovesResponse,
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
      await refreshLists();
    },
  });
}
