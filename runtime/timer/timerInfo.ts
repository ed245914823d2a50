/**
 * The timer trigger's input as the Functions host sends it to the Node worker: its TimerInfo in
 * JSON with .NET's PascalCase names, which @azure/functions camel-cases (`isTimerTrigger` →
 * `toCamelCaseValue`) into `{ schedule: { adjustForDST }, scheduleStatus, isPastDue }`.
 */
import type { RpcTypedData } from '../contracts';
import type { TimerSchedule } from './schedule';
import type { ScheduleStatus } from './scheduleMonitor';

/** .NET's DateTime.MinValue, which Azure reports for "never" (e.g. `Last` before the first run). */
export const NEVER = '0001-01-01T00:00:00.000Z';

export interface TimerInput {
  schedule: TimerSchedule;
  /** Undefined when the timer is not monitored: Azure then sends `ScheduleStatus: null`. */
  status?: ScheduleStatus;
  isPastDue: boolean;
}

export function timerTriggerData({ schedule, status, isPastDue }: TimerInput): RpcTypedData {
  const iso = (ms: number | undefined): string => (ms === undefined ? NEVER : new Date(ms).toISOString());
  const timerInfo = {
    Schedule: { AdjustForDST: schedule.adjustForDST },
    ScheduleStatus: status
      ? { Last: iso(status.last), Next: iso(status.next), LastUpdated: iso(status.lastUpdated) }
      : null,
    IsPastDue: isPastDue,
  };
  return { json: JSON.stringify(timerInfo) };
}
