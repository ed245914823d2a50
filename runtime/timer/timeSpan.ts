/**
 * TimeSpan schedules (a constant interval, allowed on dedicated plans), read as .NET's
 * `TimeSpan.TryParse` reads them: `hh:mm`, `hh:mm:ss` (when hh is 24 or more: `dd:hh:mm`),
 * `d.hh:mm[:ss]`, `d:hh:mm:ss`, fractions of a second `ss.fff`, or whole days `d`.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `[d.]hh:mm[:ss[.fffffff]]` */
const CLOCK_FORMAT = /^(?:(\d+)\.)?(\d+):(\d+)(?::(\d+)(?:\.(\d{1,7}))?)?$/;
/** `d:hh:mm:ss[.fffffff]` */
const DAYS_FORMAT = /^(\d+):(\d+):(\d+):(\d+)(?:\.(\d{1,7}))?$/;

/**
 * The interval in ms, or undefined when `text` is not a TimeSpan. Throws when it is one but
 * cannot be a schedule (out-of-range parts, zero).
 */
export function parseTimeSpan(text: string): number | undefined {
  const value = text.trim();
  if (/^\d+$/.test(value)) return positive(Number(value) * DAY, value);
  const match = CLOCK_FORMAT.exec(value) ?? DAYS_FORMAT.exec(value);
  if (!match) return undefined;
  const [, d, a, b, c, fraction] = match;
  let days = d === undefined ? 0 : Number(d);
  let [hours, minutes, seconds] = [Number(a), Number(b), c === undefined ? 0 : Number(c)];
  if (d === undefined && c !== undefined && fraction === undefined && hours >= 24) {
    // "25:00:00" is 25 days, as in .NET (and the Functions docs): dd:hh:mm.
    [days, hours, minutes, seconds] = [hours, minutes, seconds, 0];
  }
  if (hours > 23 || minutes > 59 || seconds > 59) {
    throw new Error(`'${value}' is not a valid TimeSpan (hours 0-23, minutes and seconds 0-59)`);
  }
  const ms = fraction === undefined ? 0 : Math.round(Number(`0.${fraction}`) * SECOND);
  return positive(days * DAY + hours * HOUR + minutes * MINUTE + seconds * SECOND + ms, value);
}

function positive(ms: number, value: string): number {
  if (ms <= 0) throw new Error(`the TimeSpan '${value}' is not a positive interval`);
  return ms;
}
