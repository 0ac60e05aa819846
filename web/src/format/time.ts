// Times as the app shows them: a move's times at its destination site, in the site's own IANA zone
// with the zone named (the rules are the API's, src/domain/timeZones.ts), and what that is in the
// viewer's zone when it differs. The schedule inputs speak the site's wall-clock date and time.
import { formatAtSite, instantOfLocalTime } from '../../../src/domain/timeZones';

/** The viewer's IANA time zone, e.g. Europe/London. */
export const viewerTimeZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone;

// dateStyle/timeStyle cannot be combined with timeZoneName, hence the fields one by one.
const dateTime = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});

/** e.g. "28 Nov 2026, 09:30 GMT", in the viewer's zone. */
function formatTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** The date (YYYY-MM-DD) and time (HH:MM) inputs as a local date-time (2026-12-01T09:00); undefined when blank. */
export function localDateTime(date: string, time: string): string | undefined {
  return date && time ? `${date}T${time}` : undefined;
}

/** A local date-time (2026-12-01T09:00) as the date and time inputs show it. */
export function splitLocalDateTime(local: string): { date: string; time: string } {
  return { date: local.slice(0, 10), time: local.slice(11, 16) };
}

/**
 * A wall-clock time at a site as people read it, with the zone (and the viewer's own time when the
 * viewer is elsewhere); null when the site's clocks skip that time or it is no date.
 */
export function describeLocalTime(local: string, zone: string): { atSite: string; forViewer: string | null } | null {
  const instant = instantOfLocalTime(local, zone);
  if (!instant.ok) return null;
  const iso = instant.at.toISOString();
  return { atSite: formatAtSite(iso, zone), forViewer: zone === viewerTimeZone ? null : formatTime(iso) };
}
