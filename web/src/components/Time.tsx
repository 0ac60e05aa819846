// An instant at a site, in the site's zone with the zone named (a move's times are its destination's);
// machines read the ISO form.
import type { ReactElement } from 'react';
import { formatAtSite } from '../../../src/domain/timeZones';

export function SiteTime({ iso, zone }: { iso: string; zone: string }): ReactElement {
  return <time dateTime={iso}>{formatAtSite(iso, zone)}</time>;
}
