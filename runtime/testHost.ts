/**
 * A host for tests: in-process, on a free port, with an in-memory database, a virtual clock and
 * quiet logs (kept in `logs`).
 *
 * @example
 * const host = await createTestHost({ appRoot: 'runtime/test/fixtures/http-app' });
 * const res = await host.fetch('/api/hello?name=Ada');
 * await host.advance(24 * 60 * 60 * 1000); // fire the day's timers, wait until the host is idle
 * await host.stop();
 */
import { VirtualClock } from './clock';
import type { Logger } from './contracts';
import { startHost, type Host, type HostOptions } from './host';
import { MemoryLogger } from './logger';

export interface TestHostOptions extends Omit<HostOptions, 'clock' | 'port'> {
  /** Default: a new VirtualClock at 2026-01-01T00:00:00Z. */
  clock?: VirtualClock;
  /** Default 0 (a free port). */
  port?: number;
  /** Also receives every log line (the lines are kept in `logs` either way). */
  log?: Logger;
}

export interface TestHost extends Host {
  readonly clock: VirtualClock;
  /** Every line the host logged. */
  readonly logs: MemoryLogger;
  /** Moves the virtual clock forward `ms`, firing due timers, and waits until the host is idle after each round. */
  advance(ms: number): Promise<void>;
  /** `fetch` relative to the host's base URL, e.g. `host.fetch('/api/accounts', {method: 'POST', body})`. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export async function createTestHost(options: TestHostOptions): Promise<TestHost> {
  const clock = options.clock ?? new VirtualClock();
  const logs = new MemoryLogger();
  const tee = options.log;
  const log: Logger = tee
    ? {
        info: (m, f) => (logs.info(m, f), tee.info(m, f)),
        warn: (m, f) => (logs.warn(m, f), tee.warn(m, f)),
        error: (m, f) => (logs.error(m, f), tee.error(m, f)),
      }
    : logs;
  const host = await startHost({
    ...options,
    port: options.port ?? 0,
    dataFile: options.dataFile ?? ':memory:',
    clock,
    log,
  });
  return {
    ...host,
    clock,
    logs,
    async advance(ms: number): Promise<void> {
      const target = clock.now() + ms;
      // Step from timer to timer and let the host settle after each, so that work a timer starts
      // schedules its own timers from the time it really ran at, as it would on a real clock.
      for (let round = 0; round < 100_000; round++) {
        const next = clock.nextTimerAt();
        if (next === undefined || next > target) {
          await clock.advanceTo(Math.max(target, clock.now()));
          await host.waitForIdle();
          if (clock.nextTimerAt() === undefined || (clock.nextTimerAt() as number) > target) return;
          continue;
        }
        await clock.advanceTo(Math.max(next, clock.now()));
        await host.waitForIdle();
      }
      throw new Error('advance: timers keep firing (a timer loop?)');
    },
    fetch(path: string, init?: RequestInit): Promise<Response> {
      return fetch(new URL(path, host.baseUrl), init);
    },
  };
}
