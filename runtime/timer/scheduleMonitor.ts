/**
 * The schedule status of monitored timers (`useMonitor`), kept in the host's SQLite database as
 * Azure keeps it in storage, so that a host started after a missed occurrence runs it once, past due.
 * The past-due rule is the Functions host's (ScheduleMonitor.CheckPastDueAsync).
 */
import type { Database } from '../sqlite';
import type { TimerSchedule } from './schedule';

/** Epoch ms; undefined stands for .NET's DateTime.MinValue ("never"). */
export interface ScheduleStatus {
  last?: number;
  next: number;
  lastUpdated?: number;
}

interface StatusRow {
  last: number | null;
  next: number;
  last_updated: number | null;
}

export class ScheduleMonitor {
  constructor(private readonly db: Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS timer_schedule_status (
      function_name TEXT PRIMARY KEY,
      last INTEGER,
      next INTEGER NOT NULL,
      last_updated INTEGER
    )`);
  }

  getStatus(functionName: string): ScheduleStatus | undefined {
    const row = this.db
      .prepare('SELECT last, next, last_updated FROM timer_schedule_status WHERE function_name = ?')
      .get(functionName) as StatusRow | undefined;
    if (!row) return undefined;
    return { last: row.last ?? undefined, next: row.next, lastUpdated: row.last_updated ?? undefined };
  }

  updateStatus(functionName: string, status: ScheduleStatus): void {
    this.db
      .prepare(
        `INSERT INTO timer_schedule_status (function_name, last, next, last_updated) VALUES (?, ?, ?, ?)
         ON CONFLICT (function_name) DO UPDATE SET last = excluded.last, next = excluded.next, last_updated = excluded.last_updated`,
      )
      .run(functionName, status.last ?? null, status.next, status.lastUpdated ?? null);
  }

  /**
   * Records the status a (re)started timer goes on from and tells whether an occurrence was missed
   * while no host ran it. A changed schedule recomputes `next` from the last time it was computed.
   */
  checkPastDue(
    functionName: string,
    now: number,
    schedule: TimerSchedule,
    status: ScheduleStatus | undefined,
  ): { status: ScheduleStatus | undefined; pastDue: boolean } {
    if (!status) {
      // A new timer: record its first occurrence now, so a host down at that time still runs it.
      const next = schedule.next(now);
      if (next !== undefined) this.updateStatus(functionName, { next, lastUpdated: now });
      return { status: undefined, pastDue: false };
    }
    const basis = status.last ?? status.lastUpdated ?? now;
    const expected = schedule.next(basis);
    if (expected !== undefined && expected !== status.next) {
      status = { ...status, next: expected, lastUpdated: basis };
      this.updateStatus(functionName, status);
    }
    return { status, pastDue: now > status.next };
  }
}
