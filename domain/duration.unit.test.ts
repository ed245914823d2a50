import { parseDurationMs, tryParseDurationMs } from './duration';

describe('ISO-8601 durations', () => {
  it.each([
    ['PT24H', 86_400_000],
    ['PT30S', 30_000],
    ['P1D', 86_400_000],
    ['P1DT12H', 129_600_000],
    ['PT1H30M', 5_400_000],
    ['PT0.5S', 500],
    ['PT1,25S', 1_250],
    ['P2W', 1_209_600_000],
    ['pt10m', 600_000],
    ['PT0S', 0],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', 'P', 'PT', 'P1DT', '24H', 'PT-1H', 'P1Y', 'P1M', 'PT1.2345S', 'PT1H ok', 'P1H', 'PTH'])(
    'rejects %j',
    (text) => {
      expect(() => parseDurationMs(text)).toThrow(RangeError);
      expect(tryParseDurationMs(text)).toBeNull();
    },
  );

  it('rejects values that are not strings and durations too long to count in ms', () => {
    expect(() => parseDurationMs(42 as unknown as string)).toThrow(RangeError);
    expect(() => parseDurationMs('P99999999999999D')).toThrow(/too long/);
  });
});
