// Clients, for one site or all: name, site, status (in the product's words, "Active - move
// scheduled" while a move is pending), tariff and bundle, and the More menu that opens the wizard.
import type { ReactElement } from 'react';
import { useSearchParams } from 'react-router';
import { useClients } from '../api/clients';
import { Loading } from '../components/Loading';
import { PageHeading } from '../components/PageHeading';
import { Pager } from '../components/Pager';
import { ProblemAlert } from '../components/ProblemAlert';
import { SitePicker } from '../components/SitePicker';
import { CLIENT_STATUS_LABEL } from '../format/labels';
import { ClientMoreMenu } from './ClientMoreMenu';

const PAGE_SIZE = 20;

export function ClientsPage(): ReactElement {
  const [params, setParams] = useSearchParams();
  const siteId = params.get('site') ?? '';
  const offset = Number(params.get('offset') ?? 0) || 0;
  const clients = useClients({ siteId: siteId || undefined, offset, limit: PAGE_SIZE });

  return (
    <>
      <PageHeading title="Clients" />
      <SitePicker allSites value={siteId} onChange={(site) => setParams(site ? { site } : {})} />
      {clients.isPending && <Loading what="clients" />}
      {clients.isError && <ProblemAlert error={clients.error} />}
      {clients.data && (
        <>
          <div className="table-scroll" role="region" aria-labelledby="clients-caption" tabIndex={0}>
            <table className="stack-on-phone">
              <caption id="clients-caption">
                Clients{clients.data.items[0] && siteId ? ` at ${clients.data.items[0].site.name}` : ''}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Site</th>
                  <th scope="col">Status</th>
                  <th scope="col">Tariff</th>
                  <th scope="col">Minute bundle</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {clients.data.items.map((client) => (
                  <tr key={client.id}>
                    <th scope="row">{client.name}</th>
                    <td data-label="Site">{client.site.name}</td>
                    <td data-label="Status">
                      <span className={`status status-${client.status.toLowerCase()}`}>
                        {CLIENT_STATUS_LABEL[client.status]}
                      </span>
                    </td>
                    <td data-label="Tariff">{client.tariff.name}</td>
                    <td data-label="Minute bundle">{client.minuteBundle?.name ?? 'None'}</td>
                    <td>
                      <ClientMoreMenu client={client} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {clients.data.items.length === 0 && <p>No clients here.</p>}
          <Pager
            page={clients.data.page}
            noun="clients"
            onOffset={(next) => setParams({ ...(siteId ? { site: siteId } : {}), offset: String(next) })}
          />
        </>
      )}
    </>
  );
}
