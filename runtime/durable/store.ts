/**
 * SQLite persistence of the durable backend. Every method that changes more than one row runs in
 * one transaction, so an episode's history and the work it creates are committed together.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../sqlite';
import { EntityStore } from './entityStore';
import { Book, Effects, newBook, Outcome } from './episode';
import { EventType, FailureDetails, historyEvent, HistoryEvent } from './historyEvents';
import { InstanceWrites } from './instanceWrites';
import { migrateDurableSchema } from './schema';

export type RuntimeStatus =
  'Pending' | 'Running' | 'Completed' | 'Failed' | 'Terminated' | 'ContinuedAsNew' | 'Suspended' | 'Canceled';
export const RUNTIME_STATUSES: readonly RuntimeStatus[] = [
  'Pending',
  'Running',
  'Completed',
  'Failed',
  'Terminated',
  'ContinuedAsNew',
  'Suspended',
  'Canceled',
];
const TERMINAL: ReadonlySet<string> = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

export function isTerminal(status: string): boolean {
  return TERMINAL.has(status);
}

export interface InstanceRecord {
  instanceId: string;
  executionId: string;
  name: string;
  version: string | null;
  status: RuntimeStatus;
  /** JSON text (or null). */
  input: string | null;
  output: string | null;
  customStatus: string | null;
  failureDetails: FailureDetails | null;
  createdAt: number;
  updatedAt: number;
  completedAt: number | null;
  parentInstanceId: string | null;
  parentExecutionId: string | null;
  parentTaskId: number | null;
  book: Book;
}

export interface Message {
  seq: number;
  instanceId: string;
  executionId: string | null;
  event: HistoryEvent;
  /** Episodes that took this message and crashed before committing. */
  dequeueCount: number;
}

export interface ActivityItem {
  seq: number;
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
  input: string | null;
  /** Attempts started before this one (crashed or timed out). */
  attempts: number;
}

export interface InstanceFilter {
  runtimeStatus?: RuntimeStatus[];
  createdTimeFrom?: number;
  createdTimeTo?: number;
  instanceIdPrefix?: string;
}

export interface StartRequest {
  instanceId: string;
  name: string;
  input: string | null;
  version?: string | null;
  now: number;
  parent?: { instanceId: string; executionId: string; name: string; taskId: number };
}

export type StartResult = { started: true; executionId: string } | { started: false; status: RuntimeStatus };

/** What one orchestration episode commits. */
export interface EpisodeCommit {
  instance: InstanceRecord;
  /** Messages of the instance up to this seq were consumed by the episode. */
  consumedUpTo: number;
  now: number;
  append: HistoryEvent[];
  effects: Effects;
  outcome: Outcome | { kind: 'terminated'; reason: string | null } | { kind: 'suspended' };
  /** Consume exactly these messages instead of all up to `consumedUpTo` (resuming leaves the queued ones). */
  consumedSeqs?: number[];
  customStatus: string | null;
  book: Book;
  /** EventRaised events to carry into the next execution (continueAsNew). */
  carriedEvents?: HistoryEvent[];
}

interface InstanceRow {
  instance_id: string;
  execution_id: string;
  name: string;
  version: string | null;
  status: RuntimeStatus;
  input: string | null;
  output: string | null;
  custom_status: string | null;
  failure_details: string | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  parent_instance_id: string | null;
  parent_execution_id: string | null;
  parent_task_id: number | null;
  book: string;
}

/** What an episode's or an activity's commit checks and uses of the instance (not its input, output or book). */
type InstanceHead = Pick<
  InstanceRow,
  | 'execution_id'
  | 'name'
  | 'version'
  | 'status'
  | 'parent_instance_id'
  | 'parent_execution_id'
  | 'parent_task_id'
>;

interface MessageRow {
  seq: number;
  instance_id: string;
  execution_id: string | null;
  event: string;
  dequeue_count: number;
}

const toInstance = (row: InstanceRow): InstanceRecord => {
  let book: Book | undefined;
  return {
    instanceId: row.instance_id,
    executionId: row.execution_id,
    name: row.name,
    version: row.version,
    status: row.status,
    input: row.input,
    output: row.output,
    customStatus: row.custom_status,
    failureDetails: row.failure_details ? (JSON.parse(row.failure_details) as FailureDetails) : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
    parentInstanceId: row.parent_instance_id,
    parentExecutionId: row.parent_execution_id,
    parentTaskId: row.parent_task_id,
    // Parsed when asked for: only an episode needs it, not a status read.
    get book(): Book {
      return (book ??= JSON.parse(row.book) as Book);
    },
  };
};

const toMessage = (row: MessageRow): Message => ({
  seq: row.seq,
  instanceId: row.instance_id,
  executionId: row.execution_id,
  event: JSON.parse(row.event) as HistoryEvent,
  dequeueCount: row.dequeue_count,
});

export function newExecutionId(): string {
  return randomUUID().replace(/-/g, '');
}

export class DurableStore {
  private readonly s;
  /** The entities' tables; their batches commit on their own, orchestration episodes queue entity operations. */
  readonly entities: EntityStore;
  /** Wake-ups at each write of an instance's row by this store (see {@link InstanceWrites}). */
  readonly instanceWrites = new InstanceWrites();

  constructor(private readonly db: Database) {
    migrateDurableSchema(db);
    this.entities = new EntityStore(db);
    this.s = {
      instance: db.prepare(`SELECT * FROM durable_instances WHERE instance_id = ?`),
      instanceHead: db.prepare(
        `SELECT execution_id, name, version, status, parent_instance_id, parent_execution_id, parent_task_id FROM durable_instances WHERE instance_id = ?`,
      ),
      insertInstance: db.prepare(`INSERT INTO durable_instances
        (instance_id, execution_id, name, version, status, input, output, custom_status, failure_details, created_at, updated_at, completed_at, parent_instance_id, parent_execution_id, parent_task_id, book)
        VALUES (@instance_id, @execution_id, @name, @version, 'Pending', @input, NULL, NULL, NULL, @now, @now, NULL, @parent_instance_id, @parent_execution_id, @parent_task_id, @book)`),
      deleteInstance: db.prepare(`DELETE FROM durable_instances WHERE instance_id = ?`),
      history: db.prepare(`SELECT event FROM durable_history WHERE instance_id = ? ORDER BY seq`),
      lastHistorySeq: db.prepare(
        `SELECT COALESCE(MAX(seq), -1) AS seq FROM durable_history WHERE instance_id = ?`,
      ),
      insertHistory: db.prepare(
        `INSERT INTO durable_history (instance_id, seq, execution_id, event_type, event) VALUES (?, ?, ?, ?, ?)`,
      ),
      deleteHistory: db.prepare(`DELETE FROM durable_history WHERE instance_id = ?`),
      pending: db.prepare(
        `SELECT seq, instance_id, execution_id, event, dequeue_count FROM durable_messages WHERE instance_id = ? ORDER BY seq`,
      ),
      countEpisodeAttempt: db.prepare(
        `UPDATE durable_messages SET dequeue_count = dequeue_count + 1 WHERE instance_id = ? AND seq <= ?`,
      ),
      insertMessage: db.prepare(
        `INSERT INTO durable_messages (instance_id, execution_id, event_type, event, created_at) VALUES (?, ?, ?, ?, ?)`,
      ),
      deleteMessagesUpTo: db.prepare(`DELETE FROM durable_messages WHERE instance_id = ? AND seq <= ?`),
      deleteMessages: db.prepare(`DELETE FROM durable_messages WHERE instance_id = ?`),
      // A suspended instance only has work when it is resumed or terminated.
      messagesInOrder: db.prepare(`SELECT m.instance_id FROM durable_messages m
        LEFT JOIN durable_instances i ON i.instance_id = m.instance_id
        WHERE i.status IS NULL OR i.status <> 'Suspended' OR m.event_type IN (${EventType.ExecutionTerminated}, ${EventType.ExecutionResumed})
        ORDER BY m.seq`),
      deleteMessage: db.prepare(`DELETE FROM durable_messages WHERE seq = ?`),
      readyActivities: db.prepare(
        `SELECT seq, instance_id, execution_id, task_id, name, input, dequeue_count FROM durable_activities WHERE visible_at <= ? ORDER BY seq LIMIT ?`,
      ),
      leaseActivity: db.prepare(
        `UPDATE durable_activities SET dequeue_count = dequeue_count + 1, visible_at = ? WHERE seq = ? RETURNING dequeue_count`,
      ),
      nextVisibleActivity: db.prepare(
        `SELECT MIN(visible_at) AS at FROM durable_activities WHERE visible_at > ?`,
      ),
      insertActivity: db.prepare(
        `INSERT OR IGNORE INTO durable_activities (instance_id, execution_id, task_id, name, input, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      deleteActivity: db.prepare(`DELETE FROM durable_activities WHERE seq = ?`),
      deleteActivities: db.prepare(`DELETE FROM durable_activities WHERE instance_id = ?`),
      insertTimer: db.prepare(
        `INSERT OR REPLACE INTO durable_timers (instance_id, execution_id, task_id, fire_at) VALUES (?, ?, ?, ?)`,
      ),
      deleteTimer: db.prepare(
        `DELETE FROM durable_timers WHERE instance_id = ? AND execution_id = ? AND task_id = ?`,
      ),
      deleteTimers: db.prepare(`DELETE FROM durable_timers WHERE instance_id = ?`),
      dueTimers: db.prepare(
        `SELECT seq, instance_id, execution_id, task_id, fire_at FROM durable_timers WHERE fire_at <= ? ORDER BY fire_at, seq`,
      ),
      deleteTimerBySeq: db.prepare(`DELETE FROM durable_timers WHERE seq = ?`),
      nextTimer: db.prepare(`SELECT MIN(fire_at) AS at FROM durable_timers`),
      updateRunning: db.prepare(
        `UPDATE durable_instances SET status = @status, custom_status = @custom_status, book = @book, updated_at = @now WHERE instance_id = @instance_id`,
      ),
      updateFinished:
        db.prepare(`UPDATE durable_instances SET status = @status, output = @output, custom_status = @custom_status, failure_details = @failure_details,
        book = @book, updated_at = @now, completed_at = @now WHERE instance_id = @instance_id`),
      updateRewound:
        db.prepare(`UPDATE durable_instances SET status = 'Running', output = NULL, failure_details = NULL,
        book = @book, updated_at = @now, completed_at = NULL WHERE instance_id = @instance_id`),
      updateNewExecution:
        db.prepare(`UPDATE durable_instances SET execution_id = @execution_id, status = 'Running', input = @input, output = NULL, custom_status = @custom_status,
        failure_details = NULL, book = @book, updated_at = @now, completed_at = NULL WHERE instance_id = @instance_id`),
    };
  }

  getInstance(instanceId: string): InstanceRecord | undefined {
    const row = this.s.instance.get(instanceId) as InstanceRow | undefined;
    return row ? toInstance(row) : undefined;
  }

  /** Creates (or, when the old one has finished, replaces) an instance and queues its ExecutionStarted. */
  startInstance(request: StartRequest): StartResult {
    return this.db.transaction((): StartResult => this.startInTransaction(request))();
  }

  history(instanceId: string): HistoryEvent[] {
    return this.historyText(instanceId).map((text) => JSON.parse(text) as HistoryEvent);
  }

  /** The history as stored: one event's JSON text each, oldest first. */
  historyText(instanceId: string): string[] {
    return (this.s.history.all(instanceId) as Array<{ event: string }>).map((r) => r.event);
  }

  pendingMessages(instanceId: string): Message[] {
    return (this.s.pending.all(instanceId) as MessageRow[]).map(toMessage);
  }

  /** Instances with messages waiting, oldest first, skipping those in `busy`. */
  readyInstanceIds(limit: number, busy: ReadonlySet<string>): string[] {
    // Walks the inbox in arrival order and stops as soon as enough instances are found.
    const found = new Set<string>();
    for (const row of this.s.messagesInOrder.iterate() as IterableIterator<{ instance_id: string }>) {
      if (!busy.has(row.instance_id)) found.add(row.instance_id);
      if (found.size >= limit) break;
    }
    return [...found];
  }

  /** Activity work items visible now (not leased), oldest first, skipping those in `busy`. */
  readyActivities(limit: number, busy: ReadonlySet<number>, now: number): ActivityItem[] {
    const rows = this.s.readyActivities.all(now, limit + busy.size) as Array<{
      seq: number;
      instance_id: string;
      execution_id: string;
      task_id: number;
      name: string;
      input: string | null;
      dequeue_count: number;
    }>;
    return rows
      .filter((r) => !busy.has(r.seq))
      .slice(0, limit)
      .map((r) => ({
        seq: r.seq,
        instanceId: r.instance_id,
        executionId: r.execution_id,
        taskId: r.task_id,
        name: r.name,
        input: r.input,
        attempts: r.dequeue_count,
      }));
  }

  /**
   * Starts an attempt of an activity: counts it and hides the item until `visibleAt`, both committed
   * before the activity runs, so a crash during the attempt still counts. Returns the attempt number.
   */
  leaseActivity(seq: number, visibleAt: number): number | undefined {
    const row = this.s.leaseActivity.get(visibleAt, seq) as { dequeue_count: number } | undefined;
    return row?.dequeue_count;
  }

  /** When the next leased activity item becomes visible again (after `now`). */
  nextActivityVisibleAt(now: number): number | undefined {
    return (this.s.nextVisibleActivity.get(now) as { at: number | null }).at ?? undefined;
  }

  /** True when some message or activity is waiting that is not already being worked on. */
  hasRunnableWork(
    busyInstances: ReadonlySet<string>,
    busyActivities: ReadonlySet<number>,
    now: number,
  ): boolean {
    if (this.readyInstanceIds(1, busyInstances).length > 0) return true;
    return this.readyActivities(1, busyActivities, now).length > 0;
  }

  /** Counts an episode attempt on the messages it takes, committed before the orchestrator runs (poison handling). */
  countEpisodeAttempt(instanceId: string, upToSeq: number): void {
    this.s.countEpisodeAttempt.run(instanceId, upToSeq);
  }

  deleteMessagesUpTo(instanceId: string, seq: number): void {
    this.s.deleteMessagesUpTo.run(instanceId, seq);
  }

  /** Commits one episode: history, consumed messages, new work and the instance's new state. */
  commitEpisode(c: EpisodeCommit): void {
    this.db.transaction(() => {
      const { instance, now, effects } = c;
      const current = this.s.instanceHead.get(instance.instanceId) as InstanceHead | undefined;
      if (!current || current.execution_id !== instance.executionId) return;
      const id = instance.instanceId;
      const exec = instance.executionId;
      if (c.consumedSeqs) for (const m of c.consumedSeqs) this.s.deleteMessage.run(m);
      else this.s.deleteMessagesUpTo.run(id, c.consumedUpTo);
      let seq = (this.s.lastHistorySeq.get(id) as { seq: number }).seq;
      for (const event of c.append)
        this.s.insertHistory.run(id, ++seq, exec, event.EventType, JSON.stringify(event));
      for (const a of effects.activities) this.s.insertActivity.run(id, exec, a.taskId, a.name, a.input, now);
      for (const t of effects.timers) this.s.insertTimer.run(id, exec, t.taskId, t.fireAt);
      for (const taskId of effects.cancelTimers) this.s.deleteTimer.run(id, exec, taskId);
      for (const f of effects.immediateFailures) {
        const event =
          f.kind === 'activity'
            ? historyEvent.taskFailed(now, f.taskId, f.failure)
            : historyEvent.subOrchestrationFailed(now, f.taskId, f.failure);
        this.enqueue(id, exec, event, now);
      }
      this.entities.enqueue(
        effects.entityOps.map((op) => ({ ...op, parentInstanceId: id, parentExecutionId: exec })),
        now,
      );
      for (const sub of effects.subOrchestrations) {
        const result = this.startInTransaction({
          instanceId: sub.instanceId,
          name: sub.name,
          input: sub.input,
          version: sub.version ?? null,
          now,
          parent: { instanceId: id, executionId: exec, name: instance.name, taskId: sub.taskId },
        });
        if (!result.started) {
          const message = `An orchestration with instance ID '${sub.instanceId}' already exists and is ${result.status}.`;
          this.enqueue(
            id,
            exec,
            historyEvent.subOrchestrationFailed(now, sub.taskId, { Reason: message, Details: message }),
            now,
          );
        }
      }
      this.applyOutcome(c, current);
    })();
  }

  /** Records an activity's result if the instance still awaits it; false when superseded. */
  completeActivity(item: ActivityItem, event: HistoryEvent, now: number): boolean {
    return this.db.transaction((): boolean => {
      if (this.s.deleteActivity.run(item.seq).changes === 0) return false;
      const current = this.s.instanceHead.get(item.instanceId) as InstanceHead | undefined;
      if (!current || current.execution_id !== item.executionId || isTerminal(current.status)) return false;
      this.enqueue(item.instanceId, item.executionId, event, now);
      return true;
    })();
  }

  /** Moves due timers into their instances' inboxes as TimerFired; returns how many fired. */
  fireDueTimers(now: number): number {
    return this.db.transaction((): number => {
      const due = this.s.dueTimers.all(now) as Array<{
        seq: number;
        instance_id: string;
        execution_id: string;
        task_id: number;
        fire_at: number;
      }>;
      for (const t of due) {
        this.s.deleteTimerBySeq.run(t.seq);
        this.enqueue(t.instance_id, t.execution_id, historyEvent.timerFired(now, t.task_id, t.fire_at), now);
      }
      return due.length;
    })();
  }

  nextTimerAt(): number | undefined {
    const row = this.s.nextTimer.get() as { at: number | null };
    return row.at ?? undefined;
  }

  /** Queues an external event; it waits in the history until the orchestration asks for it. */
  raiseEvent(
    instanceId: string,
    name: string,
    input: string | null,
    now: number,
  ): 'accepted' | 'notFound' | 'gone' {
    return this.db.transaction(() => {
      const row = this.s.instance.get(instanceId) as InstanceRow | undefined;
      if (!row) return 'notFound' as const;
      if (isTerminal(row.status)) return 'gone' as const;
      this.enqueue(instanceId, null, historyEvent.eventRaised(now, name, input), now);
      return 'accepted' as const;
    })();
  }

  requestTermination(
    instanceId: string,
    reason: string | null,
    now: number,
  ): 'accepted' | 'notFound' | 'gone' {
    return this.requestControl(instanceId, historyEvent.executionTerminated(now, reason), now);
  }

  /** Queues a suspend or resume; the instance acts on it in order with its other messages. */
  requestControl(instanceId: string, event: HistoryEvent, now: number): 'accepted' | 'notFound' | 'gone' {
    return this.db.transaction(() => {
      const row = this.s.instance.get(instanceId) as InstanceRow | undefined;
      if (!row) return 'notFound' as const;
      if (isTerminal(row.status)) return 'gone' as const;
      this.enqueue(instanceId, null, event, now);
      return 'accepted' as const;
    })();
  }

  /**
   * Rewinds a Failed instance: takes back the failures of its tasks (and its own failed ending),
   * queues those tasks again (a failed sub-orchestration is rewound too), re-queues work that was
   * still open when it failed, and wakes it for a replay. Failures of tasks with retry options stay.
   */
  rewind(instanceId: string, reason: string | null, now: number): 'accepted' | 'notFound' | 'notFailed' {
    return this.db.transaction(() => this.rewindInTransaction(instanceId, reason, now))();
  }

  private rewindInTransaction(
    id: string,
    reason: string | null,
    now: number,
  ): 'accepted' | 'notFound' | 'notFailed' {
    const row = this.s.instance.get(id) as InstanceRow | undefined;
    if (!row) return 'notFound';
    if (row.status !== 'Failed') return 'notFailed';
    const book = JSON.parse(row.book) as Book;
    const exec = row.execution_id;
    const failed = book.failed ?? {};
    const retryTimers = new Set(Object.values(failed).map((task) => task.retryTimerId));
    const isTakenBack = (e: HistoryEvent): boolean =>
      e.EventType === EventType.ExecutionCompleted ||
      ((e.EventType === EventType.TaskFailed || e.EventType === EventType.SubOrchestrationInstanceFailed) &&
        failed[String(e.TaskScheduledId)] !== undefined) ||
      (e.EventType === EventType.TimerFired && retryTimers.has(Number(e.TimerId)));
    const history = this.history(id).filter((e) => !isTakenBack(e));
    for (const [key, { retryTimerId, ...task }] of Object.entries(failed)) {
      const taskId = Number(key);
      book.open[taskId] = task;
      // The SDK numbers the timer after this attempt's next failure again from that timer's id.
      if (retryTimerId !== undefined) book.nextTaskId = Math.min(book.nextTaskId, retryTimerId);
      if (task.kind === 'activity') {
        this.s.insertActivity.run(id, exec, taskId, task.name, task.input, now);
        continue;
      }
      const childId = task.instanceId ?? `${id}:${taskId}`;
      const child = this.s.instance.get(childId) as InstanceRow | undefined;
      if (child?.status === 'Failed') this.rewindInTransaction(childId, reason, now);
      else if (!child || isTerminal(child.status))
        this.startInTransaction({
          instanceId: childId,
          name: task.name,
          input: task.input,
          version: task.version ?? null,
          now,
          parent: { instanceId: id, executionId: exec, name: row.name, taskId },
        });
    }
    book.failed = {};
    // Work still open when the instance failed was dropped with it.
    for (const [key, task] of Object.entries(book.open)) {
      if (task.kind === 'activity')
        this.s.insertActivity.run(id, exec, Number(key), task.name, task.input, now);
      else if (task.kind === 'timer' || task.kind === 'retryTimer' || task.kind === 'httpPollTimer')
        this.s.insertTimer.run(id, exec, Number(key), task.fireAt);
    }
    this.s.deleteHistory.run(id);
    history.forEach((event, seq) =>
      this.s.insertHistory.run(id, seq, exec, event.EventType, JSON.stringify(event)),
    );
    this.s.updateRewound.run({ instance_id: id, book: JSON.stringify(book), now });
    this.instanceWrites.wrote(id);
    // Wakes the instance: the replay resumes the code where the failure had stopped it.
    this.enqueue(
      id,
      exec,
      {
        EventType: EventType.GenericEvent,
        EventId: -1,
        Timestamp: new Date(now).toISOString(),
        Data: `Rewound: ${reason ?? ''}`,
      },
      now,
    );
    return 'accepted';
  }

  /** One page of instances ordered by (created time, id); `after` is the last key of the previous page. */
  list(
    filter: InstanceFilter,
    pageSize: number,
    after?: { createdAt: number; instanceId: string },
  ): { rows: InstanceRecord[]; last?: { createdAt: number; instanceId: string } } {
    const { where, params } = whereClause(filter);
    if (after) {
      where.push('(created_at > ? OR (created_at = ? AND instance_id > ?))');
      params.push(after.createdAt, after.createdAt, after.instanceId);
    }
    const sql = `SELECT * FROM durable_instances ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, instance_id LIMIT ?`;
    const rows = (this.db.prepare(sql).all(...params, pageSize + 1) as InstanceRow[]).map(toInstance);
    const more = rows.length > pageSize;
    const page = rows.slice(0, pageSize);
    const lastRow = page[page.length - 1];
    return {
      rows: page,
      last: more && lastRow ? { createdAt: lastRow.createdAt, instanceId: lastRow.instanceId } : undefined,
    };
  }

  /**
   * Deletes an instance with its history, inbox, work items and timers, running or not (as the
   * extension's purge by id). An episode or activity still running for it commits nothing.
   */
  purge(instanceId: string): 'purged' | 'notFound' {
    return this.db.transaction(() => {
      const row = this.s.instance.get(instanceId) as InstanceRow | undefined;
      if (!row) return 'notFound' as const;
      this.deleteAll(instanceId);
      return 'purged' as const;
    })();
  }

  /** Deletes the finished instances matching the filter; returns how many. */
  purgeWhere(filter: InstanceFilter): number {
    return this.db.transaction((): number => {
      const { where, params } = whereClause(filter);
      where.push(`status IN ('Completed', 'Failed', 'Terminated', 'Canceled')`);
      const ids = this.db
        .prepare(`SELECT instance_id FROM durable_instances WHERE ${where.join(' AND ')}`)
        .all(...params) as Array<{ instance_id: string }>;
      for (const { instance_id } of ids) this.deleteAll(instance_id);
      return ids.length;
    })();
  }

  private deleteAll(instanceId: string): void {
    this.s.deleteInstance.run(instanceId);
    this.s.deleteHistory.run(instanceId);
    this.s.deleteMessages.run(instanceId);
    this.s.deleteActivities.run(instanceId);
    this.s.deleteTimers.run(instanceId);
    this.instanceWrites.wrote(instanceId);
  }

  private enqueue(instanceId: string, executionId: string | null, event: HistoryEvent, now: number): void {
    this.s.insertMessage.run(instanceId, executionId, event.EventType, JSON.stringify(event), now);
  }

  private startInTransaction(request: StartRequest): StartResult {
    const existing = this.s.instance.get(request.instanceId) as InstanceRow | undefined;
    if (existing) {
      if (!isTerminal(existing.status)) return { started: false, status: existing.status };
      this.deleteAll(request.instanceId);
    }
    const executionId = newExecutionId();
    this.s.insertInstance.run({
      instance_id: request.instanceId,
      execution_id: executionId,
      name: request.name,
      version: request.version ?? null,
      input: request.input,
      now: request.now,
      parent_instance_id: request.parent?.instanceId ?? null,
      parent_execution_id: request.parent?.executionId ?? null,
      parent_task_id: request.parent?.taskId ?? null,
      book: JSON.stringify(newBook()),
    });
    this.instanceWrites.wrote(request.instanceId);
    const started = historyEvent.executionStarted(request.now, {
      name: request.name,
      input: request.input,
      instanceId: request.instanceId,
      executionId,
      version: request.version ?? null,
      parent: request.parent ?? null,
    });
    this.enqueue(request.instanceId, executionId, started, request.now);
    return { started: true, executionId };
  }

  private applyOutcome(c: EpisodeCommit, current: InstanceHead): void {
    const id = c.instance.instanceId;
    const { outcome, now } = c;
    const book = JSON.stringify(c.book);
    switch (outcome.kind) {
      case 'running':
      case 'suspended':
        this.s.updateRunning.run({
          instance_id: id,
          status: outcome.kind === 'running' ? 'Running' : 'Suspended',
          custom_status: c.customStatus,
          book,
          now,
        });
        this.instanceWrites.wrote(id);
        return;
      case 'continuedAsNew': {
        const executionId = newExecutionId();
        const pending = this.pendingMessages(id);
        this.s.deleteMessages.run(id);
        this.s.deleteHistory.run(id);
        this.s.deleteActivities.run(id);
        this.s.deleteTimers.run(id);
        this.s.updateNewExecution.run({
          instance_id: id,
          execution_id: executionId,
          input: outcome.input,
          custom_status: c.customStatus,
          book: JSON.stringify(newBook()),
          now,
        });
        this.instanceWrites.wrote(id);
        const parent =
          current.parent_instance_id &&
          current.parent_execution_id !== null &&
          current.parent_task_id !== null
            ? {
                instanceId: current.parent_instance_id,
                executionId: current.parent_execution_id,
                name: '',
                taskId: current.parent_task_id,
              }
            : null;
        this.enqueue(
          id,
          executionId,
          historyEvent.executionStarted(now, {
            name: current.name,
            input: outcome.input,
            instanceId: id,
            executionId,
            version: current.version,
            parent,
          }),
          now,
        );
        // Events nobody consumed yet keep their order: first those already in the history, then the queued ones.
        for (const event of c.carriedEvents ?? [])
          this.enqueue(id, null, { ...event, IsPlayed: undefined }, now);
        for (const m of pending) if (m.executionId === null) this.enqueue(id, null, m.event, now);
        return;
      }
      case 'completed':
      case 'failed':
      case 'terminated': {
        const status: RuntimeStatus =
          outcome.kind === 'completed' ? 'Completed' : outcome.kind === 'failed' ? 'Failed' : 'Terminated';
        const output =
          outcome.kind === 'completed'
            ? outcome.output
            : outcome.kind === 'failed'
              ? JSON.stringify(failureText(current.name, outcome.message))
              : JSON.stringify(outcome.reason ?? '');
        const failure = outcome.kind === 'failed' ? JSON.stringify(outcome.details) : null;
        this.s.updateFinished.run({
          instance_id: id,
          status,
          output,
          custom_status: c.customStatus,
          failure_details: failure,
          book,
          now,
        });
        this.instanceWrites.wrote(id);
        this.s.deleteActivities.run(id);
        this.s.deleteTimers.run(id);
        if (current.parent_instance_id && current.parent_execution_id && current.parent_task_id !== null) {
          const taskId = current.parent_task_id;
          const event =
            outcome.kind === 'completed'
              ? historyEvent.subOrchestrationCompleted(now, taskId, outcome.output)
              : outcome.kind === 'failed'
                ? historyEvent.subOrchestrationFailed(now, taskId, {
                    Reason: failureText(current.name, outcome.message),
                    Details: outcome.details.StackTrace ?? outcome.message,
                  })
                : historyEvent.subOrchestrationFailed(now, taskId, {
                    Reason: `Orchestration '${id}' was terminated: ${outcome.reason ?? ''}`,
                    Details: `Orchestration '${id}' was terminated: ${outcome.reason ?? ''}`,
                  });
          this.enqueue(current.parent_instance_id, current.parent_execution_id, event, now);
        }
        return;
      }
    }
  }
}

/** The output text Azure shows for a failed orchestration. */
export function failureText(name: string, message: string): string {
  return `Orchestrator function '${name}' failed: ${message}`;
}

function whereClause(filter: InstanceFilter): { where: string[]; params: Array<string | number> } {
  const where: string[] = [];
  const params: Array<string | number> = [];
  if (filter.runtimeStatus && filter.runtimeStatus.length > 0) {
    where.push(`status IN (${filter.runtimeStatus.map(() => '?').join(', ')})`);
    params.push(...filter.runtimeStatus);
  }
  if (filter.createdTimeFrom !== undefined) {
    where.push('created_at >= ?');
    params.push(filter.createdTimeFrom);
  }
  if (filter.createdTimeTo !== undefined) {
    where.push('created_at <= ?');
    params.push(filter.createdTimeTo);
  }
  if (filter.instanceIdPrefix) {
    where.push(`substr(instance_id, 1, ?) = ?`);
    params.push(filter.instanceIdPrefix.length, filter.instanceIdPrefix);
  }
  return { where, params };
}

export { EventType };
