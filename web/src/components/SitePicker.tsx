// A site to look at: the clients page and the dashboard are each about one site.
import type { ReactElement } from 'react';
import { useSites } from '../api/sites';

export function SitePicker({
  value,
  onChange,
  allSites,
}: {
  value: string;
  onChange: (siteId: string) => void;
  /** Offer "All sites" (value ''). */
  allSites?: boolean;
}): ReactElement {
  const sites = useSites();
  return (
    <div className="field field-inline">
      <label htmlFor="site-picker">Site</label>
      <select id="site-picker" value={value} onChange={(e) => onChange(e.target.value)} disabled={!sites.data}>
        {allSites && <option value="">All sites</option>}
        {!allSites && value === '' && <option value="">Choose a site</option>}
        {sites.data?.items.map((site) => (
          <option key={site.id} value={site.id}>
            {site.name} ({site.code})
          </option>
        ))}
      </select>
    </div>
  );
}
