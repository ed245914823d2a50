/**
 * Runs orchestrator and activity functions through the host's Invoker (the library's own
 * InvocationModel) and turns what comes back into history material.
 */
import type { Invoker, RpcTypedData } from '../contracts';
import type { OrchestratorState } from './actions';
import type { FailureDetails, HistoryEvent, TaskFailure } from './historyEvents';
import {
  DEFAULT_HTTP_ASYNC_SLEEP_MS,
  LONG_RUNNING_TIMER_INTERVAL,
  MAXIMUM_SHORT_TIMER_DURATION,
} from './timerSettings';

/** The orchestration trigger's payload, as the Azure extension sends it for replay schema V3. */
export interface OrchestrationPayload {
  history: HistoryEvent[];
  input: unknown;
  instanceId: string;
  isReplaying: boolean;
  parentInstanceId: string | null;
  upperSchemaVersion: 1;
  upperSchemaVersionNew: 2;
  longRunningTimerIntervalDuration: string;
  maximumShortTimerDuration: string;
  defaultHttpAsyncRequestSleepTimeMillseconds: number;
}

/**
 * The JSON text of an episode's {@link OrchestrationPayload}. The past events come as the JSON text
 * the store keeps them in and go into the history as they are, marked played: an episode does not
 * parse its whole history and serialize it again only to hand it on.
 */
export function orchestrationPayloadText(fields: {
  /** The history so far, one event's JSON text each, oldest first. */
  past: readonly string[];
  /** The events new in this episode (OrchestratorStarted first). */
  fresh: readonly HistoryEvent[];
  input: string | null;
  instanceId: string;
  parentInstanceId: string | null;
}): string {
  const rest: Omit<OrchestrationPayload, 'history'> = {
    input: fields.input === null ? undefined : JSON.parse(fields.input),
    instanceId: fields.instanceId,
    isReplaying: fields.past.length > 0,
    parentInstanceId: fields.parentInstanceId,
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 2,
    longRunningTimerIntervalDuration: LONG_RUNNING_TIMER_INTERVAL,
    maximumShortTimerDuration: MAXIMUM_SHORT_TIMER_DURATION,
    defaultHttpAsyncRequestSleepTimeMillseconds: DEFAULT_HTTP_ASYNC_SLEEP_MS,
  };
  const history = [
    ...fields.past.map(played),
    ...fields.fresh.map((event) => JSON.stringify({ ...event, IsPlayed: false })),
  ];
  // `rest` always has fields (instanceId at least): its text is `{"...`, the history goes first.
  return `{"history":[${history.join(',')}],${JSON.stringify(rest).slice(1)}`;
}

/** An event's JSON object text with `IsPlayed: true` (a key already there is overridden: JSON.parse keeps the last). */
function played(eventText: string): string {
  const body = eventText.trim();
  if (!body.startsWith('{') || !body.endsWith('}'))
    throw new Error(`a history event is not a JSON object: ${body.slice(0, 80)}`);
  return /^\{\s*\}$/.test(body) ? '{"IsPlayed":true}' : `${body.slice(0, -1)},"IsPlayed":true}`;
}

export type OrchestratorRun =
  | { ok: true; state: OrchestratorState }
  | { ok: false; message: string; details: FailureDetails; state?: OrchestratorState };

export type ActivityRun = { ok: true; result: string } | { ok: false; failure: TaskFailure };

const OUT_OF_PROC_LABEL = '\n\n$OutOfProcData$:';

export async function runOrchestrator(
  invoke: Invoker,
  name: string,
  /** The JSON text of the trigger's {@link OrchestrationPayload} ({@link orchestrationPayloadText}). */
  payload: string,
): Promise<OrchestratorRun> {
  try {
    const result = await invoke({ functionName: name, triggerData: { string: payload } });
    const state = typedDataValue(result.returnValue) as OrchestratorState | undefined;
    if (!state || typeof state !== 'object' || !Array.isArray(state.actions)) {
      const message = `Orchestrator function '${name}' returned no orchestrator state (is it registered with df.app.orchestration?)`;
      return { ok: false, message, details: { ErrorType: 'Error', ErrorMessage: message } };
    }
    return { ok: true, state };
  } catch (err) {
    return orchestratorFailure(err);
  }
}

/** Splits the SDK's OrchestrationFailureError into the user's message and the state it carries. */
export function orchestratorFailure(err: unknown): Extract<OrchestratorRun, { ok: false }> {
  const error = err instanceof Error ? err : new Error(String(err));
  const at = error.message.indexOf(OUT_OF_PROC_LABEL);
  let message = error.message;
  let state: OrchestratorState | undefined;
  if (at >= 0) {
    message = error.message.slice(0, at);
    try {
      state = JSON.parse(error.message.slice(at + OUT_OF_PROC_LABEL.length)) as OrchestratorState;
    } catch {
      state = undefined;
    }
  }
  // The SDK passes a flag where the error belongs; the user's error message is in the state's `error`.
  if (state && typeof state.error === 'string') message = state.error;
  const details: FailureDetails = { ErrorType: 'Error', ErrorMessage: message };
  if (!state && error.stack) details.StackTrace = error.stack;
  return { ok: false, message, details, ...(state ? { state } : {}) };
}

export async function runActivity(invoke: Invoker, name: string, input: string | null): Promise<ActivityRun> {
  try {
    // As the extension does: the JSON text of the input, which the library parses back.
    const triggerData: RpcTypedData = { string: input ?? 'null' };
    const result = await invoke({ functionName: name, triggerData });
    return { ok: true, result: JSON.stringify(typedDataValue(result.returnValue) ?? null) };
  } catch (err) {
    return { ok: false, failure: activityFailure(name, err) };
  }
}

/** Reason text as Azure writes it: `Activity function 'X' failed: <message>`. */
export function activityFailure(name: string, err: unknown): TaskFailure {
  const error = err instanceof Error ? err : new Error(typeof err === 'string' ? err : JSON.stringify(err));
  const structured = structuredFailure(error.message);
  const message = structured?.ErrorMessage ?? error.message;
  return {
    Reason: `Activity function '${name}' failed: ${message}`,
    Details: structured?.StackTrace ?? error.stack ?? message,
    ...(structured ? { FailureDetails: structured } : {}),
  };
}

/** With an ExceptionPropertiesProvider registered, the SDK puts a JSON failure payload in the message. */
function structuredFailure(message: string): FailureDetails | undefined {
  if (!message.startsWith('{')) return undefined;
  try {
    const p = JSON.parse(message) as {
      errorType?: string;
      errorMessage?: string;
      stackTrace?: string;
      isNonRetriable?: boolean;
      properties?: Record<string, unknown>;
    };
    if (typeof p.errorType !== 'string' || typeof p.errorMessage !== 'string') return undefined;
    return {
      ErrorType: p.errorType,
      ErrorMessage: p.errorMessage,
      ...(p.stackTrace ? { StackTrace: p.stackTrace } : {}),
      IsNonRetriable: p.isNonRetriable ?? false,
      ...(p.properties ? { Properties: p.properties } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The value behind the worker's typed data, as the extension would read it. */
export function typedDataValue(data: RpcTypedData | null | undefined): unknown {
  if (!data) return undefined;
  if (data.json !== undefined && data.json !== null) return JSON.parse(data.json);
  if (data.string !== undefined && data.string !== null) return data.string;
  if (data.int !== undefined && data.int !== null) return Number(data.int);
  if (data.double !== undefined && data.double !== null) return data.double;
  if (data.bytes) return Buffer.from(data.bytes).toString('base64');
  return undefined;
}
