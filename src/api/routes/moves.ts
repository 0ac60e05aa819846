// Client site moves: start one (the wizard's Finish), read one with live progress, list them.
import type { Db, Prisma } from '../../db/client';
import { readMoveProgress } from '../../moveService/readProgress';
import { refusalsOn } from '../../moveService/errors';
import { checkStart } from '../../moveService/checkStart';
import { readMoveEvents } from '../../moveService/moveEvents';
import { startMove } from '../../moveService/startMove';
import { currentOperator } from '../auth';
import type { RouteDeps } from '../context';
import type { ApiRouter } from '../routing';
import { loadMove, moveProgressRef, noteMove, progressDeps } from '../moveLookup';
import { page } from '../paging';
import {
  IdempotencyHeaders,
  MoveDetailSchema,
  MoveEventsQuery,
  MoveEventsResponse,
  MoveParams,
  MoveSchema,
  MovesQuery,
  MovesResponse,
  StartCheckResponse,
  moveHorizon,
  startMoveBody,
} from '../schemas';
import { moveDetailView, moveInclude, moveView, type MoveRow } from '../views';

export function registerMoveRoutes(api: ApiRouter, deps: RouteDeps): void {
  const { db } = deps;

  api.add({
    method: 'post',
    path: '/api/client-site-moves',
    operationId: 'startClientSiteMove',
    tag: 'Moves',
    summary: 'Start a client site move (the wizard’s Finish)',
    description:
      'Checks the choices against the data, records the move and starts its workflow. The client shows ' +
      '"Active - move scheduled" and the destination site gets a dashboard task. With an Idempotency-Key, ' +
      'repeating the same request returns the same move (header Idempotent-Replayed: true). If Temporal answers ' +
      'neither the start nor whether the workflow runs, the move stays recorded and 503 start-outcome-unknown ' +
      'names it (moveId, location): read it before trying again.',
    access: 'superAdmin',
    body: startMoveBody(moveHorizon(deps.config.move)),
    headers: IdempotencyHeaders,
    responses: {
      201: {
        description: 'The move was started (or, with a repeated Idempotency-Key, had been)',
        schema: MoveSchema,
        headers: { Location: 'The move', 'Idempotent-Replayed': 'true when an earlier request made the move' },
      },
    },
    problems: refusalsOn('start'),
    handle: async ({ body, headers, req, res }) => {
      const operator = currentOperator(res);
      const started = await startMove(
        {
          db,
          temporal: deps.temporal,
          taskQueue: deps.config.temporal.taskQueue,
          move: deps.config.move,
          timeouts: deps.timeouts,
          log: req.log,
        },
        body,
        { operatorId: operator.id, idempotencyKey: headers['Idempotency-Key'] },
      );
      const row = await loadMove(deps, started.moveId);
      noteMove(req, res, row);
      // No progress here: the workflow has only just started; GET the move (Location) to follow it.
      res
        .status(201)
        .location(`/api/client-site-moves/${row.id}`)
        .set(started.replayed ? { 'Idempotent-Replayed': 'true' } : {})
        .json(moveView(row, deps.links));
    },
  });

  api.add({
    method: 'post',
    path: '/api/client-site-moves/check',
    operationId: 'checkClientSiteMove',
    tag: 'Moves',
    summary: 'Check a start without starting it (the wizard, before Finish)',
    description:
      'Takes the same body as a start and writes nothing. `problems` are what a start with this body would refuse ' +
      '(the same rules, so the two never disagree), each with its problem type, the field and the item; ' +
      '`warnings` are what could stop or surprise the move later: blocked numbers, spaces too small for the ' +
      "client's users, a client of nearly the same name at the destination, services of a type the destination " +
      'does not offer, a client whose items changed since the review.',
    access: 'operator',
    body: startMoveBody(moveHorizon(deps.config.move)),
    responses: { 200: { description: 'What a start would meet', schema: StartCheckResponse } },
    handle: async ({ body, res }) => {
      res.json(await checkStart(db, body, new Date()));
    },
  });

  api.add({
    method: 'get',
    path: '/api/client-site-moves',
    operationId: 'listClientSiteMoves',
    tag: 'Moves',
    summary: 'List moves, newest first (or those that need attention first)',
    description: 'Status comes from the database (the workflow mirrors it at each step).',
    access: 'operator',
    query: MovesQuery,
    responses: { 200: { description: 'A page of moves', schema: MovesResponse } },
    handle: async ({ query, res }) => {
      const where: Prisma.ClientSiteMoveWhereInput = {
        ...(query.status ? { status: { in: query.status } } : {}),
        ...(query.clientId ? { clientId: query.clientId } : {}),
        ...(query.siteId ? { OR: [{ sourceSiteId: query.siteId }, { destinationSiteId: query.siteId }] } : {}),
      };
      const [total, rows] = await Promise.all([
        db.clientSiteMove.count({ where }),
        query.order === 'needs-attention-first' ? needsAttentionFirst(db, where, query) : newestFirst(db, where, query),
      ]);
      res.json({
        items: rows.map((row) => moveView(row, deps.links)),
        page: page(query, total),
      });
    },
  });

  api.add({
    method: 'get',
    path: '/api/client-site-moves/{id}',
    operationId: 'getClientSiteMove',
    tag: 'Moves',
    summary: 'A move with its progress',
    description:
      "Progress is live from the workflow's `progress` query. When Temporal does not answer in time, it is " +
      'the last state the workflow mirrored to the database, and `progressSource` says `database`.',
    access: 'operator',
    params: MoveParams,
    responses: { 200: { description: 'The move', schema: MoveDetailSchema } },
    problems: refusalsOn('readMove'),
    handle: async ({ params, req, res }) => {
      const row = await loadMove(deps, params.id);
      noteMove(req, res, row);
      const reading = await readMoveProgress(progressDeps(deps, req.log), moveProgressRef(row));
      res.json(moveDetailView(row, deps.links, reading));
    },
  });

  api.add({
    method: 'get',
    path: '/api/client-site-moves/{id}/events',
    operationId: 'listClientSiteMoveEvents',
    tag: 'Moves',
    summary: 'The move’s audit trail: every phase change and action, oldest first',
    description:
      'Who acted (an operator through the API, `temporal` for actions taken in Temporal Web or the CLI, ' +
      '`system` for the workflow itself), when, and what changed. Phase changes are those the workflow ' +
      'mirrored to the database: one it passed through while the database was down is not listed.',
    access: 'operator',
    params: MoveParams,
    query: MoveEventsQuery,
    responses: { 200: { description: 'A page of events', schema: MoveEventsResponse } },
    problems: refusalsOn('readMove'),
    handle: async ({ params, query, req, res }) => {
      const row = await loadMove(deps, params.id);
      noteMove(req, res, row);
      const { items, total } = await readMoveEvents(db, row.id, query);
      res.json({ items, page: page(query, total) });
    },
  });
}

type MoveWindow = { offset: number; limit: number };

function newestFirst(db: Db, where: Prisma.ClientSiteMoveWhereInput, window: MoveWindow) {
  return db.clientSiteMove.findMany({
    where,
    include: moveInclude,
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    skip: window.offset,
    take: window.limit,
  });
}

/**
 * The moves waiting for an operator, then the rest, each part newest first: one page may span both
 * parts, so each is read with its own window.
 */
async function needsAttentionFirst(db: Db, where: Prisma.ClientSiteMoveWhereInput, window: MoveWindow) {
  const attention: Prisma.ClientSiteMoveWhereInput = { AND: [where, { status: 'NEEDS_ATTENTION' }] };
  const rest: Prisma.ClientSiteMoveWhereInput = { AND: [where, { status: { not: 'NEEDS_ATTENTION' } }] };
  const attentionCount = await db.clientSiteMove.count({ where: attention });
  const first = window.offset < attentionCount ? await newestFirst(db, attention, window) : ([] as MoveRow[]);
  const left = window.limit - first.length;
  if (left === 0) return first;
  const then = await newestFirst(db, rest, { offset: Math.max(0, window.offset - attentionCount), limit: left });
  return [...first, ...then];
}
