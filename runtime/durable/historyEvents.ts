/**
 * History events as the Durable Task framework stores them and the durable-functions SDK replays
 * them: PascalCase fields, `EventType` as an integer, `EventId` -1 unless the event schedules a task.
 */

export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
  GenericEvent: 17,
  HistoryState: 18,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
} as const;

export type EventTypeCode = (typeof EventType)[keyof typeof EventType];

const eventTypeNames = new Map<number, string>(Object.entries(EventType).map(([name, code]) => [code, name]));

/** `5` → `"TaskCompleted"` (the Durable HTTP API shows event types by name). */
export function eventTypeName(code: number): string {
  return eventTypeNames.get(code) ?? `Unknown${code}`;
}

/** One history event. Extra fields depend on the type (`Name`, `Input`, `Result`, `TaskScheduledId`, ...). */
export interface HistoryEvent {
  EventType: EventTypeCode;
  EventId: number;
  Timestamp: string;
  IsPlayed?: boolean;
  [field: string]: unknown;
}

/** The failure shape the SDK turns into a TaskFailedError (optional; Reason/Details always present). */
export interface FailureDetails {
  ErrorType: string;
  ErrorMessage: string;
  StackTrace?: string;
  IsNonRetriable?: boolean;
  Properties?: Record<string, unknown>;
}

export interface TaskFailure {
  Reason: string;
  Details: string;
  FailureDetails?: FailureDetails;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

function base(type: EventTypeCode, at: number, eventId = -1): HistoryEvent {
  return { EventType: type, EventId: eventId, Timestamp: isoTime(at) };
}

export const historyEvent = {
  orchestratorStarted: (at: number): HistoryEvent => base(EventType.OrchestratorStarted, at),
  orchestratorCompleted: (at: number): HistoryEvent => base(EventType.OrchestratorCompleted, at),
  executionStarted: (
    at: number,
    fields: {
      name: string;
      input: string | null;
      instanceId: string;
      executionId: string;
      version?: string | null;
      parent?: { instanceId: string; executionId: string; name: string; taskId: number } | null;
    },
  ): HistoryEvent => ({
    ...base(EventType.ExecutionStarted, at),
    Name: fields.name,
    Input: fields.input,
    Version: fields.version ?? '',
    OrchestrationInstance: { InstanceId: fields.instanceId, ExecutionId: fields.executionId },
    ParentInstance: fields.parent
      ? {
          Name: fields.parent.name,
          TaskScheduleId: fields.parent.taskId,
          OrchestrationInstance: {
            InstanceId: fields.parent.instanceId,
            ExecutionId: fields.parent.executionId,
          },
        }
      : null,
  }),
  executionCompleted: (
    at: number,
    status: 'Completed' | 'Failed' | 'Terminated',
    result: string | null,
    failureDetails?: FailureDetails,
  ): HistoryEvent => ({
    ...base(EventType.ExecutionCompleted, at),
    OrchestrationStatus: status,
    Result: result,
    ...(failureDetails ? { FailureDetails: failureDetails } : {}),
  }),
  executionTerminated: (at: number, reason: string | null): HistoryEvent => ({
    ...base(EventType.ExecutionTerminated, at),
    Input: reason,
  }),
  taskScheduled: (at: number, taskId: number, name: string, input: string | null): HistoryEvent => ({
    ...base(EventType.TaskScheduled, at, taskId),
    Name: name,
    Input: input,
  }),
  taskCompleted: (at: number, taskId: number, result: string): HistoryEvent => ({
    ...base(EventType.TaskCompleted, at),
    TaskScheduledId: taskId,
    Result: result,
  }),
  taskFailed: (at: number, taskId: number, failure: TaskFailure): HistoryEvent => ({
    ...base(EventType.TaskFailed, at),
    TaskScheduledId: taskId,
    ...failure,
  }),
  subOrchestrationCreated: (
    at: number,
    taskId: number,
    name: string,
    instanceId: string,
    input: string | null,
  ): HistoryEvent => ({
    ...base(EventType.SubOrchestrationInstanceCreated, at, taskId),
    Name: name,
    InstanceId: instanceId,
    Input: input,
  }),
  subOrchestrationCompleted: (at: number, taskId: number, result: string): HistoryEvent => ({
    ...base(EventType.SubOrchestrationInstanceCompleted, at),
    TaskScheduledId: taskId,
    Result: result,
  }),
  subOrchestrationFailed: (at: number, taskId: number, failure: TaskFailure): HistoryEvent => ({
    ...base(EventType.SubOrchestrationInstanceFailed, at),
    TaskScheduledId: taskId,
    ...failure,
  }),
  timerCreated: (at: number, taskId: number, fireAt: number): HistoryEvent => ({
    ...base(EventType.TimerCreated, at, taskId),
    FireAt: isoTime(fireAt),
  }),
  timerFired: (at: number, taskId: number, fireAt: number): HistoryEvent => ({
    ...base(EventType.TimerFired, at),
    TimerId: taskId,
    FireAt: isoTime(fireAt),
  }),
  executionSuspended: (at: number, reason: string | null): HistoryEvent => ({
    ...base(EventType.ExecutionSuspended, at),
    Reason: reason,
  }),
  executionResumed: (at: number, reason: string | null): HistoryEvent => ({
    ...base(EventType.ExecutionResumed, at),
    Reason: reason,
  }),
  eventRaised: (at: number, name: string, input: string | null): HistoryEvent => ({
    ...base(EventType.EventRaised, at),
    Name: name,
    Input: input,
  }),
};
