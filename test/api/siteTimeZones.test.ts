// Site time zones through the API (issue 11.4): real app, PostgreSQL, Temporal dev server and worker.
// A local time at the destination is read in the destination's zone with the offset of the move's own
// day, so a daylight-saving change between scheduling and the move does not shift it; the move shows
// its time at the site, zone named; a time the clocks skip is refused against the field.
import { MoveDetailSchema, MoveOptionsResponse, MoveSchema } from '../../src/api/schemas';
import { offsetMinutes } from '../../src/domain/timeZones';
import { api, clientIdOf, expectProblem, startApiHarness, startBody, type ApiHarness } from './harness';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'dev-server', worker: true });
});
afterAll(() => harness.close());

const DAY_MS = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The first day (UTC midnight) from tomorrow on whose noon the zone's offset differs from today's. */
function nextClockChange(zone: string): number {
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const now = offsetMinutes(zone, new Date(today + DAY_MS / 2));
  for (let d = today + DAY_MS; d < today + 370 * DAY_MS; d += DAY_MS) {
    if (offsetMinutes(zone, new Date(d + DAY_MS / 2)) !== now) return d;
  }
  throw new Error(`${zone} has no clock change within a year`);
}

/** The instant of a wall-clock time, with an offset in minutes. */
const instant = (local: string, offset: number) => new Date(Date.parse(`${local}:00Z`) - offset * 60_000).toISOString();

it('the options give each destination its zone; one site is not in London', async () => {
  const options = MoveOptionsResponse.parse(
    (await api(harness.app).get(`/api/clients/${clientIdOf('Brightwave Studios')}/site-move/options`)).body,
  );
  const zones = Object.fromEntries(options.destinations.map((d) => [d.site.code, d.site.timeZone]));
  expect(zones).toMatchObject({ 'MAN-SPF': 'Europe/London', 'AMS-ZUI': 'Europe/Amsterdam' });
});

it('09:00 at the site stays 09:00 across the clock change between scheduling and the move', async () => {
  const change = nextClockChange('Europe/London');
  const offsetNow = offsetMinutes('Europe/London', new Date());
  const after = `${day(change + 2 * DAY_MS)}T09:00`;
  const offsetAfter = offsetMinutes('Europe/London', new Date(change + 2 * DAY_MS));
  expect(offsetAfter).not.toBe(offsetNow);

  const started = await api(harness.app).post(
    '/api/client-site-moves',
    startBody('Brightwave Studios', 'MAN-SPF', { moveAt: after, timeZone: 'Europe/London' }),
  );
  expect(started.status).toBe(201);
  const move = MoveSchema.parse(started.body);
  // The offset of the move's day, not today's: the UTC instant is 09:00 at the site on that day.
  expect(move.scheduledFor).toBe(instant(after, offsetAfter));
  expect(move.scheduledAtSite).toMatchObject({ localTime: after, timeZone: 'Europe/London' });
  expect(move.scheduledAtSite.text).toMatch(/09:00 (GMT|BST) \(Europe\/London\)$/);
  const row = await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: move.id } });
  expect(row).toMatchObject({ scheduledLocalTime: after, scheduledTimeZone: 'Europe/London' });
  expect(row.scheduledFor.toISOString()).toBe(instant(after, offsetAfter));

  // Rescheduled to 09:00 the day before the change: the other offset, still 09:00 at the site.
  const before = `${day(change - DAY_MS)}T09:00`;
  const res = await api(harness.app).post(`/api/client-site-moves/${move.id}/reschedule`, {
    moveAt: before,
    timeZone: 'Europe/London',
  });
  expect(res.status).toBe(200);
  const rescheduled = MoveDetailSchema.parse(res.body);
  const offsetBefore = offsetMinutes('Europe/London', new Date(change - DAY_MS));
  expect(offsetBefore).toBe(offsetNow);
  expect(rescheduled.scheduledFor).toBe(instant(before, offsetBefore));
  expect(rescheduled.scheduledAtSite.localTime).toBe(before);
  expect(await harness.db.clientSiteMove.findUniqueOrThrow({ where: { id: move.id } })).toMatchObject({
    scheduledLocalTime: before,
  });

  // The workflow waits for that instant: its own progress says so.
  expect(rescheduled.progress?.scheduledFor).toBe(instant(before, offsetBefore));
  expect((await api(harness.app).post(`/api/client-site-moves/${move.id}/cancel`, { reason: 'test' })).status).toBe(
    200,
  );
});

it('a time the clocks skip at the destination is refused against moveAt', async () => {
  // The last Sunday of March, 01:30 in London, does not exist.
  const year = new Date().getUTCFullYear() + (new Date().getUTCMonth() >= 2 ? 1 : 0);
  const lastSunday = new Date(Date.UTC(year, 2, 31));
  lastSunday.setUTCDate(31 - lastSunday.getUTCDay());
  const res = await api(harness.app).post(
    '/api/client-site-moves',
    startBody('Brightwave Studios', 'MAN-SPF', {
      moveAt: `${day(lastSunday.getTime())}T01:30`,
      timeZone: 'Europe/London',
    }),
  );
  expectProblem(res, 422, 'invalid-local-time');
  expect(res.body).toMatchObject({
    errors: [{ field: 'moveAt' }],
    detail: expect.stringMatching(/clocks skip/) as unknown,
  });
});

it('a move to Amsterdam shows its time in Amsterdam', async () => {
  const local = `${day(Date.now() + 7 * DAY_MS)}T09:00`;
  const started = await api(harness.app).post(
    '/api/client-site-moves',
    startBody('Cobalt Legal LLP', 'AMS-ZUI', { moveAt: local, timeZone: 'Europe/Amsterdam' }),
  );
  expect(started.status).toBe(201);
  const move = MoveSchema.parse(started.body);
  const offset = offsetMinutes('Europe/Amsterdam', new Date(Date.parse(`${local}:00Z`)));
  expect(move.scheduledFor).toBe(instant(local, offset));
  expect(move.scheduledAtSite).toEqual({
    localTime: local,
    timeZone: 'Europe/Amsterdam',
    text: expect.stringMatching(/09:00 .* \(Europe\/Amsterdam\)$/) as unknown,
  });
  // An ISO time with an offset still works, and is shown at the site too.
  const london = await api(harness.app).post(
    '/api/client-site-moves',
    startBody('Evergreen Health', 'AMS-ZUI', { moveAt: instant(local, offset) }),
  );
  expect(london.status).toBe(201);
  expect(MoveSchema.parse(london.body).scheduledAtSite.localTime).toBe(local);
});
