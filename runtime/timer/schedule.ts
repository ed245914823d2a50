/**
 * A timer function's schedule, as the Functions host builds it from the binding's `schedule`:
 * `%Name%` parts resolved from app settings, then an NCRONTAB expression, else a TimeSpan.
 * Times are UTC (Azure's default time zone).
 */
import { nextCronOccurrence, parseCron, CronSyntaxError, type CronSchedule } from './ncrontab';
import { parseTimeSpan } from './timeSpan';

export interface TimerSchedule {
  readonly kind: 'cron' | 'timeSpan';
  /** The expression after settings were resolved. */
  readonly expression: string;
  /** Whether intervals account for DST, as the Functions host reports it: cron yes, constant intervals no. */
  readonly adjustForDST: boolean;
  /** The next occurrence strictly after `after` (epoch ms); undefined if there is none. */
  next(after: number): number | undefined;
  /** True for sub-minute schedules, for which Azure keeps no schedule status whatever `useMonitor` says. */
  isSubMinute(now: number): boolean;
  /** e.g. "Cron: '0 *\/5 * * * *'" or "Constant: 00:01:00", as the Functions host logs it. */
  describe(): string;
}

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

const MINUTE = 60_000;

/** Builds the schedule of one timer binding; throws ScheduleError saying why it is not one (not what it is). */
export function parseSchedule(
  schedule: unknown,
  settings: Readonly<Record<string, string | undefined>>,
): TimerSchedule {
  if (typeof schedule !== 'string' || schedule.trim() === '') {
    throw new ScheduleError('the binding has no schedule');
  }
  const expression = resolveSettings(schedule, settings).trim();
  let cronError: string | undefined;
  try {
    return cronSchedule(parseCron(expression));
  } catch (error) {
    if (!(error instanceof CronSyntaxError)) throw error;
    cronError = error.message;
  }
  let interval: number | undefined;
  try {
    interval = parseTimeSpan(expression);
  } catch (error) {
    throw new ScheduleError((error as Error).message);
  }
  if (interval === undefined) {
    // Whitespace-separated fields mean the author meant NCRONTAB: its reason is the useful one.
    const reason = /\s/.test(expression)
      ? cronError
      : 'it is neither an NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week}) nor a TimeSpan (hh:mm:ss)';
    const resolved = expression === schedule.trim() ? '' : ` ('${expression}' from the settings)`;
    throw new ScheduleError(`${reason}${resolved}`);
  }
  return timeSpanSchedule(expression, interval);
}

function cronSchedule(cron: CronSchedule): TimerSchedule {
  return {
    kind: 'cron',
    expression: cron.expression,
    adjustForDST: true,
    next: (after) => nextCronOccurrence(cron, after),
    isSubMinute(now) {
      // Azure's rule: more than one occurrence within the coming minute (its "now" has a fraction of a second).
      const first = nextCronOccurrence(cron, now);
      const second = first === undefined ? undefined : nextCronOccurrence(cron, first);
      return second !== undefined && second <= now + MINUTE;
    },
    describe: () => `Cron: '${cron.expression}'`,
  };
}

function timeSpanSchedule(expression: string, interval: number): TimerSchedule {
  return {
    kind: 'timeSpan',
    expression,
    adjustForDST: false,
    next: (after) => after + interval,
    isSubMinute: () => interval < MINUTE,
    describe: () => `Constant: ${expression}`,
  };
}

/** Replaces `%Name%` with the app setting Name, as the host's name resolver does. */
function resolveSettings(value: string, settings: Readonly<Record<string, string | undefined>>): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const setting = settings[name];
    if (setting === undefined) throw new ScheduleError(`the app setting ${name} (in %${name}%) is not set`);
    return setting;
  });
}
