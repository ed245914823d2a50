/**
 * The deterministic heart of the durable backend: what one orchestration episode means.
 *
 * The SDK and the backend must agree on task ids. The SDK numbers tasks in the order it tracks them:
 * each scheduled activity / timer / sub-orchestration (depth-first through Task.all / Task.any) takes
 * the next id, and so do the hidden tasks of retries (a timer after each failed attempt, then the next
 * attempt) and of long timers (one sub-timer after another). The hidden ones are allocated while the
 * SDK processes the completion event, before user code resumes, so the backend puts those events
 * first in the episode and numbers them before the episode's new actions. A `callHttp` is one
 * action too: its polling (a 202 with a Location) takes two hidden ids, the timer and the GET after
 * it, as the SDK's CallHttpWithPollingTask and the extension's CallHttpAsync do.
 */
import {
  Action,
  ActionType,
  flattenActions,
  OrchestratorState,
  processedInputJson,
  rawInputJson,
  RetryPolicy,
} from './actions';
import { randomUUID } from 'node:crypto';
import { requestMessage } from './entities';
import { EventType, FailureDetails, historyEvent, HistoryEvent, TaskFailure } from './historyEvents';

import {
  durableHttpRequestOf,
  HTTP_ACTIVITY_NAME,
  httpActivityInput,
  pollOf,
  requestOfInput,
} from './durableHttp';
import {
  DEFAULT_HTTP_ASYNC_SLEEP_MS,
  LONG_RUNNING_TIMER_INTERVAL_MS,
  MAXIMUM_SHORT_TIMER_MS,
} from './timerSettings';

export interface RetryState {
  policy: RetryPolicy;
  /** 1-based number of the attempt this task is. */
  attempt: number;
  firstAttemptAt: number;
}

export interface ActivityTask {
  kind: 'activity';
  name: string;
  input: string | null;
  retry?: RetryState;
}

export interface SubOrchestrationTask {
  kind: 'subOrchestration';
  name: string;
  /** Explicit child id, or null to derive `{parent}:{taskId}` per attempt. */
  instanceId: string | null;
  input: string | null;
  version?: string;
  retry?: RetryState;
}

export interface TimerTask {
  kind: 'timer';
  fireAt: number;
  /** Differs from fireAt for a long timer split into sub-timers. */
  finalFireAt: number;
  /** Leaf position of the CreateTimer action (to notice `isCanceled`). */
  position: number;
}

export interface RetryTimerTask {
  kind: 'retryTimer';
  fireAt: number;
  next: ActivityTask | SubOrchestrationTask;
  lastFailure: TaskFailure;
  /** Task id of the attempt that failed (absent in books of older versions). */
  failedTaskId?: number;
}

/** The wait before a callHttp's next poll; when it fires, `poll` (the GET of the Location) is scheduled as `pollTaskId`. */
export interface HttpPollTimerTask {
  kind: 'httpPollTimer';
  fireAt: number;
  pollTaskId: number;
  poll: ActivityTask;
}

/** A task whose failure reached the orchestrator; with retries, the timer after its last attempt. */
export type FailedTask = (ActivityTask | SubOrchestrationTask) & { retryTimerId?: number };

export interface EntityCallTask {
  kind: 'entityCall';
  entityId: string;
  operation: string;
  requestId: string;
}

export type OpenTask =
  ActivityTask | SubOrchestrationTask | TimerTask | RetryTimerTask | EntityCallTask | HttpPollTimerTask;

/** The backend's bookkeeping for one execution of an orchestration, kept with the instance. */
export interface Book {
  nextTaskId: number;
  /** How many leaves of the cumulative action list have been acted on. */
  actionCount: number;
  /** WaitForExternalEvent leaves by event name (to find unconsumed events at continueAsNew). */
  waitsByName: Record<string, number>;
  /** Leaf position of a CreateTimer action → id of its current (sub-)timer. */
  timerAtPosition: Record<string, number>;
  /** Tasks the orchestration is still waiting for, by task id. */
  open: Record<string, OpenTask>;
  /** Tasks whose failure was delivered (with retries: the last attempt), by task id: what a rewind runs again. */
  failed?: Record<string, FailedTask>;
  /** What the action at each leaf position was, to detect replays that schedule something else (absent in older books). */
  signatures?: string[];
  /** Request id of every entity call of this execution → its task id (absent in books of older versions). */
  entityRequests?: Record<string, number>;
}

export function newBook(): Book {
  return {
    nextTaskId: 0,
    actionCount: 0,
    waitsByName: {},
    timerAtPosition: {},
    open: {},
    signatures: [],
    entityRequests: {},
  };
}

/** Work an episode hands to the store, committed with its history in one transaction. */
export interface Effects {
  /** Decision events (TaskScheduled, TimerCreated, SubOrchestrationInstanceCreated). */
  history: HistoryEvent[];
  activities: Array<{ taskId: number; name: string; input: string | null }>;
  timers: Array<{ taskId: number; fireAt: number }>;
  cancelTimers: number[];
  subOrchestrations: Array<{
    taskId: number;
    name: string;
    instanceId: string;
    input: string | null;
    version?: string;
  }>;
  /** Failures to deliver in the next episode without running anything (retry timeout spent). */
  immediateFailures: Array<{ taskId: number; failure: TaskFailure; kind: 'activity' | 'subOrchestration' }>;
  /** Entity operations to queue: signals, and calls whose response comes back as EventRaised {Name: requestId}. */
  entityOps: Array<{
    entityId: string;
    operation: string;
    input: string | null;
    isSignal: boolean;
    requestId: string;
  }>;
}

export function noEffects(): Effects {
  return {
    history: [],
    activities: [],
    timers: [],
    cancelTimers: [],
    subOrchestrations: [],
    immediateFailures: [],
    entityOps: [],
  };
}

export type Outcome =
  | { kind: 'running' }
  | { kind: 'completed'; output: string }
  | { kind: 'continuedAsNew'; input: string | null }
  | { kind: 'failed'; message: string; details: FailureDetails };

interface EpisodeContext {
  instanceId: string;
  /** The execution entity calls answer to (request messages name it). */
  executionId?: string;
  now: number;
}

/**
 * Orders the incoming events of an episode, drops those nobody waits for (duplicates of
 * at-least-once deliveries, fired timers that were cancelled) and allocates the hidden task ids of
 * retries and long timers. Mutates `book`.
 */
export function prepareEpisode(
  book: Book,
  incoming: HistoryEvent[],
  ctx: EpisodeContext,
): { events: HistoryEvent[]; effects: Effects } {
  const effects = noEffects();
  const first: HistoryEvent[] = [];
  const hidden: HistoryEvent[] = [];
  const rest: HistoryEvent[] = [];
  for (const event of incoming) {
    switch (event.EventType) {
      case EventType.ExecutionStarted:
        first.push(event);
        break;
      case EventType.EventRaised: {
        const callTaskId = book.entityRequests?.[String(event.Name)];
        if (callTaskId !== undefined) {
          // An entity's response: drop a duplicate of one already delivered.
          if (book.open[callTaskId]?.kind !== 'entityCall') break;
          delete book.open[callTaskId];
        }
        rest.push(event);
        break;
      }
      case EventType.TaskCompleted:
      case EventType.SubOrchestrationInstanceCompleted: {
        const id = Number(event.TaskScheduledId);
        const task = book.open[id];
        if (!task || (task.kind !== 'activity' && task.kind !== 'subOrchestration')) break;
        delete book.open[id];
        if (
          task.kind === 'activity' &&
          task.name === HTTP_ACTIVITY_NAME &&
          schedulePoll(book, task, event, ctx, effects)
        )
          hidden.push(event);
        else rest.push(event);
        break;
      }
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceFailed: {
        const id = Number(event.TaskScheduledId);
        const task = book.open[id];
        if (!task || (task.kind !== 'activity' && task.kind !== 'subOrchestration')) break;
        delete book.open[id];
        if (task.retry) {
          // The SDK expects a retry timer after every failed attempt, the last one included.
          scheduleRetryTimer(book, id, task, failureOf(event), ctx, effects);
          hidden.push(event);
        } else {
          // Kept so that a rewind can take the failure back and run the task again.
          (book.failed ??= {})[id] = task;
          rest.push(event);
        }
        break;
      }
      case EventType.TimerFired: {
        const id = Number(event.TimerId);
        const task = book.open[id];
        if (!task) break;
        delete book.open[id];
        if (task.kind === 'timer') {
          if (task.finalFireAt > ctx.now) {
            const nextId = book.nextTaskId++;
            const fireAt = nextSubTimerFireAt(task.finalFireAt, ctx.now);
            book.open[nextId] = { ...task, fireAt };
            book.timerAtPosition[task.position] = nextId;
            effects.history.push(historyEvent.timerCreated(ctx.now, nextId, fireAt));
            effects.timers.push({ taskId: nextId, fireAt });
            hidden.push(event);
          } else {
            delete book.timerAtPosition[task.position];
            rest.push(event);
          }
        } else if (task.kind === 'httpPollTimer') {
          book.open[task.pollTaskId] = task.poll;
          schedule(task.poll, task.pollTaskId, ctx, effects);
          hidden.push(event);
        } else if (task.kind === 'retryTimer') {
          const next = task.next;
          if (next.retry && next.retry.attempt <= next.retry.policy.maxNumberOfAttempts) {
            const nextId = book.nextTaskId++;
            book.open[nextId] = next;
            if (retryTimeoutSpent(next.retry, ctx.now)) {
              effects.immediateFailures.push({ taskId: nextId, failure: task.lastFailure, kind: next.kind });
            } else {
              schedule(next, nextId, ctx, effects);
            }
            hidden.push(event);
          } else {
            // Attempts spent: a rewind takes back this timer and the last attempt's failure, and runs that attempt again.
            if (task.failedTaskId !== undefined && next.retry)
              (book.failed ??= {})[task.failedTaskId] = {
                ...next,
                retry: { ...next.retry, attempt: next.retry.attempt - 1 },
                retryTimerId: id,
              };
            rest.push(event);
          }
        }
        break;
      }
      default:
        rest.push(event);
    }
  }
  return { events: [...first, ...hidden, ...rest], effects };
}

/**
 * Acts on the OrchestratorState of an episode: schedules the new leaves of the cumulative action
 * list, cancels timers whose `isCanceled` flipped, and says how the execution goes on. Mutates `book`.
 */
export function interpretState(
  book: Book,
  state: OrchestratorState,
  ctx: EpisodeContext,
): { effects: Effects; outcome: Outcome } {
  const effects = noEffects();
  const leaves = flattenActions(state.actions);
  const signatures = (book.signatures ??= []);
  for (let position = 0; position < Math.min(book.actionCount, leaves.length); position++) {
    const leaf = leaves[position];
    const recorded = signatures[position];
    if (recorded !== undefined && recorded !== actionSignature(leaf))
      return { effects: noEffects(), outcome: nonDeterministic(position, recorded, actionSignature(leaf)) };
    if (leaf.actionType === ActionType.CreateTimer && leaf.isCanceled) cancelTimerAt(book, position, effects);
  }
  for (let position = book.actionCount; position < leaves.length; position++)
    signatures[position] = actionSignature(leaves[position]);
  let continueAsNew: Action | undefined;
  for (let position = book.actionCount; position < leaves.length; position++) {
    const leaf = leaves[position];
    switch (leaf.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry: {
        const id = book.nextTaskId++;
        const task: ActivityTask = {
          kind: 'activity',
          name: String(leaf.functionName),
          input: processedInputJson(leaf.input),
        };
        if (leaf.actionType === ActionType.CallActivityWithRetry && leaf.retryOptions)
          task.retry = firstAttempt(leaf.retryOptions, ctx.now);
        book.open[id] = task;
        schedule(task, id, ctx, effects);
        break;
      }
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry: {
        const id = book.nextTaskId++;
        const task: SubOrchestrationTask = {
          kind: 'subOrchestration',
          name: String(leaf.functionName),
          instanceId: leaf.instanceId ? String(leaf.instanceId) : null,
          input: rawInputJson(leaf.input),
          ...(leaf.version ? { version: String(leaf.version) } : {}),
        };
        if (leaf.actionType === ActionType.CallSubOrchestratorWithRetry && leaf.retryOptions)
          task.retry = firstAttempt(leaf.retryOptions, ctx.now);
        book.open[id] = task;
        schedule(task, id, ctx, effects);
        break;
      }
      case ActionType.CreateTimer: {
        const id = book.nextTaskId++;
        const finalFireAt = Date.parse(String(leaf.fireAt));
        // The SDK splits timers longer than the maximum short duration into sub-timers; so do we.
        const fireAt =
          finalFireAt - ctx.now > MAXIMUM_SHORT_TIMER_MS
            ? ctx.now + LONG_RUNNING_TIMER_INTERVAL_MS
            : finalFireAt;
        effects.history.push(historyEvent.timerCreated(ctx.now, id, fireAt));
        if (!leaf.isCanceled) {
          book.open[id] = { kind: 'timer', fireAt, finalFireAt, position };
          book.timerAtPosition[position] = id;
          effects.timers.push({ taskId: id, fireAt });
        }
        break;
      }
      case ActionType.WaitForExternalEvent: {
        const name = String(leaf.externalEventName);
        book.waitsByName[name] = (book.waitsByName[name] ?? 0) + 1;
        break;
      }
      case ActionType.CallEntity:
      case ActionType.SignalEntity: {
        const id = book.nextTaskId++;
        const isSignal = leaf.actionType === ActionType.SignalEntity;
        const entityId = String(leaf.instanceId);
        const operation = String(leaf.operation);
        const input = rawInputJson(leaf.input);
        const requestId = randomUUID();
        effects.history.push({
          EventType: EventType.EventSent,
          EventId: id,
          Timestamp: new Date(ctx.now).toISOString(),
          Name: 'op',
          InstanceId: entityId,
          Input: requestMessage({
            id: requestId,
            operation,
            input,
            isSignal,
            parentInstanceId: ctx.instanceId,
            parentExecutionId: ctx.executionId ?? '',
            at: ctx.now,
          }),
        });
        effects.entityOps.push({ entityId, operation, input, isSignal, requestId });
        if (!isSignal) {
          book.open[id] = { kind: 'entityCall', entityId, operation, requestId };
          (book.entityRequests ??= {})[requestId] = id;
        }
        break;
      }
      case ActionType.CallHttp: {
        const request = durableHttpRequestOf(leaf.httpRequest);
        if (typeof request === 'string') {
          book.actionCount = leaves.length;
          return {
            effects,
            outcome: {
              kind: 'failed',
              message: request,
              details: { ErrorType: 'ArgumentException', ErrorMessage: request },
            },
          };
        }
        const id = book.nextTaskId++;
        const task: ActivityTask = {
          kind: 'activity',
          name: HTTP_ACTIVITY_NAME,
          input: httpActivityInput(request),
        };
        book.open[id] = task;
        schedule(task, id, ctx, effects);
        break;
      }
      case ActionType.ContinueAsNew:
        continueAsNew = leaf;
        break;
      default:
        book.actionCount = leaves.length;
        return { effects, outcome: unsupported(leaf) };
    }
  }
  book.actionCount = leaves.length;
  if (!state.isDone) return { effects, outcome: { kind: 'running' } };
  if (continueAsNew)
    return { effects, outcome: { kind: 'continuedAsNew', input: processedInputJson(continueAsNew.input) } };
  return { effects, outcome: { kind: 'completed', output: JSON.stringify(state.output ?? null) } };
}

/** Cancels every open timer (the execution ended) and returns their ids. */
export function openTimerIds(book: Book): number[] {
  return Object.entries(book.open)
    .filter(
      ([, task]) => task.kind === 'timer' || task.kind === 'retryTimer' || task.kind === 'httpPollTimer',
    )
    .map(([id]) => Number(id));
}

/**
 * Which EventRaised events of an ending execution no wait consumed: per name, those after the
 * first `waitsByName[name]`. They are carried to the next execution at continueAsNew.
 */
export function unconsumedEvents(book: Book, history: HistoryEvent[]): HistoryEvent[] {
  const seen: Record<string, number> = {};
  const carried: HistoryEvent[] = [];
  for (const event of history) {
    if (event.EventType !== EventType.EventRaised) continue;
    const name = String(event.Name);
    if (book.entityRequests?.[name] !== undefined) continue;
    seen[name] = (seen[name] ?? 0) + 1;
    if (seen[name] > (book.waitsByName[name] ?? 0)) carried.push(event);
  }
  return carried;
}

/** Delay before the next attempt, as the Durable Task framework computes it. */
export function retryDelay(policy: RetryPolicy, failedAttempt: number): number {
  const coefficient =
    policy.backoffCoefficient && policy.backoffCoefficient > 0 ? policy.backoffCoefficient : 1;
  let delay = policy.firstRetryIntervalInMilliseconds * Math.pow(coefficient, failedAttempt - 1);
  if (policy.maxRetryIntervalInMilliseconds && policy.maxRetryIntervalInMilliseconds > 0)
    delay = Math.min(delay, policy.maxRetryIntervalInMilliseconds);
  return Math.max(0, Math.round(delay));
}

function retryTimeoutSpent(retry: RetryState, now: number): boolean {
  const timeout = retry.policy.retryTimeoutInMilliseconds;
  return typeof timeout === 'number' && timeout > 0 && now >= retry.firstAttemptAt + timeout;
}

function firstAttempt(policy: RetryPolicy, now: number): RetryState {
  return { policy, attempt: 1, firstAttemptAt: now };
}

function scheduleRetryTimer(
  book: Book,
  failedTaskId: number,
  failed: ActivityTask | SubOrchestrationTask,
  failure: TaskFailure,
  ctx: EpisodeContext,
  effects: Effects,
): void {
  const retry = failed.retry as RetryState;
  const timerId = book.nextTaskId++;
  const fireAt = retryTimeoutSpent(retry, ctx.now)
    ? ctx.now
    : ctx.now + retryDelay(retry.policy, retry.attempt);
  book.open[timerId] = {
    kind: 'retryTimer',
    fireAt,
    next: { ...failed, retry: { ...retry, attempt: retry.attempt + 1 } },
    lastFailure: failure,
    failedTaskId,
  };
  effects.history.push(historyEvent.timerCreated(ctx.now, timerId, fireAt));
  effects.timers.push({ taskId: timerId, fireAt });
}

/**
 * A callHttp's response that asks to be polled (202 + Location, the asynchronous pattern on): the
 * timer (`Retry-After`, else the extension's default sleep) and the id of the GET after it, both
 * taken now as the SDK does while it handles the response. False when the response is final.
 */
function schedulePoll(
  book: Book,
  task: ActivityTask,
  event: HistoryEvent,
  ctx: EpisodeContext,
  effects: Effects,
): boolean {
  const request = requestOfInput(task.input);
  const poll = request && pollOf(request, String(event.Result ?? ''), DEFAULT_HTTP_ASYNC_SLEEP_MS);
  if (!poll) return false;
  const timerId = book.nextTaskId++;
  const pollTaskId = book.nextTaskId++;
  const fireAt = ctx.now + poll.delayMs;
  book.open[timerId] = {
    kind: 'httpPollTimer',
    fireAt,
    pollTaskId,
    poll: { kind: 'activity', name: HTTP_ACTIVITY_NAME, input: httpActivityInput(poll.request) },
  };
  effects.history.push(historyEvent.timerCreated(ctx.now, timerId, fireAt));
  effects.timers.push({ taskId: timerId, fireAt });
  return true;
}

function schedule(
  task: ActivityTask | SubOrchestrationTask,
  taskId: number,
  ctx: EpisodeContext,
  effects: Effects,
): void {
  if (task.kind === 'activity') {
    effects.history.push(historyEvent.taskScheduled(ctx.now, taskId, task.name, task.input));
    effects.activities.push({ taskId, name: task.name, input: task.input });
  } else {
    const instanceId = task.instanceId ?? `${ctx.instanceId}:${taskId}`;
    effects.history.push(
      historyEvent.subOrchestrationCreated(ctx.now, taskId, task.name, instanceId, task.input),
    );
    effects.subOrchestrations.push({
      taskId,
      name: task.name,
      instanceId,
      input: task.input,
      ...(task.version ? { version: task.version } : {}),
    });
  }
}

function cancelTimerAt(book: Book, position: number, effects: Effects): void {
  const id = book.timerAtPosition[position];
  if (id === undefined) return;
  delete book.timerAtPosition[position];
  delete book.open[id];
  effects.cancelTimers.push(id);
}

function nextSubTimerFireAt(finalFireAt: number, now: number): number {
  return finalFireAt - now > MAXIMUM_SHORT_TIMER_MS ? now + LONG_RUNNING_TIMER_INTERVAL_MS : finalFireAt;
}

function failureOf(event: HistoryEvent): TaskFailure {
  return {
    Reason: String(event.Reason ?? ''),
    Details: String(event.Details ?? ''),
    ...(event.FailureDetails ? { FailureDetails: event.FailureDetails as FailureDetails } : {}),
  };
}

/** What an action is, for the determinism check: its kind and the name it targets. */
export function actionSignature(action: Action): string {
  const q = (v: unknown): string => `'${String(v)}'`;
  switch (action.actionType) {
    case ActionType.CallActivity:
      return `callActivity(${q(action.functionName)})`;
    case ActionType.CallActivityWithRetry:
      return `callActivityWithRetry(${q(action.functionName)})`;
    case ActionType.CallSubOrchestrator:
      return `callSubOrchestrator(${q(action.functionName)})`;
    case ActionType.CallSubOrchestratorWithRetry:
      return `callSubOrchestratorWithRetry(${q(action.functionName)})`;
    case ActionType.CreateTimer:
      return 'createTimer';
    case ActionType.WaitForExternalEvent:
      return `waitForExternalEvent(${q(action.externalEventName)})`;
    case ActionType.CallEntity:
      return `callEntity(${q(action.instanceId)}, ${q(action.operation)})`;
    case ActionType.SignalEntity:
      return `signalEntity(${q(action.instanceId)}, ${q(action.operation)})`;
    case ActionType.ContinueAsNew:
      return 'continueAsNew';
    case ActionType.CallHttp:
      // The extension schedules every request as BuiltIn::HttpActivity: the target is not checked.
      return 'callHttp';
    default:
      return `action type ${action.actionType}`;
  }
}

function nonDeterministic(position: number, recorded: string, replayed: string): Outcome {
  const message =
    `Non-deterministic workflow detected: action #${position} of this instance's history is ${recorded}, ` +
    `but the replayed orchestrator code scheduled ${replayed} there. ` +
    'Was the orchestrator code changed while this instance was running?';
  return {
    kind: 'failed',
    message,
    details: { ErrorType: 'NonDeterministicOrchestrationException', ErrorMessage: message },
  };
}

function unsupported(action: Action): Outcome {
  const names: Record<number, string> = {
    [ActionType.LockEntities]: 'lock',
    [ActionType.ReleaseEntities]: 'lock release',
  };
  const what = names[action.actionType] ?? `action type ${action.actionType}`;
  const message = `${what} is not supported by the local durable backend`;
  return { kind: 'failed', message, details: { ErrorType: 'NotSupportedError', ErrorMessage: message } };
}
