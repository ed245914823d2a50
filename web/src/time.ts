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

/** A `datetime-local` input value (browser local time) as an ISO instant, or undefined when empty. */
export function localInputToIso(value: string): string | undefined {
  if (!value.trim()) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
