import { nextCronOccurrence, parseCron, CronSyntaxError } from './ncrontab';
import { parseSchedule, ScheduleError } from './schedule';
import { parseTimeSpan } from './timeSpan';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

/** The next `count` occurrences after `from`, as ISO strings. */
function occurrences(expression: string, from: string, count = 3): Array<string | undefined> {
  const schedule = parseSchedule(expression, {});
  const out: Array<string | undefined> = [];
  let t: number | undefined = at(from);
  for (let i = 0; i < count && t !== undefined; i++) {
    t = schedule.next(t);
    out.push(iso(t));
  }
  return out;
}

describe('parseCron', () => {
  it.each([
    ['* * * * * *', { seconds: 60, minutes: 60, hours: 24 }],
    ['0 */5 * * * *', { seconds: 1, minutes: 12, hours: 24 }],
    ['0 0 9-17 * * *', { hours: 9 }],
    ['0 1-30/5 * * * *', { minutes: 6 }],
    ['0 5/20 * * * *', { minutes: 3 }],
    ['0,15,30,45 * * * * *', { seconds: 4 }],
    ['0 0 0 1,15 * *', {}],
  ])('%s', (expression, sizes) => {
    const cron = parseCron(expression);
    for (const [field, size] of Object.entries(sizes)) {
      expect((cron as unknown as Record<string, number[]>)[field]).toHaveLength(size);
    }
  });

  it('reads steps, ranges and lists into the values they stand for', () => {
    expect(parseCron('0 1-30/5 * * * *').minutes).toEqual([1, 6, 11, 16, 21, 26]);
    expect(parseCron('0 5/20 * * * *').minutes).toEqual([5, 25, 45]);
    expect(parseCron('*/15 * * * * *').seconds).toEqual([0, 15, 30, 45]);
    expect(parseCron('0 0 1-3,10,20-21 * * *').hours).toEqual([1, 2, 3, 10, 20, 21]);
    expect(parseCron('0 0 0 * * *').hours).toEqual([0]);
  });

  it('reads month and day names (any prefix, any case), Sunday being 0', () => {
    expect([...parseCron('0 0 0 * Jan,mar,DECEMBER *').months]).toEqual([1, 3, 12]);
    expect([...parseCron('0 0 0 * Jun-Aug *').months]).toEqual([6, 7, 8]);
    expect([...parseCron('0 0 0 * * Mon-Fri').daysOfWeek]).toEqual([1, 2, 3, 4, 5]);
    expect([...parseCron('0 0 0 * * sun,Sat').daysOfWeek]).toEqual([0, 6]);
    expect([...parseCron('0 0 0 * * Tues').daysOfWeek]).toEqual([2]);
    expect([...parseCron('0 0 0 * * 0').daysOfWeek]).toEqual([0]);
  });

  it('keeps NCrontab quirks: a reversed range is swapped, a step of 0 is 1, extra spaces are fine', () => {
    expect(parseCron('0 0 17-9 * * *').hours).toHaveLength(9);
    expect(parseCron('*/0 * * * * *').seconds).toHaveLength(60);
    expect(parseCron('  0   0  *  * * *  ').hours).toHaveLength(24);
  });

  it.each([
    ['', /6 fields.*this one 0/],
    ['0 * * * *', /6 fields.*this one 5/],
    ['0 0 * * * * *', /6 fields.*this one 7/],
    ['60 * * * * *', /second field '60'.*60 is outside 0-59/],
    ['0 60 * * * *', /minute field/],
    ['0 0 24 * * *', /hour field '24'.*24 is outside 0-23/],
    ['0 0 0 0 * *', /day field '0'.*outside 1-31/],
    ['0 0 0 32 * *', /day field/],
    ['0 0 0 * 13 *', /month field '13'/],
    ['0 0 0 * 0 *', /month field '0'/],
    ['0 0 0 * * 7', /day-of-week field '7'.*outside 0-6/],
    ['0 0 0 * Foo *', /month field 'Foo'.*not one of January/],
    ['0 0 0 * * Mx', /day-of-week field 'Mx'/],
    ['x * * * * *', /second field 'x'.*not a number/],
    ['5x * * * * *', /not a number/],
    ['-1 * * * * *', /not a number/],
    ['1,,2 * * * * *', /a value is missing/],
    ['1, * * * * *', /a value is missing/],
    ['*/x * * * * *', /not a step/],
    ['/5 * * * * *', /not a step/],
    ['*/ * * * * *', /not a step/],
    ['1-2-3 * * * * *', /second field/],
    ['? * * * * *', /second field/],
    ['0 0 0 L * *', /day field/],
    ['0 0 0 30 Feb *', /never occurs/],
    ['0 0 0 31 4,6,9,11 *', /never occurs/],
  ])('rejects %j', (expression, message) => {
    expect(() => parseCron(expression)).toThrow(CronSyntaxError);
    expect(() => parseCron(expression)).toThrow(message);
  });
});

describe('nextCronOccurrence', () => {
  it('is strictly after the given time, in whole seconds', () => {
    const cron = parseCron('* * * * * *');
    expect(iso(nextCronOccurrence(cron, at('2026-01-01T00:00:00.000Z')))).toBe('2026-01-01T00:00:01.000Z');
    expect(iso(nextCronOccurrence(cron, at('2026-01-01T00:00:00.500Z')))).toBe('2026-01-01T00:00:01.000Z');
  });

  it.each([
    ['0 */5 * * * *', '2026-01-01T00:00:00Z', ['2026-01-01T00:05:00.000Z', '2026-01-01T00:10:00.000Z']],
    ['0 */5 * * * *', '2026-01-01T00:04:59Z', ['2026-01-01T00:05:00.000Z', '2026-01-01T00:10:00.000Z']],
    ['0 */5 * * * *', '2026-01-01T23:58:00Z', ['2026-01-02T00:00:00.000Z', '2026-01-02T00:05:00.000Z']],
    ['30 15 10 * * *', '2026-01-01T10:15:30Z', ['2026-01-02T10:15:30.000Z', '2026-01-03T10:15:30.000Z']],
    ['30 15 10 * * *', '2026-01-01T10:15:29Z', ['2026-01-01T10:15:30.000Z', '2026-01-02T10:15:30.000Z']],
    // 2026-01-01 is a Thursday.
    ['0 30 9 * * 1-5', '2026-01-02T10:00:00Z', ['2026-01-05T09:30:00.000Z', '2026-01-06T09:30:00.000Z']],
    ['0 0 0 * * Sun', '2026-01-01T00:00:00Z', ['2026-01-04T00:00:00.000Z', '2026-01-11T00:00:00.000Z']],
    ['0 0 12 1 * *', '2026-01-15T00:00:00Z', ['2026-02-01T12:00:00.000Z', '2026-03-01T12:00:00.000Z']],
    ['0 0 0 31 * *', '2026-01-31T00:00:00Z', ['2026-03-31T00:00:00.000Z', '2026-05-31T00:00:00.000Z']],
    ['0 0 0 29 Feb *', '2026-01-01T00:00:00Z', ['2028-02-29T00:00:00.000Z', '2032-02-29T00:00:00.000Z']],
    ['0 0 0 1 Jan *', '2026-06-01T00:00:00Z', ['2027-01-01T00:00:00.000Z', '2028-01-01T00:00:00.000Z']],
    ['0 0 23 31 Dec *', '2026-12-31T23:00:00Z', ['2027-12-31T23:00:00.000Z']],
    // Day and day-of-week must both match (NCrontab): Friday the 13th.
    ['0 0 0 13 * Fri', '2026-01-01T00:00:00Z', ['2026-02-13T00:00:00.000Z', '2026-03-13T00:00:00.000Z']],
    ['0 0 0 29 Feb Mon', '2026-01-01T00:00:00Z', ['2044-02-29T00:00:00.000Z']],
    ['0 59 23 * * *', '2026-01-01T23:59:00Z', ['2026-01-02T23:59:00.000Z']],
    ['15,45 * 3 * * *', '2026-01-01T02:59:59Z', ['2026-01-01T03:00:15.000Z', '2026-01-01T03:00:45.000Z']],
  ])('%s after %s', (expression, from, expected) => {
    expect(occurrences(expression, from, expected.length)).toEqual(expected);
  });

  it('matches a brute-force walk over every second of two days', () => {
    const expression = '*/20 10-12,40 1/7 * * Fri-Sat';
    const cron = parseCron(expression);
    const matches = (t: number): boolean => {
      const d = new Date(t);
      return (
        cron.seconds.includes(d.getUTCSeconds()) &&
        cron.minutes.includes(d.getUTCMinutes()) &&
        cron.hours.includes(d.getUTCHours()) &&
        cron.days.has(d.getUTCDate()) &&
        cron.months.has(d.getUTCMonth() + 1) &&
        cron.daysOfWeek.has(d.getUTCDay())
      );
    };
    const start = at('2026-01-02T00:00:00Z'); // a Friday
    let expected = start;
    let t: number | undefined = start;
    for (let i = 0; i < 40; i++) {
      do expected += 1000;
      while (!matches(expected));
      t = nextCronOccurrence(cron, t as number);
      expect(iso(t)).toBe(iso(expected));
    }
  });
});

describe('parseTimeSpan', () => {
  const MIN = 60_000;
  it.each([
    ['00:01:00', MIN],
    ['00:00:30', 30_000],
    ['01:00:00', 60 * MIN],
    ['23:59:59', 24 * 60 * MIN - 1000],
    ['1.00:00:00', 24 * 60 * MIN],
    ['2.03:04:05', ((2 * 24 + 3) * 60 + 4) * MIN + 5000],
    ['1:02:03:04', ((24 + 2) * 60 + 3) * MIN + 4000],
    ['25:00:00', 25 * 24 * 60 * MIN],
    ['24:01:02', (24 * 24 * 60 + 60 + 2) * MIN],
    ['00:00:01.5', 1500],
    ['01:30', 90 * MIN],
    ['1.01:30', (24 * 60 + 90) * MIN],
    ['2', 2 * 24 * 60 * MIN],
    [' 00:05:00 ', 5 * MIN],
  ])('%j', (text, ms) => {
    expect(parseTimeSpan(text)).toBe(ms);
  });

  it.each(['', 'abc', '1:2:3:4:5', '00:01:00:', '-00:01:00', '1h', '00-01-00'])(
    'is not a TimeSpan: %j',
    (text) => {
      expect(parseTimeSpan(text)).toBeUndefined();
    },
  );

  it.each([
    ['00:60:00', /not a valid TimeSpan/],
    ['00:00:60', /not a valid TimeSpan/],
    ['24:00', /not a valid TimeSpan/],
    ['00:00:00', /not a positive interval/],
    ['0', /not a positive interval/],
  ])('rejects %j', (text, message) => {
    expect(() => parseTimeSpan(text)).toThrow(message);
  });
});

describe('parseSchedule', () => {
  it('reads NCRONTAB first, then TimeSpan', () => {
    const cron = parseSchedule('0 */5 * * * *', {});
    expect(cron).toMatchObject({ kind: 'cron', adjustForDST: true });
    expect(cron.describe()).toBe("Cron: '0 */5 * * * *'");
    const span = parseSchedule('00:01:00', {});
    expect(span).toMatchObject({ kind: 'timeSpan', adjustForDST: false });
    expect(span.next(at('2026-01-01T00:00:00.250Z'))).toBe(at('2026-01-01T00:01:00.250Z'));
  });

  it('resolves %Setting% from the app settings', () => {
    const schedule = parseSchedule('%NightlySchedule%', { NightlySchedule: '0 0 2 * * *' });
    expect(schedule.expression).toBe('0 0 2 * * *');
    expect(iso(schedule.next(at('2026-01-01T03:00:00Z')))).toBe('2026-01-02T02:00:00.000Z');
  });

  it('tells sub-minute schedules (no schedule monitor in Azure)', () => {
    const now = at('2026-01-01T00:00:00Z');
    expect(parseSchedule('*/30 * * * * *', {}).isSubMinute(now)).toBe(true);
    expect(parseSchedule('0 * * * * *', {}).isSubMinute(now)).toBe(false);
    expect(parseSchedule('0 */5 * * * *', {}).isSubMinute(now)).toBe(false);
    expect(parseSchedule('00:00:10', {}).isSubMinute(now)).toBe(true);
    expect(parseSchedule('00:01:00', {}).isSubMinute(now)).toBe(false);
  });

  it.each([
    [undefined, {}, /no schedule/],
    ['   ', {}, /no schedule/],
    ['%Missing%', {}, /app setting Missing \(in %Missing%\) is not set/],
    ['%Bad%', { Bad: 'every day' }, /6 fields.*\('every day' from the settings\)/],
    ['0 0 25 * * *', {}, /hour field '25'/],
    ['daily', {}, /neither an NCRONTAB expression.*nor a TimeSpan/],
    ['00:00:00', {}, /not a positive interval/],
    ['00:61:00', {}, /not a valid TimeSpan/],
  ])('rejects %j', (schedule, settings, message) => {
    expect(() => parseSchedule(schedule, settings)).toThrow(ScheduleError);
    expect(() => parseSchedule(schedule, settings)).toThrow(message);
  });
});
