/** Timer triggers (`app.timer`) on the host's clock: NCRONTAB and TimeSpan schedules, the schedule monitor. */
export { TimerTriggerService } from './timerTriggerService';
export { parseSchedule, ScheduleError } from './schedule';
export type { TimerSchedule } from './schedule';
export { parseCron, nextCronOccurrence, CronSyntaxError } from './ncrontab';
export type { CronSchedule } from './ncrontab';
export { parseTimeSpan } from './timeSpan';
