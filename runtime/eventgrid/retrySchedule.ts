/**
 * Event Grid's delivery retry schedule and which failures it retries.
 * https://learn.microsoft.com/azure/event-grid/delivery-and-retry
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Waits after the 1st, 2nd, ... failed attempt; after the last, every 12 hours. */
export const RETRY_DELAYS_MS: readonly number[] = [
  10 * SECOND,
  30 * SECOND,
  1 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  30 * MINUTE,
  1 * HOUR,
  3 * HOUR,
  6 * HOUR,
];
export const STEADY_RETRY_DELAY_MS = 12 * HOUR;
/** Jitter: each wait is scaled by a factor in [1 - JITTER, 1 + JITTER). */
export const JITTER = 0.1;

/** The wait before the next attempt after `failedAttempts` failures (>= 1), before jitter. */
export function baseRetryDelay(failedAttempts: number): number {
  return RETRY_DELAYS_MS[failedAttempts - 1] ?? STEADY_RETRY_DELAY_MS;
}

/** The jittered wait; `random` returns a number in [0, 1). */
export function retryDelay(failedAttempts: number, random: () => number = Math.random): number {
  const factor = 1 - JITTER + 2 * JITTER * random();
  return Math.round(baseRetryDelay(failedAttempts) * factor);
}

/** Status codes Event Grid does not retry for a webhook: the event is dead-lettered (or dropped) at once. */
export const NON_RETRIED_STATUS = new Set([400, 401, 403, 413]);

/** Event Grid's name for an HTTP outcome, as in `lastDeliveryOutcome`. */
export function deliveryOutcome(status: number): string {
  if (status >= 200 && status <= 204) return 'Succeeded';
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 408:
      return 'TimedOut';
    case 413:
      return 'RequestEntityTooLarge';
    case 429:
    case 503:
      return 'Busy';
    default:
      return 'GenericError';
  }
}

/** `deadLetterReason` for a non-retried status, as Event Grid writes it (e.g. UndeliverableDueToHttpBadRequest). */
export function undeliverableReason(status: number): string {
  return `UndeliverableDueToHttp${deliveryOutcome(status)}`;
}
