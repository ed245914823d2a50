/** The Durable HTTP API's JSON for an instance's status (Azure's shape: the SDK's DurableOrchestrationStatus). */
import { EventType, eventTypeName, HistoryEvent } from './historyEvents';
import type { InstanceRecord } from './store';

export interface StatusOptions {
  showInput?: boolean;
  showHistory?: boolean;
  showHistoryOutput?: boolean;
}

export interface StatusBody {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: Array<Record<string, unknown>>;
}

/** Azure writes status times to the second, e.g. 2026-01-01T00:00:00Z. */
export function azureTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parseJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function statusBody(
  instance: InstanceRecord,
  options: StatusOptions,
  history?: HistoryEvent[],
): StatusBody {
  const body: StatusBody = {
    name: instance.name,
    instanceId: instance.instanceId,
    runtimeStatus: instance.status,
    input: options.showInput === false ? null : parseJson(instance.input),
    customStatus: parseJson(instance.customStatus),
    output: parseJson(instance.output),
    createdTime: azureTime(instance.createdAt),
    lastUpdatedTime: azureTime(instance.updatedAt),
  };
  if (options.showHistory && history) body.historyEvents = historyView(history, options);
  return body;
}

/**
 * History as the HTTP API shows it: event types by name, scheduling events folded into their
 * completions (FunctionName, ScheduledTime), results only with showHistoryOutput.
 */
export function historyView(history: HistoryEvent[], options: StatusOptions): Array<Record<string, unknown>> {
  const scheduled = new Map<number, HistoryEvent>();
  const view: Array<Record<string, unknown>> = [];
  const withOutput = options.showHistoryOutput === true;
  for (const event of history) {
    const base = { EventType: eventTypeName(event.EventType), Timestamp: event.Timestamp };
    switch (event.EventType) {
      case EventType.OrchestratorStarted:
      case EventType.OrchestratorCompleted:
        break;
      case EventType.TaskScheduled:
      case EventType.SubOrchestrationInstanceCreated:
        scheduled.set(event.EventId, event);
        break;
      case EventType.ExecutionStarted:
        view.push({
          ...base,
          FunctionName: event.Name,
          ...(options.showInput === false ? {} : { Input: parseJson(event.Input as string | null) }),
        });
        break;
      case EventType.TaskCompleted:
      case EventType.SubOrchestrationInstanceCompleted:
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceFailed: {
        const origin = scheduled.get(Number(event.TaskScheduledId));
        const entry: Record<string, unknown> = {
          ...base,
          FunctionName: origin?.Name ?? null,
          ScheduledTime: origin?.Timestamp ?? null,
        };
        if (origin?.InstanceId) entry.InstanceId = origin.InstanceId;
        if (
          event.EventType === EventType.TaskFailed ||
          event.EventType === EventType.SubOrchestrationInstanceFailed
        ) {
          entry.Reason = event.Reason;
          entry.Details = event.Details;
        } else if (withOutput) {
          entry.Result = parseJson(event.Result as string | null);
        }
        view.push(entry);
        break;
      }
      case EventType.TimerCreated:
        view.push({ ...base, TimerId: event.EventId, FireAt: event.FireAt });
        break;
      case EventType.TimerFired:
        view.push({ ...base, TimerId: event.TimerId, FireAt: event.FireAt });
        break;
      case EventType.EventRaised:
        view.push({
          ...base,
          Name: event.Name,
          ...(withOutput ? { Input: parseJson(event.Input as string | null) } : {}),
        });
        break;
      case EventType.ExecutionCompleted:
        view.push({
          ...base,
          OrchestrationStatus: event.OrchestrationStatus,
          ...(withOutput || event.OrchestrationStatus !== 'Completed'
            ? { Result: parseJson(event.Result as string | null) }
            : {}),
          ...(event.FailureDetails ? { FailureDetails: event.FailureDetails } : {}),
        });
        break;
      case EventType.ExecutionTerminated:
        view.push({ ...base, Reason: event.Input ?? null });
        break;
      case EventType.ExecutionSuspended:
      case EventType.ExecutionResumed:
        view.push({ ...base, Reason: event.Reason ?? null });
        break;
      case EventType.EventSent:
        view.push({
          ...base,
          Name: event.Name,
          InstanceId: event.InstanceId,
          ...(withOutput ? { Input: parseJson(event.Input as string | null) } : {}),
        });
        break;
      default:
        view.push({ ...base });
    }
  }
  return view;
}
