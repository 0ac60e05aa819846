// Site-local times: "Schedule Move: 9:00" means 9:00 at the site, in its IANA time zone, whatever the
// browser's zone, and on the day of the move (its offset then, not today's: a daylight-saving change
// between scheduling and the move does not shift the local time chosen). Pure, with Intl only.

/** YYYY-MM-DDTHH:mm, optionally :ss: a wall-clock time with no zone. */
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at an instant, in minutes (London in summer: 60). */
export function offsetMinutes(zone: string, at: Date): number {
  const parts = formatterFor('offset', zone).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return Math.round((asUtc - (at.getTime() - at.getMilliseconds())) / 60_000);
}

export type LocalTimeResult =
  { ok: true; at: Date } | { ok: false; reason: 'malformed' | 'unknown-zone' | 'does-not-exist' };

/**
 * The instant a wall-clock time at a zone names, with the offset in effect on that day. A time the
 * clocks skip (the spring-forward hour) does not exist and is refused; a time they pass twice (the
 * autumn hour) is the first of the two.
 */
export function instantOfLocalTime(localTime: string, zone: string): LocalTimeResult {
  const m = LOCAL_TIME.exec(localTime);
  if (!m) return { ok: false, reason: 'malformed' };
  if (!isTimeZone(zone)) return { ok: false, reason: 'unknown-zone' };
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m.slice(1).map((v) => Number(v ?? 0));
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(wall).getUTCDate() !== day || month > 12 || hour > 23 || minute > 59 || second > 59) {
    return { ok: false, reason: 'malformed' };
  }
  // The offset a few hours either side of the wall time covers any change on that day; of the
  // candidates, the earliest that reads back as the wall time wins.
  const candidates = [-12, 12]
    .map((hours) => offsetMinutes(zone, new Date(wall + hours * 3_600_000)))
    .map((offset) => wall - offset * 60_000)
    .sort((a, b) => a - b)
    .filter((t) => t + offsetMinutes(zone, new Date(t)) * 60_000 === wall);
  return candidates[0] === undefined
    ? { ok: false, reason: 'does-not-exist' }
    : { ok: true, at: new Date(candidates[0]) };
}

/** "Tue, 1 Dec 2026, 09:00 GMT (Europe/London)": a site-local time for people, zone named. */
export function formatAtSite(at: Date | string, zone: string): string {
  const when = typeof at === 'string' ? new Date(at) : at;
  const text = formatterFor('atSite', zone).format(when);
  return `${text} (${zone})`;
}

/** The wall-clock time at a zone, as YYYY-MM-DDTHH:mm (what a local-time field shows). */
export function localTimeAt(at: Date | string, zone: string): string {
  const when = typeof at === 'string' ? new Date(at) : at;
  const shifted = new Date(when.getTime() + offsetMinutes(zone, when) * 60_000);
  return shifted.toISOString().slice(0, 16);
}

/** The formats this project shows times in (all en-GB, 24-hour), by name. */
const FORMATS = {
  /** Every field as digits, to read a zone's offset back. */
  offset: {
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  },
  /** "Tue, 1 Dec 2026, 09:00 GMT". */
  atSite: {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  },
  /** "1 Dec, 09:00" (formatMoveTime). */
  moveTime: { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * One formatter per format and zone, kept: building one loads the zone's rules and costs far more
 * than using it (it showed in the worker's and the API's CPU profiles, docs/performance.md). Same
 * output, so workflow replay is unaffected. An unknown zone throws, as the constructor does. Only a
 * zone under its canonical name is kept ("europe/LONDON" works too, but every spelling of every zone
 * a request could send would make the cache grow without end).
 */
export function formatterFor(format: keyof typeof FORMATS, timeZone: string): Intl.DateTimeFormat {
  const key = `${format} ${timeZone}`;
  const kept = formatters.get(key);
  if (kept) return kept;
  const formatter = new Intl.DateTimeFormat('en-GB', { ...FORMATS[format], timeZone });
  if (formatter.resolvedOptions().timeZone === timeZone) formatters.set(key, formatter);
  return formatter;
}
