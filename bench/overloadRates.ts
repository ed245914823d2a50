/**
 * The completion-rate figures of `npm run bench:overload`, from the times transfers ended: how many
 * ended in each 10 s window from the start of the burst, the first minute's rate, and the lowest rate
 * of a window in which the pipeline had work all along.
 */
export const WINDOW_MS = 10_000;

export interface Rates {
  /** Transfers ended in each window from `start`: [0, 10 s), [10 s, 20 s), … up to the last end, or the burst's last whole window. */
  readonly perWindow: number[];
  /** The first minute's length: `min(60, seconds)`. */
  readonly firstSpanSeconds: number;
  /** Per second over the first `firstSpanSeconds` of the burst. */
  readonly firstMinutePerSecond: number;
  /** Per second in the slowest window that counts (see {@link ratesOf}); null when none does. */
  readonly lowestWindowPerSecond: number | null;
  /** `lowestWindowPerSecond / firstMinutePerSecond`, two decimals; null when either is missing. */
  readonly lowestOverFirst: number | null;
  /**
   * The same over the windows after the first, whose rate includes the start: nothing ends before
   * the first transfers have passed through every stage of the pipeline, seconds into a burst that
   * fills the backlog at once.
   */
  readonly lowestAfterFirstOverFirst: number | null;
}

/** Counts `times` (epoch ms) per window from `start`; a time before `start` counts in the first. */
export function windows(times: readonly number[], start: number): number[] {
  const counts: number[] = [];
  for (const at of times) {
    const index = Math.max(0, Math.floor((at - start) / WINDOW_MS));
    while (counts.length <= index) counts.push(0);
    counts[index]++;
  }
  return counts;
}

/**
 * The rates of a run whose burst lasted from `start` to `burstEnd` (`seconds` asked for). A window
 * counts toward the lowest when it is whole and the pipeline had work through all of it: it ends by
 * the burst's end (clients were sending), or at least one window before the last transfer ended (the
 * backlog was still draining). The windows at the tail of the drain, where the rate falls only
 * because the work runs out, do not count.
 */
export function ratesOf(times: readonly number[], start: number, burstEnd: number, seconds: number): Rates {
  const firstSpan = Math.min(60, seconds);
  const firstMinutePerSecond = times.filter((at) => at < start + firstSpan * 1000).length / firstSpan;
  const lastEnd = Math.max(start, ...times);
  const busyUntil = Math.max(burstEnd, lastEnd - WINDOW_MS);
  // Windows in which nothing ended count as 0, also after the last end while the burst went on.
  const perWindow = windows(times, start);
  while (start + (perWindow.length + 1) * WINDOW_MS <= busyUntil) perWindow.push(0);
  const counted = perWindow.filter((_, index) => start + (index + 1) * WINDOW_MS <= busyUntil);
  const perSecond = (counts: number[]) =>
    counts.length > 0 ? Math.min(...counts) / (WINDOW_MS / 1000) : null;
  const overFirst = (rate: number | null) =>
    rate === null || firstMinutePerSecond === 0
      ? null
      : Math.round((rate / firstMinutePerSecond) * 100) / 100;
  const lowestWindowPerSecond = perSecond(counted);
  return {
    perWindow,
    firstSpanSeconds: firstSpan,
    firstMinutePerSecond: round1(firstMinutePerSecond),
    lowestWindowPerSecond: lowestWindowPerSecond === null ? null : round1(lowestWindowPerSecond),
    lowestOverFirst: overFirst(lowestWindowPerSecond),
    lowestAfterFirstOverFirst: overFirst(perSecond(counted.slice(1))),
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
