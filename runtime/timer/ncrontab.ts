/**
 * NCRONTAB expressions as the Functions timer trigger reads them (NCrontab with seconds):
 * `{second} {minute} {hour} {day} {month} {day-of-week}`, each field `*`, a value, a range `a-b`,
 * a step `*\/n`, `a-b/n` or `a/n` (a to the field's maximum), or a comma list of those. Months and
 * days of the week also take names or any prefix of one (`Jan`, `Mon`, `Tues`); Sunday is 0.
 * Day and day-of-week must both match (NCrontab's rule, not Vixie cron's "either").
 */

export interface CronSchedule {
  readonly expression: string;
  /** Allowed values of each field, ascending. */
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
}

interface FieldKind {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const FIELDS: readonly FieldKind[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day-of-week', min: 0, max: 6, names: DAY_NAMES },
];

/** The longest any month can be (February counts 29: a leap year comes). */
const MONTH_MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export class CronSyntaxError extends Error {
  override name = 'CronSyntaxError';
}

/** Parses a six-field NCRONTAB expression; throws CronSyntaxError saying which field is wrong and why. */
export function parseCron(expression: string): CronSchedule {
  const tokens = expression.trim().split(/\s+/).filter(Boolean);
  if (tokens.length !== FIELDS.length) {
    throw new CronSyntaxError(
      `an NCRONTAB expression has 6 fields ({second} {minute} {hour} {day} {month} {day-of-week}), this one ${tokens.length}`,
    );
  }
  const [seconds, minutes, hours, days, months, daysOfWeek] = tokens.map((token, i) =>
    parseField(token, FIELDS[i]),
  );
  // A day that no chosen month has (e.g. 30 February) never comes.
  const reachable = [...days].some((day) => [...months].some((month) => day <= MONTH_MAX_DAYS[month - 1]));
  if (!reachable) throw new CronSyntaxError('no month of the schedule has any of its days: it never occurs');
  return {
    expression,
    seconds: sorted(seconds),
    minutes: sorted(minutes),
    hours: sorted(hours),
    days,
    months,
    daysOfWeek,
  };
}

function parseField(token: string, kind: FieldKind): Set<number> {
  const values = new Set<number>();
  for (const part of token.split(',')) {
    try {
      addPart(part, kind, values);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CronSyntaxError(`the ${kind.name} field '${token}' is not valid: ${reason}`);
    }
  }
  return values;
}

/** One list element: `*`, `v`, `a-b`, each optionally `/step`. */
function addPart(part: string, kind: FieldKind, into: Set<number>): void {
  if (part === '') throw new Error('a value is missing');
  let body = part;
  let step = 1;
  const slash = part.indexOf('/');
  if (slash >= 0) {
    const stepText = part.slice(slash + 1);
    if (slash === 0 || !/^\d+$/.test(stepText)) throw new Error(`'${part}' is not a step (a/n, a-b/n, */n)`);
    body = part.slice(0, slash);
    // NCrontab reads a step of 0 as 1.
    step = Math.max(1, Number(stepText));
  }
  let first: number;
  let last: number;
  if (body === '*') {
    [first, last] = [kind.min, kind.max];
  } else {
    const dash = body.indexOf('-', 1);
    if (dash > 0) {
      [first, last] = [parseValue(body.slice(0, dash), kind), parseValue(body.slice(dash + 1), kind)];
      // NCrontab swaps a reversed range.
      if (first > last) [first, last] = [last, first];
    } else {
      first = parseValue(body, kind);
      last = slash >= 0 ? kind.max : first;
    }
  }
  for (let v = first; v <= last; v += step) into.add(v);
}

function parseValue(text: string, kind: FieldKind): number {
  if (text === '') throw new Error('a value is missing');
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < kind.min || value > kind.max) throw new Error(`${value} is outside ${kind.min}-${kind.max}`);
    return value;
  }
  if (/^\d/.test(text) || !kind.names) {
    throw new Error(`'${text}' is not a number from ${kind.min} to ${kind.max}`);
  }
  const lower = text.toLowerCase();
  const index = kind.names.findIndex((name) => name.toLowerCase().startsWith(lower));
  if (index < 0) throw new Error(`'${text}' is not one of ${kind.names.join(', ')}`);
  return kind.min + index;
}

function sorted(values: Set<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Guards the day walk: every schedule that parses occurs within one 400-year Gregorian cycle. */
const MAX_MONTHS = 400 * 12;

/** The first occurrence strictly after `after` (epoch ms, UTC), in whole seconds; undefined if none. */
export function nextCronOccurrence(cron: CronSchedule, after: number): number | undefined {
  const start = new Date(Math.floor(after / 1000) * 1000 + 1000);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth() + 1;
  let firstDay = start.getUTCDate();
  let from: TimeOfDay = [start.getUTCHours(), start.getUTCMinutes(), start.getUTCSeconds()];
  for (let i = 0; i <= MAX_MONTHS; i++) {
    if (cron.months.has(month)) {
      const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
      for (let day = firstDay; day <= daysInMonth; day++) {
        if (!cron.days.has(day)) {
          from = MIDNIGHT;
          continue;
        }
        const dayOfWeek = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
        const time = cron.daysOfWeek.has(dayOfWeek) ? firstTimeOfDay(cron, from) : undefined;
        if (time) return Date.UTC(year, month - 1, day, time[0], time[1], time[2]);
        from = MIDNIGHT;
      }
    }
    firstDay = 1;
    from = MIDNIGHT;
    month++;
    if (month > 12) [month, year] = [1, year + 1];
  }
  return undefined;
}

type TimeOfDay = readonly [hour: number, minute: number, second: number];
const MIDNIGHT: TimeOfDay = [0, 0, 0];

/** The earliest allowed time of day at or after `from`. */
function firstTimeOfDay(cron: CronSchedule, [h0, m0, s0]: TimeOfDay): TimeOfDay | undefined {
  for (const h of cron.hours) {
    if (h < h0) continue;
    for (const m of cron.minutes) {
      if (h === h0 && m < m0) continue;
      for (const s of cron.seconds) {
        if (h === h0 && m === m0 && s < s0) continue;
        return [h, m, s];
      }
    }
  }
  return undefined;
}
