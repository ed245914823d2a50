import fc from 'fast-check';
import {
  baseRetryDelay,
  deliveryOutcome,
  JITTER,
  NON_RETRIED_STATUS,
  RETRY_DELAYS_MS,
  retryDelay,
  STEADY_RETRY_DELAY_MS,
  undeliverableReason,
} from './retrySchedule';

describe('Event Grid retry schedule', () => {
  it('waits 10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 6 h, then every 12 h', () => {
    const minutes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 30].map((n) => baseRetryDelay(n) / 60_000);
    expect(minutes).toEqual([1 / 6, 0.5, 1, 5, 10, 30, 60, 180, 360, 720, 720, 720]);
    expect(RETRY_DELAYS_MS).toHaveLength(9);
    expect(STEADY_RETRY_DELAY_MS).toBe(12 * 3600_000);
  });

  it('jitters every wait by at most 10 %', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (failures, u) => {
          const base = baseRetryDelay(failures);
          const delay = retryDelay(failures, () => u);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base * (1 - JITTER)));
          expect(delay).toBeLessThanOrEqual(Math.ceil(base * (1 + JITTER)));
        },
      ),
    );
  });

  it('does not retry 400, 401, 403 and 413, and names outcomes as Event Grid does', () => {
    expect([...NON_RETRIED_STATUS].sort()).toEqual([400, 401, 403, 413]);
    expect([200, 204, 404, 408, 429, 500, 503].map(deliveryOutcome)).toEqual([
      'Succeeded',
      'Succeeded',
      'NotFound',
      'TimedOut',
      'Busy',
      'GenericError',
      'Busy',
    ]);
    expect(undeliverableReason(400)).toBe('UndeliverableDueToHttpBadRequest');
  });
});
