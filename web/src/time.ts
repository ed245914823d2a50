/**
 * Time as the dashboard shows it: instants in UTC (operators compare them with server logs) and the
 * time left until an approval deadline, measured on the server's clock rather than the browser's.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface TimeLeft {
  /** Milliseconds until the deadline; zero or less once it has passed. */
  ms: number;
  expired: boolean;
  /** Under an hour left: the inbox highlights these. */
  urgent: boolean;
  /** e.g. "23 h 05 min", "4 min 09 s", "12 s", "expired". */
  text: string;
}

/**
 * Time left from `nowMs` until `deadlineMs`, rounded down to the unit shown.
 *
 * @example
 * timeLeft(Date.parse('2026-01-02T00:00:00Z'), Date.parse('2026-01-01T00:30:00Z')).text; // "23 h 30 min"
 */
export function timeLeft(deadlineMs: number, nowMs: number): TimeLeft {
  const ms = deadlineMs - nowMs;
  if (!(ms > 0)) return { ms: Math.min(ms, 0), expired: true, urgent: true, text: 'expired' };
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  const seconds = Math.floor((ms % MINUTE) / SECOND);
  const two = (n: number): string => String(n).padStart(2, '0');
  let text: string;
  if (days > 0) text = `${days} d ${two(hours)} h`;
  else if (hours > 0) text = `${hours} h ${two(minutes)} min`;
  else if (minutes > 0) text = `${minutes} min ${two(seconds)} s`;
  else text = `${seconds} s`;
  return { ms, expired: false, urgent: ms < HOUR, text };
}

/** An ISO-8601 instant as "YYYY-MM-DD HH:MM:SS UTC"; the input unchanged when it is not a date. */
export function formatInstant(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * The offset to add to the browser's clock to get the server's, from a server timestamp read at
 * `receivedAtMs`. Tests run the host on a virtual clock, so the two can be hours apart.
 */
export function clockSkew(serverNowIso: string | undefined, receivedAtMs: number): number {
  if (!serverNowIso) return 0;
  const server = Date.parse(serverNowIso);
  return Number.isNaN(server) ? 0 : server - receivedAtMs;
}

/** The zone every instant is shown and typed in; its label follows every time shown. */
export const TIME_ZONE_LABEL = 'UTC';

const INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/**
 * A `datetime-local` input value read as UTC (the dashboard's one zone, whatever the browser's is),
 * as an ISO instant; undefined when empty or not a date and time.
 *
 * @example
 * utcInputToIso('2026-01-01T10:00'); // "2026-01-01T10:00:00.000Z"
 */
export function utcInputToIso(value: string): string | undefined {
  const match = INPUT.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, hh, mm, ss = '0', ms = '0'] = match;
  const time = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(hh),
    Number(mm),
    Number(ss),
    Number(ms.padEnd(3, '0')),
  );
  const date = new Date(time);
  // Date.UTC rolls 2026-02-31 over to March: a value that does not round-trip is not a date.
  if (Number.isNaN(time) || date.getUTCDate() !== Number(d) || date.getUTCMonth() !== Number(mo) - 1)
    return undefined;
  return date.toISOString();
}
