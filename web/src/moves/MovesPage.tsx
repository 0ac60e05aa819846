// Every move, those that need attention first, then newest first; filtered by phase, site and client
// (kept in the address, so a filtered list can be shared), a page at a time. A move's times are its
// destination site's, zone named.
import type { ReactElement } from 'react';
import { Link, useSearchParams } from 'react-router';
import { MOVE_PHASES, type MovePhase } from '../../../src/domain/move';
import { useClients } from '../api/clients';
import { useMoves } from '../api/moves';
import { useSites } from '../api/sites';
import { Loading } from '../components/Loading';
import { PageHeading } from '../components/PageHeading';
import { Pager } from '../components/Pager';
import { PhaseBadge } from '../components/PhaseBadge';
import { ProblemAlert } from '../components/ProblemAlert';
import { SiteTime } from '../components/Time';
import { PHASE_LABEL } from '../format/labels';

const PAGE_SIZE = 20;

const isPhase = (value: string | null): value is MovePhase =>
  (MOVE_PHASES as readonly (string | null)[]).includes(value);

export function MovesPage(): ReactElement {
  const [params, setParams] = useSearchParams();
  const phase = params.get('phase');
  const siteId = params.get('site') ?? '';
  const clientId = params.get('client') ?? '';
  const offset = Number(params.get('offset') ?? 0) || 0;
  const sites = useSites();
  const clients = useClients({ offset: 0, limit: 100 });
  const moves = useMoves({
    phase: isPhase(phase) ? phase : undefined,
    siteId: siteId || undefined,
    clientId: clientId || undefined,
    offset,
    limit: PAGE_SIZE,
  });

  const setFilter = (name: 'phase' | 'site' | 'client' | 'offset', value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    // A new filter starts at its first page.
    if (name !== 'offset') next.delete('offset');
    setParams(next);
  };

  return (
    <>
      <PageHeading title="Moves" />
      <form className="filters" aria-label="Filter moves" onSubmit={(e) => e.preventDefault()}>
        <div className="field field-inline">
          <label htmlFor="filter-phase">Phase</label>
          <select id="filter-phase" value={phase ?? ''} onChange={(e) => setFilter('phase', e.target.value)}>
            <option value="">All phases</option>
            {MOVE_PHASES.map((p) => (
              <option key={p} value={p}>
                {PHASE_LABEL[p]}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="filter-site">Site</label>
          <select id="filter-site" value={siteId} onChange={(e) => setFilter('site', e.target.value)}>
            <option value="">All sites</option>
            {sites.data?.items.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="filter-client">Client</label>
          <select id="filter-client" value={clientId} onChange={(e) => setFilter('client', e.target.value)}>
            <option value="">All clients</option>
            {clients.data?.items.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
      </form>
      {moves.isPending && <Loading what="moves" />}
      {moves.isError && <ProblemAlert error={moves.error} />}
      {moves.data && (
        <>
          <div className="table-scroll" role="region" aria-labelledby="moves-caption" tabIndex={0}>
            <table className="stack-on-phone">
              <caption id="moves-caption">Moves, those that need attention first</caption>
              <thead>
                <tr>
                  <th scope="col">Client</th>
                  <th scope="col">From → to</th>
                  <th scope="col">Phase</th>
                  <th scope="col">Scheduled for</th>
                  <th scope="col">Requested</th>
                </tr>
              </thead>
              <tbody>
                {moves.data.items.map((move) => (
                  <tr key={move.id}>
                    <th scope="row">
                      <Link to={`/moves/${move.id}`}>{move.client.name}</Link>
                    </th>
                    <td data-label="From → to">
                      {move.sourceSite.name} → {move.destinationSite.name}
                    </td>
                    <td data-label="Phase">
                      <PhaseBadge phase={move.status} />
                    </td>
                    <td data-label="Scheduled for">
                      {move.moveNow ? (
                        'Move Now'
                      ) : (
                        <time dateTime={move.scheduledFor}>{move.scheduledAtSite.text}</time>
                      )}
                    </td>
                    <td data-label="Requested">
                      <SiteTime iso={move.createdAt} zone={move.destinationSite.timeZone} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {moves.data.items.length === 0 && <p>No moves match.</p>}
          <Pager page={moves.data.page} noun="moves" onOffset={(next) => setFilter('offset', String(next))} />
        </>
      )}
    </>
  );
}
