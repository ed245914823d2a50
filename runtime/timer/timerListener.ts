/**
 * Runs one timer function on the host's clock, as the Functions host's TimerListener does: one
 * invocation at a time; after each, the schedule status moves on from the occurrence it ran for.
 * An occurrence that falls while the function still runs is not dropped: one past-due run
 * follows as soon as the running one ends (however many occurrences were missed).
 */
import type { Clock } from '../clock';
import type { HostContext } from '../contracts';
import { describeError } from '../worker/invoker';
import type { TimerSchedule } from './schedule';
import type { ScheduleMonitor, ScheduleStatus } from './scheduleMonitor';
import { timerTriggerData } from './timerInfo';

export interface TimerListenerOptions {
  functionName: string;
  schedule: TimerSchedule;
  runOnStartup: boolean;
  /** Keeps the schedule status in the database; undefined when the timer is not monitored. */
  monitor?: ScheduleMonitor;
}

/** The last instant a Date can hold (ECMAScript's limit). */
const MAX_DATE = 8.64e15;

type Reason = 'schedule' | 'pastDue' | 'startup';

export class TimerListener {
  private status!: ScheduleStatus;
  private running?: Promise<void>;
  private missed = false;
  private armedAt?: number;
  private cancelArmed?: () => void;
  private stopped = false;
  private readonly clock: Clock;

  constructor(
    private readonly options: TimerListenerOptions,
    private readonly ctx: HostContext,
  ) {
    this.clock = ctx.clock;
  }

  get functionName(): string {
    return this.options.functionName;
  }

  /** Reads the stored status, then arms the first run: past due, on startup, or the next occurrence. */
  start(): void {
    const { functionName, schedule, monitor } = this.options;
    const now = this.clock.now();
    let pastDue = false;
    let status: ScheduleStatus | undefined;
    if (monitor) {
      ({ status, pastDue } = monitor.checkPastDue(
        functionName,
        now,
        schedule,
        monitor.getStatus(functionName),
      ));
    }
    this.status = status ?? { next: this.following(now) };
    this.ctx.log.info(
      `timerTrigger: ${functionName} (${schedule.describe()}, UTC${monitor ? ', monitored' : ''}) next at ` +
        new Date(this.status.next).toISOString(),
    );
    if (pastDue) {
      this.ctx.log.info(`timerTrigger: ${functionName} is past due on startup; executing now`);
      this.arm(now, 'pastDue');
    } else if (this.options.runOnStartup) {
      this.arm(now, 'startup');
    } else {
      this.arm(this.status.next, 'schedule');
    }
  }

  /** True when no run is going and none is due now. */
  isIdle(): boolean {
    if (this.stopped) return true;
    if (this.running) return false;
    return this.armedAt === undefined || this.armedAt > this.clock.now();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.disarm();
    await this.running;
  }

  private arm(at: number, reason: Reason): void {
    this.disarm();
    if (this.stopped) return;
    this.armedAt = at;
    this.cancelArmed = this.clock.schedule(at, () => {
      this.armedAt = undefined;
      this.cancelArmed = undefined;
      this.fire(at, reason);
    });
  }

  private disarm(): void {
    this.cancelArmed?.();
    this.cancelArmed = undefined;
    this.armedAt = undefined;
  }

  private fire(occurrence: number, reason: Reason): void {
    if (this.stopped) return;
    if (this.running) {
      this.missed = true;
      return;
    }
    this.run(occurrence, reason);
  }

  private run(occurrence: number, reason: Reason): void {
    const { functionName, monitor, schedule } = this.options;
    const invokedAt = this.clock.now();
    // A timer that fires a little early still counts for its occurrence (else `next` could repeat).
    const ranFor = reason === 'schedule' ? Math.max(invokedAt, occurrence) : invokedAt;
    const next = this.following(ranFor);
    // Armed now, not after the run: an occurrence that falls during a long run is noticed as missed.
    this.arm(next, 'schedule');
    const triggerData = timerTriggerData({
      schedule,
      status: monitor ? this.status : undefined,
      isPastDue: reason === 'pastDue',
    });
    this.running = this.ctx
      .invoke({ functionName, triggerData })
      .then(
        () => undefined,
        // The invoker has logged the failure; the schedule goes on, as in Azure.
        () => undefined,
      )
      .then(() => this.finish({ last: ranFor, next, lastUpdated: ranFor }));
  }

  private finish(status: ScheduleStatus): void {
    this.status = status;
    try {
      this.options.monitor?.updateStatus(this.functionName, status);
    } catch (error) {
      this.ctx.log.warn(
        `timerTrigger: ${this.functionName} could not save its schedule status: ${describeError(error)}`,
      );
    }
    this.running = undefined;
    if (this.stopped || !this.missed) return;
    this.missed = false;
    this.ctx.log.info(
      `timerTrigger: ${this.functionName} missed an occurrence while running; executing now, past due`,
    );
    this.run(this.clock.now(), 'pastDue');
  }

  /** The occurrence after `at`; a schedule with none left is parked at the end of time. */
  private following(at: number): number {
    return this.options.schedule.next(at) ?? MAX_DATE;
  }
}
