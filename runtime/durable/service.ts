/**
 * The durable backend as a host service: a dispatcher that runs orchestration episodes and
 * activities from the SQLite store, wakes on new work at once and on timers through the host clock,
 * plus the Durable HTTP API and the `durableClient` input binding.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock';
import type { HostContext, HostService } from '../contracts';
import { durableClientData } from './clientData';
import {
  BatchOutcome,
  entityInstanceId,
  EntityOperation,
  executeOperations,
  invokeEntityBatch,
  NewEntityOperation,
  parseEntityInstanceId,
  responseMessage,
} from './entities';
import type { EntityRecord } from './entityStore';
import { Effects, interpretState, noEffects, Outcome, prepareEpisode, unconsumedEvents } from './episode';
import { orchestrationPayload, runActivity, runOrchestrator } from './functionRunner';
import { EventType, historyEvent, HistoryEvent } from './historyEvents';
import { DurableOperations, handleDurableHttp } from './httpApi';
import {
  ActivityItem,
  DurableStore,
  failureText,
  InstanceFilter,
  InstanceRecord,
  isTerminal,
  RuntimeStatus,
} from './store';

export interface DurableServiceOptions {
  /** Task hub name; default host.json `extensions.durableTask.hubName`, else "TestHubName". */
  hubName?: string;
  /** Episodes running at once; default host.json `maxConcurrentOrchestratorFunctions`, else 10. */
  maxConcurrentOrchestrations?: number;
  /** Activities running at once; default host.json `maxConcurrentActivityFunctions`, else 10. */
  maxConcurrentActivities?: number;
  /**
   * Entity batches running at once (never two of one entity); default host.json
   * `maxConcurrentEntityFunctions`, else the orchestration limit.
   */
  maxConcurrentEntities?: number;
  /** Most operations of one entity run in one invocation; default host.json `maxEntityOperationBatchSize`, else 50. */
  maxEntityOperationBatchSize?: number;
  /**
   * Crashed attempts of a work item before it is failed as poisoned; default 5. A crash is an
   * attempt that never returns a result: the process dies during it (SIGKILL, exit, OOM), an
   * activity exceeds `activityTimeoutMs`, or the invocation of an entity batch rejects (the SDK
   * turns every operation's error into a result, so a rejection is the worker failing). An activity
   * or orchestrator whose code throws is not a crash: that fails the task / instance at once
   * (retries are the orchestration's RetryOptions). Poisoned activities fail their task, poisoned
   * entity operations return an error to their caller, poisoned episodes fail the instance.
   */
  maxCrashAttempts?: number;
  /** An activity attempt still running after this long is abandoned (its late result dropped) and retried; default host.json `functionTimeout`, else 30 min. */
  activityTimeoutMs?: number;
  /** Backoff before the retry of a crashed attempt: this, doubled per attempt, at most 60 s (host clock); default 1 s. */
  crashRetryBaseMs?: number;
  /** How long `stop()` waits for running episodes and activities to finish; default 10 s. */
  drainTimeoutMs?: number;
  /**
   * At continueAsNew, carry raised events that no wait consumed into the next execution (default
   * true). Events still queued always reach the next execution. Azure's JS shim calls .NET
   * `ContinueAsNew(input)` without `preserveUnprocessedEvents`, so there unconsumed events already
   * delivered to the ending execution are dropped: set false to behave exactly like that.
   */
  preserveUnprocessedEvents?: boolean;
}

const MAX_CRASH_BACKOFF_MS = 60_000;
const TIMED_OUT = Symbol('timed out');

/** Delay before an instance whose episode hit an unexpected error is tried again. */
const RETRY_AFTER_ERROR_MS = 1000;

export class DurableService implements HostService, DurableOperations {
  readonly name = 'durable';
  hubName = 'TestHubName';
  systemKey: string | undefined;
  private ctx!: HostContext;
  private store!: DurableStore;
  private clock!: Clock;
  private maxOrchestrations = 10;
  private maxActivities = 10;
  private maxEntities = 10;
  private entityBatchSize = 50;
  private maxCrashAttempts = 5;
  private activityTimeoutMs = 30 * 60_000;
  private crashRetryBaseMs = 1000;
  /** Lower-cased entity name → the registered entity function's name. */
  private readonly entityFunctions = new Map<string, string>();
  private readonly busyEntities = new Set<string>();
  private readonly coolingDownEntities = new Set<string>();
  private readonly busyInstances = new Set<string>();
  private readonly busyActivities = new Set<number>();
  private readonly coolingDown = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private pumpScheduled = false;
  private stopping = false;
  private stopped = false;
  private timerWake: { at: number; cancel: () => void } | undefined;

  constructor(private readonly options: DurableServiceOptions = {}) {}

  start(ctx: HostContext): void {
    this.ctx = ctx;
    this.clock = ctx.clock;
    this.store = new DurableStore(ctx.db);
    const durableTask = ctx.registry.hostJson.extensions?.durableTask;
    this.hubName =
      this.options.hubName ??
      (typeof durableTask?.hubName === 'string' ? durableTask.hubName : 'TestHubName');
    this.maxOrchestrations =
      this.options.maxConcurrentOrchestrations ?? durableTask?.maxConcurrentOrchestratorFunctions ?? 10;
    this.maxActivities =
      this.options.maxConcurrentActivities ?? durableTask?.maxConcurrentActivityFunctions ?? 10;
    this.maxEntities =
      this.options.maxConcurrentEntities ??
      positiveInteger(durableTask?.maxConcurrentEntityFunctions) ??
      this.maxOrchestrations;
    this.entityBatchSize =
      this.options.maxEntityOperationBatchSize ??
      positiveInteger(durableTask?.maxEntityOperationBatchSize) ??
      50;
    this.maxCrashAttempts = this.options.maxCrashAttempts ?? 5;
    this.activityTimeoutMs =
      this.options.activityTimeoutMs ?? timeSpanMs(ctx.registry.hostJson.functionTimeout) ?? 30 * 60_000;
    this.crashRetryBaseMs = this.options.crashRetryBaseMs ?? 1000;
    this.systemKey = ctx.systemKey;
    for (const fn of ctx.registry.byTriggerType('entityTrigger'))
      this.entityFunctions.set(fn.name.toLowerCase(), fn.name);
    const clientData = (): { string: string } => ({
      string: JSON.stringify(durableClientData(ctx.baseUrl, this.hubName, this.systemKey)),
    });
    ctx.provideInput('durableClient', clientData);
    ctx.provideInput('orchestrationClient', clientData);
    this.armTimerWake();
    this.kick();
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.timerWake?.cancel();
    this.timerWake = undefined;
    const drained = Promise.allSettled([...this.inFlight]);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      drained,
      new Promise<void>((resolve) => (timeout = setTimeout(resolve, this.options.drainTimeoutMs ?? 10_000))),
    ]);
    if (timeout) clearTimeout(timeout);
    // Work still running now was interrupted: its result is dropped and it runs again after a restart.
    this.stopped = true;
  }

  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    return handleDurableHttp(this, req, res, url);
  }

  isIdle(): boolean {
    if (this.stopped || !this.store) return true;
    if (this.busyInstances.size > 0 || this.busyActivities.size > 0 || this.busyEntities.size > 0)
      return false;
    if (this.store.hasRunnableWork(this.coolingDown, this.busyActivities, this.clock.now())) return false;
    if (this.store.entities.hasRunnableWork(this.coolingDownEntities)) return false;
    const next = this.store.nextTimerAt();
    return next === undefined || next > this.clock.now();
  }

  // ---- DurableOperations (HTTP API and tests) ----

  isOrchestrator(name: string): boolean {
    return this.ctx.registry.functions.get(name)?.trigger.type.toLowerCase() === 'orchestrationtrigger';
  }

  startNew(
    name: string,
    instanceId: string | undefined,
    input: string | null,
    version?: string,
  ): { ok: true; instanceId: string } | { ok: false; status: RuntimeStatus } {
    const id = instanceId ?? randomUUID().replace(/-/g, '');
    const result = this.store.startInstance({
      instanceId: id,
      name,
      input,
      version: version ?? null,
      now: this.clock.now(),
    });
    if (!result.started) return { ok: false, status: result.status };
    this.kick();
    return { ok: true, instanceId: id };
  }

  getInstance(instanceId: string): InstanceRecord | undefined {
    return this.store.getInstance(instanceId);
  }

  history(instanceId: string): HistoryEvent[] {
    return this.store.history(instanceId);
  }

  list(
    filter: InstanceFilter,
    pageSize: number,
    after?: { createdAt: number; instanceId: string },
  ): ReturnType<DurableStore['list']> {
    return this.store.list(filter, pageSize, after);
  }

  raiseEvent(instanceId: string, name: string, input: string | null): 'accepted' | 'notFound' | 'gone' {
    const result = this.store.raiseEvent(instanceId, name, input, this.clock.now());
    if (result === 'accepted') this.kick();
    return result;
  }

  terminate(instanceId: string, reason: string | null): 'accepted' | 'notFound' | 'gone' {
    const result = this.store.requestTermination(instanceId, reason, this.clock.now());
    if (result === 'accepted') this.kick();
    return result;
  }

  suspend(instanceId: string, reason: string | null): 'accepted' | 'notFound' | 'gone' {
    const now = this.clock.now();
    const result = this.store.requestControl(instanceId, historyEvent.executionSuspended(now, reason), now);
    if (result === 'accepted') this.kick();
    return result;
  }

  resume(instanceId: string, reason: string | null): 'accepted' | 'notFound' | 'gone' {
    const now = this.clock.now();
    const result = this.store.requestControl(instanceId, historyEvent.executionResumed(now, reason), now);
    if (result === 'accepted') this.kick();
    return result;
  }

  rewind(instanceId: string, reason: string | null): 'accepted' | 'notFound' | 'notFailed' {
    const result = this.store.rewind(instanceId, reason, this.clock.now());
    if (result === 'accepted') {
      this.kick();
      this.armTimerWake();
    }
    return result;
  }

  purge(instanceId: string): 'purged' | 'notFound' | 'running' {
    return this.store.purge(instanceId);
  }

  purgeWhere(filter: InstanceFilter): number {
    return this.store.purgeWhere(filter);
  }

  isEntity(name: string): boolean {
    return this.entityFunctions.has(name.toLowerCase());
  }

  /** Queues a signal (fire and forget) for an entity, as the client's `signalEntity` does. */
  signalEntity(name: string, key: string, operation: string, input: string | null): void {
    this.store.entities.enqueue(
      [
        {
          entityId: entityInstanceId(name, key),
          operation,
          input,
          isSignal: true,
          requestId: randomUUID(),
          parentInstanceId: null,
          parentExecutionId: null,
        },
      ],
      this.clock.now(),
    );
    this.kick();
  }

  readEntity(name: string, key: string): EntityRecord | undefined {
    return this.store.entities.get(entityInstanceId(name, key));
  }

  listEntities(
    filter: { name?: string; updatedFrom?: number; updatedTo?: number },
    pageSize: number,
    after?: string,
  ): { rows: EntityRecord[]; last?: string } {
    return this.store.entities.list(filter, pageSize, after);
  }

  // ---- dispatcher ----

  /** Looks for runnable work on the next turn of the event loop (coalesced). */
  private kick(): void {
    if (this.pumpScheduled || this.stopping) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.stopping) return;
    const freeEpisodes = this.maxOrchestrations - this.busyInstances.size;
    if (freeEpisodes > 0) {
      const skip = new Set([...this.busyInstances, ...this.coolingDown]);
      for (const instanceId of this.store.readyInstanceIds(freeEpisodes, skip)) {
        this.busyInstances.add(instanceId);
        this.track(
          this.runEpisode(instanceId),
          () => this.busyInstances.delete(instanceId),
          `episode of '${instanceId}'`,
          () => this.coolDown(this.coolingDown, instanceId),
        );
      }
    }
    const freeEntities = this.maxEntities - this.busyEntities.size;
    if (freeEntities > 0) {
      const skip = new Set([...this.busyEntities, ...this.coolingDownEntities]);
      for (const entityId of this.store.entities.readyEntityIds(freeEntities, skip)) {
        this.busyEntities.add(entityId);
        this.track(
          this.runEntityBatch(entityId),
          () => this.busyEntities.delete(entityId),
          `batch of entity '${entityId}'`,
          () => this.coolDown(this.coolingDownEntities, entityId),
        );
      }
    }
    const freeActivities = this.maxActivities - this.busyActivities.size;
    if (freeActivities > 0) {
      for (const item of this.store.readyActivities(freeActivities, this.busyActivities, this.clock.now())) {
        this.busyActivities.add(item.seq);
        this.track(
          this.runActivityItem(item),
          () => this.busyActivities.delete(item.seq),
          `activity '${item.name}'`,
        );
      }
    }
  }

  private track(work: Promise<void>, release: () => void, label: string, onError?: () => void): void {
    const done = work
      .catch((err: unknown) => {
        if (this.stopped) return;
        this.ctx.log.error(
          `Durable: ${label} failed in the backend: ${err instanceof Error ? err.stack : String(err)}`,
        );
        onError?.();
      })
      .finally(() => {
        release();
        this.inFlight.delete(done);
        this.kick();
      });
    this.inFlight.add(done);
  }

  /** Keeps an instance or entity out of the dispatcher for a while (host clock) after its work failed in the backend. */
  private coolDown(set: Set<string>, id: string): void {
    set.add(id);
    this.clock.schedule(this.clock.now() + RETRY_AFTER_ERROR_MS, () => {
      set.delete(id);
      this.kick();
    });
  }

  /** Keeps one clock wake-up armed for the earliest durable timer or leased activity coming back. */
  private armTimerWake(): void {
    if (this.stopping) return;
    const timer = this.store.nextTimerAt();
    const lease = this.store.nextActivityVisibleAt(this.clock.now());
    const next = timer === undefined ? lease : lease === undefined ? timer : Math.min(timer, lease);
    if (this.timerWake && this.timerWake.at === next) return;
    this.timerWake?.cancel();
    this.timerWake = undefined;
    if (next === undefined) return;
    const wake = {
      at: next,
      cancel: this.clock.schedule(next, () => {
        if (this.timerWake === wake) this.timerWake = undefined;
        if (this.stopping) return;
        this.store.fireDueTimers(this.clock.now());
        this.kick();
        this.armTimerWake();
      }),
    };
    this.timerWake = wake;
  }

  /**
   * Runs one attempt of an activity under a lease. An attempt that crashed before (the item is
   * still here with attempts counted) waited out its backoff; after `maxCrashAttempts` crashed
   * attempts the task fails as poisoned instead of crashing the host forever.
   */
  private async runActivityItem(item: ActivityItem): Promise<void> {
    const started = this.clock.now();
    if (item.attempts >= this.maxCrashAttempts) {
      const message = `the invocation crashed or timed out ${item.attempts} times; the work item is poisoned and not tried again`;
      this.ctx.log.error(`Durable: activity '${item.name}' of '${item.instanceId}' failed: ${message}`);
      const failure = {
        Reason: `Activity function '${item.name}' failed: ${message}`,
        Details: message,
      };
      this.store.completeActivity(item, historyEvent.taskFailed(started, item.taskId, failure), started);
      return;
    }
    const attempt = this.store.leaseActivity(item.seq, started + this.crashBackoff(item.attempts + 1));
    if (attempt === undefined) return;
    let timeout: NodeJS.Timeout | undefined;
    const run = await Promise.race([
      runActivity(this.ctx.invoke, item.name, item.input),
      new Promise<typeof TIMED_OUT>(
        (resolve) => (timeout = setTimeout(() => resolve(TIMED_OUT), this.activityTimeoutMs)),
      ),
    ]);
    clearTimeout(timeout);
    if (this.stopped) return;
    if (run === TIMED_OUT) {
      // Treated as a crash: the lease keeps the item hidden for the backoff, the late result is dropped.
      this.ctx.log.warn(
        `Durable: activity '${item.name}' of '${item.instanceId}' did not finish within ${this.activityTimeoutMs} ms (attempt ${attempt}); it will be retried.`,
      );
      this.armTimerWake();
      return;
    }
    const now = this.clock.now();
    const event = run.ok
      ? historyEvent.taskCompleted(now, item.taskId, run.result)
      : historyEvent.taskFailed(now, item.taskId, run.failure);
    this.store.completeActivity(item, event, now);
  }

  private crashBackoff(attempt: number): number {
    return Math.min(MAX_CRASH_BACKOFF_MS, this.crashRetryBaseMs * 2 ** (attempt - 1));
  }

  /** Runs the next batch of one entity's queued operations and commits its outcome. */
  private async runEntityBatch(entityId: string): Promise<void> {
    let ops = this.store.entities.pending(entityId, this.entityBatchSize);
    if (ops.length === 0) return;
    // After a crash the suspect operation runs alone, so a poison operation is found and only it fails.
    if (ops[0].dequeueCount > 0) ops = [ops[0]];
    const id = parseEntityInstanceId(entityId);
    const functionName = id ? this.entityFunctions.get(id.name) : undefined;
    const record = this.store.entities.get(entityId);
    const start = { exists: record !== undefined, state: record?.state ?? null };
    let outcome: BatchOutcome;
    if (ops[0].dequeueCount >= this.maxCrashAttempts) {
      const message = `Operation '${ops[0].operation}' of entity '${entityId}' crashed its invocation ${ops[0].dequeueCount} times; it is poisoned and not tried again.`;
      this.ctx.log.error(`Durable: ${message}`);
      outcome = { ...start, results: [{ isError: true, result: JSON.stringify(message) }], signals: [] };
    } else if (!id || !functionName) {
      const message = `The entity function '${id?.name ?? entityId}' doesn't exist or is not an entity function.`;
      this.ctx.log.warn(`Durable: ${ops.length} operation(s) for '${entityId}' dropped: ${message}`);
      outcome = {
        ...start,
        results: ops.map(() => ({ isError: true, result: JSON.stringify(message) })),
        signals: [],
      };
    } else {
      const self = id;
      this.store.entities.countAttempt(entityId, ops[ops.length - 1].seq);
      outcome = await executeOperations(
        (snapshot, batch) =>
          invokeEntityBatch(this.ctx.invoke, functionName, {
            self,
            exists: snapshot.exists,
            state: snapshot.state,
            batch: batch.map((op) => ({
              id: op.requestId ?? String(op.seq),
              name: op.operation,
              input: op.input,
              isSignal: op.isSignal,
            })),
          }),
        start,
        ops,
      );
    }
    if (this.stopped) return;
    const now = this.clock.now();
    this.store.entities.commitBatch({
      entityId,
      consumedUpTo: ops[ops.length - 1].seq,
      after: { exists: outcome.exists, state: outcome.exists ? outcome.state : null },
      responses: ops.flatMap((op: EntityOperation, i) =>
        !op.isSignal && op.requestId && op.parentInstanceId && op.parentExecutionId
          ? [
              {
                instanceId: op.parentInstanceId,
                executionId: op.parentExecutionId,
                requestId: op.requestId,
                message: responseMessage(outcome.results[i] ?? { isError: false }),
              },
            ]
          : [],
      ),
      signals: outcome.signals.map((signal): NewEntityOperation => ({
        entityId: entityInstanceId(signal.target.name, signal.target.key),
        operation: signal.name,
        input: signal.input === '' || signal.input === undefined ? null : signal.input,
        isSignal: true,
        requestId: randomUUID(),
        parentInstanceId: null,
        parentExecutionId: null,
      })),
      now,
    });
  }

  private async runEpisode(instanceId: string): Promise<void> {
    let messages = this.store.pendingMessages(instanceId);
    if (messages.length === 0) return;
    const instance = this.store.getInstance(instanceId);
    if (!instance || isTerminal(instance.status)) {
      this.store.deleteMessagesUpTo(instanceId, messages[messages.length - 1].seq);
      return;
    }
    const now = this.clock.now();
    const termination = messages.find(
      (m) =>
        m.event.EventType === EventType.ExecutionTerminated &&
        (m.executionId === null || m.executionId === instance.executionId),
    );
    if (termination) {
      this.commitTermination(instance, termination.event, messages[messages.length - 1].seq, now);
      return;
    }
    if (instance.status === 'Suspended') {
      // Only a resume moves a suspended instance; what arrived meanwhile stays queued for after it.
      const resume = messages.find((m) => m.event.EventType === EventType.ExecutionResumed);
      if (resume) this.commitControl(instance, resume.seq, resume.event, 'running', now);
      return;
    }
    const suspendAt = messages.findIndex((m) => m.event.EventType === EventType.ExecutionSuspended);
    if (suspendAt === 0) {
      this.commitControl(instance, messages[0].seq, messages[0].event, 'suspended', now);
      return;
    }
    // Messages queued before a suspend are still delivered; those after it wait for the resume.
    if (suspendAt > 0) messages = messages.slice(0, suspendAt);
    const consumedUpTo = messages[messages.length - 1].seq;
    const crashed = Math.max(...messages.map((m) => m.dequeueCount));
    if (crashed >= this.maxCrashAttempts) {
      this.commitPoisonedEpisode(instance, consumedUpTo, crashed, now);
      return;
    }
    this.store.countEpisodeAttempt(instanceId, consumedUpTo);
    const incoming = messages
      .filter((m) => m.executionId === null || m.executionId === instance.executionId)
      .map((m) => m.event)
      .filter((e) => e.EventType !== EventType.ExecutionResumed);
    const book = instance.book;

    const prepared = prepareEpisode(book, incoming, { instanceId, now });
    if (prepared.events.length === 0) {
      this.store.deleteMessagesUpTo(instanceId, consumedUpTo);
      return;
    }
    const started = historyEvent.orchestratorStarted(now);
    const past = this.store.history(instanceId).map((e) => ({ ...e, IsPlayed: true }));
    const fresh = prepared.events.map((e) => ({ ...e, IsPlayed: false }));
    const payload = orchestrationPayload({
      history: [...past, { ...started, IsPlayed: false }, ...fresh],
      input: instance.input,
      instanceId,
      parentInstanceId: instance.parentInstanceId,
    });
    const run = await runOrchestrator(this.ctx.invoke, instance.name, payload);
    if (this.stopped) return;

    let outcome: Outcome;
    let decided: Effects | undefined;
    let customStatus: string | null;
    if (run.ok) {
      const interpreted = interpretState(book, run.state, {
        instanceId,
        executionId: instance.executionId,
        now,
      });
      outcome = interpreted.outcome;
      decided = interpreted.effects;
      customStatus = jsonOrNull(run.state.customStatus);
    } else {
      outcome = { kind: 'failed', message: run.message, details: run.details };
      customStatus = run.state ? jsonOrNull(run.state.customStatus) : instance.customStatus;
    }
    const effects = mergeEffects(prepared.effects, decided);
    const append: HistoryEvent[] = [started, ...prepared.events, ...effects.history];
    if (outcome.kind === 'completed')
      append.push(historyEvent.executionCompleted(now, 'Completed', outcome.output));
    if (outcome.kind === 'failed')
      append.push(
        historyEvent.executionCompleted(
          now,
          'Failed',
          JSON.stringify(failureText(instance.name, outcome.message)),
          outcome.details,
        ),
      );
    append.push(historyEvent.orchestratorCompleted(now));
    if (outcome.kind === 'failed')
      this.ctx.log.warn(
        `Durable: orchestration '${instanceId}' (${instance.name}) failed: ${outcome.message}`,
      );
    this.store.commitEpisode({
      instance,
      consumedUpTo,
      now,
      append,
      effects,
      outcome,
      customStatus,
      book,
      ...(outcome.kind === 'continuedAsNew' && this.options.preserveUnprocessedEvents !== false
        ? { carriedEvents: unconsumedEvents(book, [...past, ...fresh]) }
        : {}),
    });
    this.armTimerWake();
  }

  /** Fails an instance whose episodes kept crashing the worker instead of replaying it forever. */
  private commitPoisonedEpisode(
    instance: InstanceRecord,
    consumedUpTo: number,
    crashed: number,
    now: number,
  ): void {
    const message = `Its episode crashed the worker ${crashed} times; the instance is failed as poisoned instead of being replayed again.`;
    this.ctx.log.error(
      `Durable: orchestration '${instance.instanceId}' (${instance.name}) failed: ${message}`,
    );
    const details = { ErrorType: 'PoisonedWorkItem', ErrorMessage: message };
    this.store.commitEpisode({
      instance,
      consumedUpTo,
      now,
      append: [
        historyEvent.orchestratorStarted(now),
        historyEvent.executionCompleted(
          now,
          'Failed',
          JSON.stringify(failureText(instance.name, message)),
          details,
        ),
        historyEvent.orchestratorCompleted(now),
      ],
      effects: noEffects(),
      outcome: { kind: 'failed', message, details },
      customStatus: instance.customStatus,
      book: instance.book,
    });
    this.armTimerWake();
  }

  /** Suspends or resumes an instance: records the event in its history and changes its status. */
  private commitControl(
    instance: InstanceRecord,
    seq: number,
    event: HistoryEvent,
    status: 'running' | 'suspended',
    now: number,
  ): void {
    this.store.commitEpisode({
      instance,
      consumedUpTo: seq,
      consumedSeqs: [seq],
      now,
      append: [{ ...event, Timestamp: new Date(now).toISOString() }],
      effects: noEffects(),
      outcome: { kind: status },
      customStatus: instance.customStatus,
      book: instance.book,
    });
  }

  /** A termination ends the execution without running user code, as in the Durable Task framework. */
  private commitTermination(
    instance: InstanceRecord,
    termination: HistoryEvent,
    consumedUpTo: number,
    now: number,
  ): void {
    const reason = typeof termination.Input === 'string' ? termination.Input : null;
    this.store.commitEpisode({
      instance,
      consumedUpTo,
      now,
      append: [
        historyEvent.orchestratorStarted(now),
        termination,
        historyEvent.executionCompleted(now, 'Terminated', JSON.stringify(reason ?? '')),
        historyEvent.orchestratorCompleted(now),
      ],
      effects: noEffects(),
      outcome: { kind: 'terminated', reason },
      customStatus: instance.customStatus,
      book: instance.book,
    });
    this.armTimerWake();
  }
}

/** `hh:mm:ss` (as host.json's functionTimeout) in ms; undefined when absent or malformed. */
function timeSpanMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(value.trim());
  if (!m) return undefined;
  const [, days, h, min, sec] = m;
  return (((Number(days ?? 0) * 24 + Number(h)) * 60 + Number(min)) * 60 + Number(sec)) * 1000;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

function mergeEffects(a: Effects, b: Effects | undefined): Effects {
  if (!b) return a;
  return {
    history: [...a.history, ...b.history],
    activities: [...a.activities, ...b.activities],
    timers: [...a.timers, ...b.timers],
    cancelTimers: [...a.cancelTimers, ...b.cancelTimers],
    subOrchestrations: [...a.subOrchestrations, ...b.subOrchestrations],
    immediateFailures: [...a.immediateFailures, ...b.immediateFailures],
    entityOps: [...a.entityOps, ...b.entityOps],
  };
}

/** The durable backend for `startHost({services})` / `defaultServices()`. */
export function createDurableService(options: DurableServiceOptions = {}): DurableService {
  return new DurableService(options);
}
