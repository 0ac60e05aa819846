// The wizard's data about a client: the client picker, the first step's choices (destination,
// tariff, bundle, spaces, T2 contact) and the three review steps (users, numbers, services).
import type { Db, Prisma } from '../../db/client';
import { ACTIVE_PHASES } from '../../domain/move';
import { findActiveMove } from '../../moveService/activeMove';
import { itemDigests } from '../../moveService/reviewDigests';
import { siteRefSelect } from '../views';
import { MoveRequestError, MoveRequestErrorCode, refusalsOn } from '../../moveService/errors';
import type { RouteDeps } from '../context';
import type { ApiRouter } from '../routing';
import {
  ClientParams,
  ClientsQuery,
  ClientsResponse,
  MoveOptionsResponse,
  MovePreviewResponse,
  PreviewQuery,
} from '../schemas';
import { page } from '../paging';

const clientSummarySelect = {
  id: true,
  name: true,
  status: true,
  site: { select: siteRefSelect },
  tariff: { select: { id: true, name: true } },
  minuteBundle: { select: { id: true, name: true } },
} satisfies Prisma.ClientSelect;

async function loadClient(db: Db, clientId: string) {
  const client = await db.client.findUnique({ where: { id: clientId }, select: clientSummarySelect });
  if (!client) throw new MoveRequestError(MoveRequestErrorCode.ClientNotFound, `Client ${clientId} does not exist`);
  return client;
}

export function registerClientRoutes(api: ApiRouter, deps: RouteDeps): void {
  const { db } = deps;

  api.add({
    method: 'get',
    path: '/api/clients',
    operationId: 'listClients',
    tag: 'Wizard',
    summary: 'Clients, by name; optionally one site’s',
    access: 'operator',
    query: ClientsQuery,
    responses: { 200: { description: 'A page of clients', schema: ClientsResponse } },
    handle: async ({ query, res }) => {
      const where: Prisma.ClientWhereInput = query.siteId ? { siteId: query.siteId } : {};
      const [total, items] = await Promise.all([
        db.client.count({ where }),
        db.client.findMany({
          where,
          select: clientSummarySelect,
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
          skip: query.offset,
          take: query.limit,
        }),
      ]);
      res.json({ items, page: page(query, total) });
    },
  });

  api.add({
    method: 'get',
    path: '/api/clients/{clientId}/site-move/options',
    operationId: 'getSiteMoveOptions',
    tag: 'Wizard',
    summary: 'Step 1 of the wizard: where the client can go, and who can be told',
    description:
      'Every site except the client’s current one, each with its tariffs, minute bundles and vacant spaces ' +
      '(a space promised to another unfinished move is not vacant); and the T2 contacts who may be emailed.',
    access: 'operator',
    params: ClientParams,
    responses: { 200: { description: 'The choices', schema: MoveOptionsResponse } },
    problems: refusalsOn('readClient'),
    handle: async ({ params, res }) => {
      const client = await loadClient(db, params.clientId);
      const [activeMove, sites, contacts] = await Promise.all([
        findActiveMove(db, client.id),
        db.site.findMany({
          where: { id: { not: client.site.id } },
          orderBy: { name: 'asc' },
          select: {
            ...siteRefSelect,
            tariffs: { select: { id: true, name: true, monthlyFeePence: true }, orderBy: { monthlyFeePence: 'asc' } },
            minuteBundles: {
              select: { id: true, name: true, minutes: true, monthlyFeePence: true },
              orderBy: { minutes: 'asc' },
            },
            spaces: {
              where: {
                clientId: null,
                moveSpaces: { none: { role: 'TARGET', move: { status: { in: [...ACTIVE_PHASES] } } } },
              },
              select: { id: true, name: true, capacity: true },
              orderBy: { name: 'asc' },
            },
          },
        }),
        db.operator.findMany({ select: { id: true, name: true, email: true, role: true }, orderBy: { name: 'asc' } }),
      ]);
      res.json({
        client,
        activeMoveId: activeMove?.id ?? null,
        destinations: sites.map(({ tariffs, minuteBundles, spaces, ...site }) => ({
          site,
          tariffs,
          minuteBundles,
          vacantSpaces: spaces,
        })),
        notifyContacts: contacts,
      });
    },
  });

  api.add({
    method: 'get',
    path: '/api/clients/{clientId}/site-move/preview',
    operationId: 'previewSiteMove',
    tag: 'Wizard',
    summary: 'Steps 2 to 4 of the wizard: the users, phone numbers and services that would move',
    description:
      'Everything the client has now; the move re-reads it when it runs. Decommissioned services do not move. ' +
      '`limit` and `offset` page each list; counts are always totals.',
    access: 'operator',
    params: ClientParams,
    query: PreviewQuery,
    responses: { 200: { description: 'What would move', schema: MovePreviewResponse } },
    problems: refusalsOn('readClient'),
    handle: async ({ params, query, res }) => {
      const client = await loadClient(db, params.clientId);
      const clientId = client.id;
      const window = { skip: query.offset, take: query.limit };
      const [userCount, users, numberCount, blocked, numbers, serviceCount, services] = await Promise.all([
        db.clientUser.count({ where: { clientId } }),
        db.clientUser.findMany({
          where: { clientId },
          select: { id: true, name: true, email: true },
          orderBy: [{ email: 'asc' }],
          ...window,
        }),
        db.phoneNumber.count({ where: { clientId } }),
        db.phoneNumber.count({ where: { clientId, status: 'BLOCKED' } }),
        db.phoneNumber.findMany({
          where: { clientId },
          select: { id: true, number: true, status: true },
          orderBy: [{ number: 'asc' }],
          ...window,
        }),
        db.service.count({ where: { clientId, status: 'ACTIVE' } }),
        db.service.findMany({
          where: { clientId, status: 'ACTIVE' },
          select: { id: true, name: true, type: true },
          orderBy: [{ type: 'asc' }, { name: 'asc' }, { id: 'asc' }],
          ...window,
        }),
      ]);
      const digests = await itemDigests(db, clientId);
      res.json({
        client,
        users: { count: userCount, digest: digests.users.digest, items: users },
        phoneNumbers: { count: numberCount, digest: digests.phoneNumbers.digest, blocked, items: numbers },
        services: { count: serviceCount, digest: digests.services.digest, items: services },
      });
    },
  });
}
