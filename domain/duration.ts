/**
 * ISO-8601 durations for configuration such as APPROVAL_TIMEOUT (`PT24H`, `PT30S`, `P1D`,
 * `P1DT12H`, `PT0.5S`, `P2W`). Years and months are rejected: their length in ms is not fixed.
 */
const DURATION_PATTERN = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d{1,3})?)S)?)?$/;

const MS = { week: 604_800_000, day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1_000 } as const;

/**
 * Parses an ISO-8601 duration into milliseconds.
 *
 * @throws RangeError with a readable message for anything that is not a supported, non-empty
 *   duration.
 * @example parseDurationMs('PT24H') // 86_400_000
 */
export function parseDurationMs(text: string): number {
  const trimmed = typeof text === 'string' ? text.trim().toUpperCase() : '';
  const match = DURATION_PATTERN.exec(trimmed);
  // 'P' and 'PT' match the pattern with no component; a designator needs at least one number.
  if (!match || trimmed === 'P' || trimmed.endsWith('T')) {
    throw new RangeError(
      `not a supported ISO-8601 duration: ${JSON.stringify(text)} (use weeks, days, hours, minutes, seconds, e.g. PT24H, P1D, PT30S)`,
    );
  }
  const [, weeks, days, hours, minutes, seconds] = match;
  const secondsMs = seconds === undefined ? 0 : secondsToMs(seconds);
  const total =
    toInt(weeks) * MS.week +
    toInt(days) * MS.day +
    toInt(hours) * MS.hour +
    toInt(minutes) * MS.minute +
    secondsMs;
  if (!Number.isSafeInteger(total)) {
    throw new RangeError(`duration ${JSON.stringify(text)} is too long`);
  }
  return total;
}

/** Parses a duration, or returns null instead of throwing. */
export function tryParseDurationMs(text: string): number | null {
  try {
    return parseDurationMs(text);
  } catch {
    return null;
  }
}

function toInt(digits: string | undefined): number {
  return digits === undefined ? 0 : Number.parseInt(digits, 10);
}

// Fractional seconds as integers: "1.25" → 1 250 ms, without floating-point multiplication.
function secondsToMs(text: string): number {
  const [whole, fraction = ''] = text.split(/[.,]/);
  return toInt(whole) * MS.second + toInt(fraction.padEnd(3, '0'));
}
