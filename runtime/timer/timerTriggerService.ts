/**
 * Serves the app's `app.timer(...)` functions (trigger type `timerTrigger`) on the host's clock, in
 * UTC, as the Functions host does:
 *
 * - `schedule`: NCRONTAB with seconds or a TimeSpan, `%Name%` read from app settings; a function
 *   whose schedule is not valid fails the host's start, naming the function and why (Azure does
 *   not index it);
 * - `runOnStartup`: one run when the host starts;
 * - `useMonitor` (default true; off for sub-minute schedules whatever it says): the schedule status
 *   lives in the `timer_schedule_status` table, so a host started after a missed occurrence runs it
 *   once with `isPastDue: true`, and the function sees `scheduleStatus` (null when not monitored);
 * - one invocation of a function at a time; an occurrence missed during a run follows it, past due;
 * - a failing run is logged by the invoker and the schedule goes on.
 */
import type { FunctionRegistration, HostContext, HostService } from '../contracts';
import { parseSchedule, type TimerSchedule } from './schedule';
import { ScheduleMonitor } from './scheduleMonitor';
import { TimerListener } from './timerListener';

export class TimerTriggerService implements HostService {
  readonly name = 'timerTrigger';
  private listeners: TimerListener[] = [];

  start(ctx: HostContext): void {
    const functions = ctx.registry.byTriggerType('timerTrigger');
    if (functions.length === 0) return;
    const schedules = parseAll(functions, ctx);
    const monitor = new ScheduleMonitor(ctx.db);
    if (ctx.settings.WEBSITE_TIME_ZONE) {
      ctx.log.warn(
        `timerTrigger: WEBSITE_TIME_ZONE=${ctx.settings.WEBSITE_TIME_ZONE} is not honoured locally; schedules run in UTC`,
      );
    }
    const now = ctx.clock.now();
    this.listeners = functions.map((fn) => {
      const schedule = schedules.get(fn.name) as TimerSchedule;
      const useMonitor = fn.trigger.useMonitor !== false && !schedule.isSubMinute(now);
      return new TimerListener(
        {
          functionName: fn.name,
          schedule,
          runOnStartup: fn.trigger.runOnStartup === true,
          monitor: useMonitor ? monitor : undefined,
        },
        ctx,
      );
    });
    for (const listener of this.listeners) listener.start();
  }

  async stop(): Promise<void> {
    const listeners = this.listeners;
    this.listeners = [];
    await Promise.all(listeners.map((listener) => listener.stop()));
  }

  isIdle(): boolean {
    return this.listeners.every((listener) => listener.isIdle());
  }
}

/** Every function's schedule; throws one error naming each function whose schedule is not valid. */
function parseAll(functions: FunctionRegistration[], ctx: HostContext): Map<string, TimerSchedule> {
  const schedules = new Map<string, TimerSchedule>();
  const problems: string[] = [];
  for (const fn of functions) {
    try {
      schedules.set(fn.name, parseSchedule(fn.trigger.schedule, ctx.settings));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      problems.push(
        `function "${fn.name}" has an invalid schedule '${String(fn.trigger.schedule)}': ${reason}`,
      );
    }
  }
  if (problems.length > 0) {
    // Azure refuses to index such a function; the local host refuses to start, so it is seen at once.
    throw new Error(`timerTrigger: ${problems.join('; ')}`);
  }
  return schedules;
}
