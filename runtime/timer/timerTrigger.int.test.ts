import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../clock';
import { defaultServices } from '../services';
import { createTestHost, type TestHost } from '../testHost';
import { TimerTriggerService } from './timerTriggerService';

const APP = join(__dirname, 'test/fixtures/timer-app');
const BAD_APP = join(__dirname, 'test/fixtures/bad-schedule-app');
const NEVER = '0001-01-01T00:00:00.000Z';

interface Timer {
  schedule: { adjustForDST: boolean };
  scheduleStatus: { last: string; next: string; lastUpdated: string } | null;
  isPastDue: boolean;
}
interface Run {
  name: string;
  at: string;
  timer: Timer;
}
const fixture = ((globalThis as Record<string, unknown>).timerFixture ??= {
  runs: [],
  failures: {},
  now: () => Date.now(),
}) as { runs: Run[]; failures: Record<string, number>; now: () => number; gate?: Promise<void> };

const at = (iso: string): number => Date.parse(iso);
const runsOf = (name: string): Run[] => fixture.runs.filter((r) => r.name === name);
const timesOf = (name: string): string[] => runsOf(name).map((r) => r.at);

let dir: string;
const hosts: TestHost[] = [];

async function start(options: { clock?: VirtualClock; dataFile?: string } = {}): Promise<TestHost> {
  const clock = options.clock ?? new VirtualClock(at('2026-01-01T00:00:00Z'));
  fixture.now = () => clock.now();
  const host = await createTestHost({
    appRoot: APP,
    services: [new TimerTriggerService()],
    settings: { TIMER_SCHEDULE: '0 0/7 * * * *' },
    clock,
    dataFile: options.dataFile,
  });
  hosts.push(host);
  await host.waitForIdle();
  return host;
}

/** A promise the `hourly` function waits on until `release()`. */
function gate(): () => void {
  let release!: () => void;
  fixture.gate = new Promise<void>((resolve) => (release = resolve));
  return () => {
    fixture.gate = undefined;
    release();
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cardflow-timer-'));
  fixture.runs.length = 0;
  fixture.failures = {};
  fixture.gate = undefined;
});

afterEach(async () => {
  fixture.gate = undefined;
  for (const host of hosts.splice(0)) await host.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('timer triggers on the virtual clock', () => {
  it('runs in the default host services, after the Cosmos DB trigger', () => {
    const names = defaultServices().map((s) => s.name);
    expect(names.indexOf('timerTrigger')).toBe(names.indexOf('cosmosDBTrigger') + 1);
  });

  it('fires each function at its occurrences, with the timer the library makes of the PascalCase TimerInfo', async () => {
    const host = await start();
    await host.advance(15 * 60_000);

    expect(timesOf('everyFiveMinutes')).toEqual([
      '2026-01-01T00:05:00.000Z',
      '2026-01-01T00:10:00.000Z',
      '2026-01-01T00:15:00.000Z',
    ]);
    const [first, second] = runsOf('everyFiveMinutes').map((r) => r.timer);
    expect(first).toEqual({
      schedule: { adjustForDST: true },
      scheduleStatus: { last: NEVER, next: '2026-01-01T00:05:00.000Z', lastUpdated: NEVER },
      isPastDue: false,
    });
    expect(second.scheduleStatus).toEqual({
      last: '2026-01-01T00:05:00.000Z',
      next: '2026-01-01T00:10:00.000Z',
      lastUpdated: '2026-01-01T00:05:00.000Z',
    });
    expect(host.logs.lines('info')).toContain(
      "timerTrigger: everyFiveMinutes (Cron: '0 */5 * * * *', UTC, monitored) next at 2026-01-01T00:05:00.000Z",
    );
    expect(
      host.logs.lines('info').some((l) => l.startsWith("Executed 'Functions.everyFiveMinutes' (Succeeded")),
    ).toBe(true);
  });

  it('reads a %Setting% schedule from the app settings', async () => {
    const host = await start();
    await host.advance(15 * 60_000);
    expect(timesOf('fromSetting')).toEqual(['2026-01-01T00:07:00.000Z', '2026-01-01T00:14:00.000Z']);
  });

  it('runs a TimeSpan schedule; an unmonitored timer gets no schedule status', async () => {
    const host = await start();
    await host.advance(60 * 60_000);
    expect(timesOf('unmonitored')).toEqual(['2026-01-01T00:30:00.000Z', '2026-01-01T01:00:00.000Z']);
    expect(runsOf('unmonitored')[0].timer).toEqual({
      schedule: { adjustForDST: false },
      scheduleStatus: null,
      isPastDue: false,
    });
  });

  it('runs a runOnStartup function once when the host starts', async () => {
    const host = await start();
    expect(runsOf('onStartup')).toEqual([
      {
        name: 'onStartup',
        at: '2026-01-01T00:00:00.000Z',
        timer: expect.objectContaining({ isPastDue: false }),
      },
    ]);
    await host.advance(2 * 60 * 60_000);
    expect(runsOf('onStartup')).toHaveLength(1);
  });

  it('runs one invocation at a time; occurrences missed during a long run are run once after it, past due', async () => {
    const host = await start();
    const release = gate();
    await host.clock.advanceTo(at('2026-01-01T01:00:00Z'));
    expect(timesOf('hourly')).toEqual(['2026-01-01T01:00:00.000Z']);
    // 02:00 and 03:00 fall while the 01:00 run goes on.
    await host.clock.advanceTo(at('2026-01-01T03:30:00Z'));
    expect(timesOf('hourly')).toHaveLength(1);
    await expect(host.waitForIdle({ timeoutMs: 30 })).rejects.toThrow(/busy services: timerTrigger/);

    release();
    await host.waitForIdle();
    expect(runsOf('hourly').map((r) => [r.at, r.timer.isPastDue])).toEqual([
      ['2026-01-01T01:00:00.000Z', false],
      ['2026-01-01T03:30:00.000Z', true],
    ]);
    await host.advance(30 * 60_000);
    expect(runsOf('hourly').map((r) => [r.at, r.timer.isPastDue])[2]).toEqual([
      '2026-01-01T04:00:00.000Z',
      false,
    ]);
    expect(runsOf('hourly')[2].timer.scheduleStatus).toMatchObject({
      last: '2026-01-01T03:30:00.000Z',
      next: '2026-01-01T04:00:00.000Z',
    });
  });

  it('after a restart on the same data file, runs a missed occurrence once, past due', async () => {
    const dataFile = join(dir, 'cardflow.db');
    const first = await start({ dataFile });
    await first.advance(10 * 60_000);
    expect(timesOf('everyFiveMinutes')).toHaveLength(2);
    await first.stop();
    fixture.runs.length = 0;

    // Two hours later: everyFiveMinutes missed 00:15 onwards, hourly missed 01:00 and 02:00.
    const second = await start({ dataFile, clock: new VirtualClock(at('2026-01-01T02:00:30Z')) });
    expect(runsOf('everyFiveMinutes')).toEqual([
      {
        name: 'everyFiveMinutes',
        at: '2026-01-01T02:00:30.000Z',
        timer: {
          schedule: { adjustForDST: true },
          scheduleStatus: {
            last: '2026-01-01T00:10:00.000Z',
            next: '2026-01-01T00:15:00.000Z',
            lastUpdated: '2026-01-01T00:10:00.000Z',
          },
          isPastDue: true,
        },
      },
    ]);
    expect(runsOf('hourly').map((r) => [r.at, r.timer.isPastDue])).toEqual([
      ['2026-01-01T02:00:30.000Z', true],
    ]);
    expect(second.logs.lines('info')).toContain('timerTrigger: hourly is past due on startup; executing now');
    // Not monitored: nothing is remembered, nothing is past due.
    expect(runsOf('unmonitored')).toHaveLength(0);

    await second.advance(5 * 60_000);
    expect(runsOf('everyFiveMinutes').map((r) => [r.at, r.timer.isPastDue])).toEqual([
      ['2026-01-01T02:00:30.000Z', true],
      ['2026-01-01T02:05:00.000Z', false],
    ]);
    const stored = second.db
      .prepare('SELECT function_name, next FROM timer_schedule_status ORDER BY function_name')
      .all() as Array<{ function_name: string; next: number }>;
    expect(stored.map((r) => r.function_name)).toEqual([
      'everyFiveMinutes',
      'fromSetting',
      'hourly',
      'onStartup',
    ]);
    expect(new Date(stored[0].next).toISOString()).toBe('2026-01-01T02:10:00.000Z');
  });

  it('a throwing handler is logged and the schedule goes on', async () => {
    fixture.failures.everyFiveMinutes = 1;
    const host = await start();
    await host.advance(10 * 60_000);
    expect(timesOf('everyFiveMinutes')).toEqual(['2026-01-01T00:05:00.000Z', '2026-01-01T00:10:00.000Z']);
    expect(
      host.logs
        .lines('error')
        .some((l) =>
          /^Executed 'Functions.everyFiveMinutes' \(Failed, .*\): everyFiveMinutes fails on purpose$/.test(l),
        ),
    ).toBe(true);
    expect(runsOf('everyFiveMinutes')[1].timer.scheduleStatus?.last).toBe('2026-01-01T00:05:00.000Z');
  });

  it('stop cancels the clock timers and waits for a running invocation', async () => {
    const host = await start();
    const release = gate();
    await host.clock.advanceTo(at('2026-01-01T01:00:00Z'));
    expect(timesOf('hourly')).toHaveLength(1);
    let stopped = false;
    const stopping = host.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(host.clock.pendingTimers()).toBe(0);
    expect(timesOf('hourly')).toHaveLength(1);
  });

  it('keeps to UTC and says so when WEBSITE_TIME_ZONE is set', async () => {
    const host = await createTestHost({
      appRoot: APP,
      services: [new TimerTriggerService()],
      settings: { TIMER_SCHEDULE: '0 0 * * * *', WEBSITE_TIME_ZONE: 'Europe/Paris' },
    });
    hosts.push(host);
    expect(host.logs.lines('warn')).toContain(
      'timerTrigger: WEBSITE_TIME_ZONE=Europe/Paris is not honoured locally; schedules run in UTC',
    );
  });

  it('refuses to start when a schedule is not valid, naming the function and why', async () => {
    await expect(createTestHost({ appRoot: BAD_APP, services: [new TimerTriggerService()] })).rejects.toThrow(
      /timerTrigger: function "nightlyReport" has an invalid schedule '0 0 25 \* \* \*': the hour field '25' is not valid: 25 is outside 0-23$/,
    );
  });

  it('refuses to start when a %Setting% schedule names a setting that is not set', async () => {
    await expect(createTestHost({ appRoot: APP, services: [new TimerTriggerService()] })).rejects.toThrow(
      /function "fromSetting" has an invalid schedule '%TIMER_SCHEDULE%': the app setting TIMER_SCHEDULE/,
    );
  });
});
