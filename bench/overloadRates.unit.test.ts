import { ratesOf, WINDOW_MS, windows } from './overloadRates';

const START = 1_000_000;
/** `count` ends spread evenly over [from, to) seconds after START. */
const spread = (count: number, from: number, to: number) =>
  Array.from({ length: count }, (_, n) => START + from * 1000 + ((to - from) * 1000 * n) / count);

describe('overload rates', () => {
  test('windows count the ends per 10 s from the start, empty windows included', () => {
    expect(windows([START, START + 9_999, START + 10_000, START + 35_000], START)).toEqual([2, 1, 0, 1]);
    expect(windows([START - 5], START)).toEqual([1]);
    expect(windows([], START)).toEqual([]);
  });

  test('the first minute rate, and the slowest window while clients were sending', () => {
    // 60 s burst: 700 per window except one of 300; the drain ends 4 s after the burst.
    const times = [
      ...spread(700, 0, 10),
      ...spread(300, 10, 20),
      ...spread(2_800, 20, 60),
      ...spread(40, 60, 64),
    ];
    const rates = ratesOf(times, START, START + 60_000, 60);
    expect(rates.perWindow).toEqual([700, 300, 700, 700, 700, 700, 40]);
    expect(rates.firstSpanSeconds).toBe(60);
    expect(rates.firstMinutePerSecond).toBe(63.3);
    expect(rates.lowestWindowPerSecond).toBe(30);
    expect(rates.lowestOverFirst).toBe(0.47);
    expect(rates.lowestAfterFirstOverFirst).toBe(0.47);
  });

  test('a slow first window (the start) is told apart from a fall later', () => {
    const times = [...spread(300, 0, 10), ...spread(3_500, 10, 60), ...spread(20, 60, 62)];
    const rates = ratesOf(times, START, START + 60_000, 60);
    expect(rates.perWindow).toEqual([300, 700, 700, 700, 700, 700, 20]);
    expect(rates.lowestOverFirst).toBe(0.47);
    expect(rates.lowestAfterFirstOverFirst).toBe(1.11);
  });

  test('the tail of a drain does not count, a drain that still had work does', () => {
    const burst = spread(6_000, 0, 60);
    // A long drain: 200 per window for 30 s, then the last few.
    const drain = [...spread(600, 60, 90), ...spread(10, 90, 95)];
    const rates = ratesOf([...burst, ...drain], START, START + 60_000, 60);
    expect(rates.perWindow).toEqual([1000, 1000, 1000, 1000, 1000, 1000, 200, 200, 200, 10]);
    // The windows ending at 70 s and 80 s end a window or more before the last end (≈ 95 s): they count.
    expect(rates.lowestWindowPerSecond).toBe(20);
    expect(rates.lowestOverFirst).toBe(0.2);
    // Had it all ended within 4 s of the burst, the drain's one short window would not count.
    const quick = ratesOf([...burst, ...spread(30, 60, 64)], START, START + 60_000, 60);
    expect(quick.lowestWindowPerSecond).toBe(100);
    expect(quick.lowestOverFirst).toBe(1);
  });

  test('windows in which nothing ended while clients were sending count as 0', () => {
    // Ends only in the first 30 s of a 60 s burst: the pipeline stalled.
    const rates = ratesOf(spread(3_000, 0, 30), START, START + 60_000, 60);
    expect(rates.perWindow).toEqual([1000, 1000, 1000, 0, 0, 0]);
    expect(rates.lowestWindowPerSecond).toBe(0);
    expect(rates.lowestOverFirst).toBe(0);
  });

  test('no window counts when the run is shorter than one', () => {
    const rates = ratesOf(spread(50, 0, 3), START, START + 3_000, 3);
    expect(rates.perWindow).toEqual([50]);
    expect(rates.firstSpanSeconds).toBe(3);
    expect(rates.firstMinutePerSecond).toBe(16.7);
    expect(rates.lowestWindowPerSecond).toBeNull();
    expect(rates.lowestOverFirst).toBeNull();
    expect(rates.lowestAfterFirstOverFirst).toBeNull();
    expect(WINDOW_MS).toBe(10_000);
  });
});
