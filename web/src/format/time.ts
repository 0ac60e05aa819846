// Times as the viewer reads them: in the browser's own time zone, with the zone named. The API
// speaks ISO-8601; the schedule inputs speak the viewer's local date and time.

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

/** e.g. "28 Nov 2026, 09:30 GMT". */
export function formatTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** A local date (YYYY-MM-DD) and time (HH:MM) as an ISO instant, or undefined when either is blank or impossible. */
export function localToIso(date: string, time: string): string | undefined {
  if (!date || !time) return undefined;
  const at = new Date(`${date}T${time}`);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as the date and time inputs show it, in the viewer's zone. */
export function isoToLocal(iso: string): { date: string; time: string } {
  const at = new Date(iso);
  return {
    date: `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`,
    time: `${pad(at.getHours())}:${pad(at.getMinutes())}`,
  };
}
