// Instants for people, machines read the ISO form: <Time> in the viewer's zone, <SiteTime> at a site
// (a move's times are its destination's), each with the zone named.
import type { ReactElement } from 'react';
import { formatAtSite } from '../../../src/domain/timeZones';
import { formatTime } from '../format/time';

export function Time({ iso }: { iso: string }): ReactElement {
  return <time dateTime={iso}>{formatTime(iso)}</time>;
}

export function SiteTime({ iso, zone }: { iso: string; zone: string }): ReactElement {
  return <time dateTime={iso}>{formatAtSite(iso, zone)}</time>;
}
