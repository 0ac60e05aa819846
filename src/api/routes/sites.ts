// Sites for the wizard's picker, and each site's dashboard tasks (a move shows on its destination).
import { MoveRequestError, MoveRequestErrorCode, refusalsOn } from '../../moveService/errors';
import { readMoveProgress, storedProgress, type ProgressReading } from '../../moveService/readProgress';
import type { RouteDeps } from '../context';
import type { ApiRouter } from '../routing';
import { SiteParams, SitesResponse, TasksQuery, TasksResponse } from '../schemas';
import { selectTaskPage } from '../rowQueries';
import { siteRefSelect, taskView } from '../views';
import { progressDeps } from '../moveLookup';
import { page } from '../paging';

export function registerSiteRoutes(api: ApiRouter, deps: RouteDeps): void {
  const { db } = deps;

  api.add({
    method: 'get',
    path: '/api/sites',
    operationId: 'listSites',
    tag: 'Wizard',
    summary: 'Every site, by name',
    access: 'operator',
    responses: { 200: { description: 'The sites', schema: SitesResponse } },
    handle: async ({ res }) => {
      const items = await db.site.findMany({ select: siteRefSelect, orderBy: { name: 'asc' } });
      res.json({ items });
    },
  });

  api.add({
    method: 'get',
    path: '/api/sites/{siteId}/dashboard/tasks',
    operationId: 'listDashboardTasks',
    tag: 'Dashboard',
    summary: "A site's dashboard tasks: the moves coming to it, open ones first",
    description:
      'Open tasks carry live progress when Temporal answers in time (`progressSource: temporal`); closed ones, ' +
      'and every task while Temporal is unreachable, carry the state the workflow last mirrored.',
    access: 'operator',
    params: SiteParams,
    query: TasksQuery,
    responses: { 200: { description: 'A page of tasks', schema: TasksResponse } },
    problems: refusalsOn('readSite'),
    handle: async ({ params, query, req, res }) => {
      const found = await selectTaskPage(db, params.siteId, query);
      if (!found) throw new MoveRequestError(MoveRequestErrorCode.SiteNotFound, `Site ${params.siteId} does not exist`);
      const { site, total, rows } = found;
      const live = progressDeps(deps, req.log);
      const items = await Promise.all(
        rows.map(async (row) => {
          // A closed task's mirrored progress is final; only open ones are worth asking Temporal about.
          const reading: ProgressReading = row.open
            ? await readMoveProgress(live, { ...row.move, storedProgress: row.progress })
            : { progress: storedProgress(row.progress), source: 'database' };
          return taskView(row, reading);
        }),
      );
      res.json({ site, items, page: page(query, total) });
    },
  });
}
