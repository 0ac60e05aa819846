// Site-local times: the offset of the move's own day, not today's; times the clocks skip refused.
import { formatAtSite, instantOfLocalTime, isTimeZone, localTimeAt, offsetMinutes } from '../../src/domain/timeZones';

const at = (localTime: string, zone: string) => {
  const result = instantOfLocalTime(localTime, zone);
  if (!result.ok) throw new Error(`${localTime} ${zone}: ${result.reason}`);
  return result.at.toISOString();
};

it('uses the offset in effect on the day of the move, across a daylight-saving change', () => {
  // London: BST (+1) until 25 Oct 2026, GMT after. 09:00 on either side is 09:00 at the site.
  expect(at('2026-10-20T09:00', 'Europe/London')).toBe('2026-10-20T08:00:00.000Z');
  expect(at('2026-11-01T09:00', 'Europe/London')).toBe('2026-11-01T09:00:00.000Z');
  expect(at('2026-12-01T09:00', 'Europe/Amsterdam')).toBe('2026-12-01T08:00:00.000Z');
  expect(at('2027-04-01T09:00', 'Europe/Amsterdam')).toBe('2027-04-01T07:00:00.000Z');
  expect(at('2026-12-01T09:00', 'America/New_York')).toBe('2026-12-01T14:00:00.000Z');
});

it('refuses a time the clocks skip, and takes the first of a time they pass twice', () => {
  expect(instantOfLocalTime('2027-03-28T01:30', 'Europe/London')).toEqual({ ok: false, reason: 'does-not-exist' });
  expect(at('2026-10-25T01:30', 'Europe/London')).toBe('2026-10-25T00:30:00.000Z');
});

it('refuses malformed times and unknown zones', () => {
  for (const bad of ['2026-02-30T09:00', '2026-12-01 09:00', '2026-12-01T24:00', '2026-13-01T09:00', '09:00']) {
    expect(instantOfLocalTime(bad, 'Europe/London')).toEqual({ ok: false, reason: 'malformed' });
  }
  expect(instantOfLocalTime('2026-12-01T09:00', 'Mars/Olympus_Mons')).toEqual({ ok: false, reason: 'unknown-zone' });
  expect(isTimeZone('Europe/London')).toBe(true);
  expect(isTimeZone('Not/AZone')).toBe(false);
});

it('reads back what it wrote, and names the zone for people', () => {
  for (const zone of ['Europe/London', 'Europe/Amsterdam', 'Asia/Kolkata']) {
    expect(localTimeAt(at('2026-12-01T09:00', zone), zone)).toBe('2026-12-01T09:00');
  }
  expect(offsetMinutes('Asia/Kolkata', new Date('2026-12-01T00:00:00Z'))).toBe(330);
  expect(formatAtSite('2026-12-01T09:00:00Z', 'Europe/London')).toBe('Tue, 1 Dec 2026, 09:00 GMT (Europe/London)');
  expect(formatAtSite('2026-07-01T08:00:00Z', 'Europe/London')).toBe('Wed, 1 Jul 2026, 09:00 BST (Europe/London)');
});
