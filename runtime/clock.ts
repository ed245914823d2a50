/**
 * Time for the local runtime. Everything in the host that waits (durable timers, Event Grid retry
 * schedules, approval deadlines) asks a Clock, so tests can swap in a VirtualClock and skip hours
 * in milliseconds. Polling loops that only exist to notice new work (change feed, queues) use real
 * timers: they are not part of the app's notion of time.
 */
export interface Clock {
  /** Milliseconds since the epoch, by this clock. */
  now(): number;
  /** Runs `fn` once when this clock reaches `at` (epoch ms); at once (next tick) if `at` has passed. Returns a cancel function. */
  schedule(at: number, fn: () => void): () => void;
}

// setTimeout takes at most a signed 32-bit delay; longer waits are chained.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  schedule(at: number, fn: () => void): () => void {
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = (): void => {
      if (cancelled) return;
      const delay = at - Date.now();
      if (delay > MAX_TIMEOUT_MS) {
        handle = setTimeout(arm, MAX_TIMEOUT_MS);
      } else {
        handle = setTimeout(
          () => {
            if (!cancelled) fn();
          },
          Math.max(0, delay),
        );
      }
      handle.unref?.();
    };
    arm();
    return () => {
      cancelled = true;
      if (handle) clearTimeout(handle);
    };
  }
}

interface VirtualTimer {
  seq: number;
  at: number;
  fn: () => void;
}

/**
 * A clock that only moves when told. `advance(ms)` walks time forward through every due timer in
 * order, letting the event loop run between them so that work a timer starts can schedule more.
 *
 * @example
 * const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'));
 * clock.schedule(clock.now() + 60_000, () => console.log('a minute later'));
 * await clock.advance(60_000); // prints at once
 */
export class VirtualClock implements Clock {
  private current: number;
  private timers: VirtualTimer[] = [];
  private nextSeq = 0;

  constructor(start: number = Date.parse('2026-01-01T00:00:00.000Z')) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(at: number, fn: () => void): () => void {
    const timer: VirtualTimer = { seq: this.nextSeq++, at, fn };
    if (at <= this.current) {
      setImmediate(() => {
        if (this.timers.includes(timer)) {
          this.remove(timer);
          fn();
        }
      });
    }
    this.timers.push(timer);
    return () => this.remove(timer);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in time order. */
  async advance(ms: number): Promise<void> {
    if (ms < 0) throw new RangeError('a clock cannot go backwards');
    await this.advanceTo(this.current + ms);
  }

  /** Moves time forward to `at` (epoch ms). */
  async advanceTo(at: number): Promise<void> {
    if (at < this.current) throw new RangeError('a clock cannot go backwards');
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= at).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.current = Math.max(this.current, due.at);
      this.remove(due);
      due.fn();
    }
    this.current = at;
    await settle();
  }

  /** When the earliest waiting timer falls due (epoch ms), or undefined when none waits. */
  nextTimerAt(): number | undefined {
    let next: number | undefined;
    for (const t of this.timers) if (next === undefined || t.at < next) next = t.at;
    return next;
  }

  /** How many timers are waiting (for tests and diagnostics). */
  pendingTimers(): number {
    return this.timers.length;
  }

  private remove(timer: VirtualTimer): void {
    const i = this.timers.indexOf(timer);
    if (i >= 0) this.timers.splice(i, 1);
  }
}

/** Lets pending promise callbacks and I/O callbacks of the current turn run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
