/**
 * An orchestration's history (the Durable HTTP API's `historyEvents`) as a timeline people can read.
 * Accepts both shapes in use: Azure's (EventType names, TaskCompleted already carrying FunctionName
 * and ScheduledTime, TaskScheduled removed) and the raw history (numeric EventType, EventId /
 * TaskScheduledId pairs), so the same page works against Azure and the local runtime.
 */

import { formatInstant } from './time.js';

export type TimelineKind = 'orchestration' | 'activity' | 'timer' | 'event' | 'suborchestration';
export type TimelineOutcome = 'info' | 'success' | 'failure' | 'pending';

export interface TimelineEntry {
  /** ISO instant the entry happened (for a completed task: when it completed). */
  at: string;
  kind: TimelineKind;
  outcome: TimelineOutcome;
  /** One line, e.g. "Activity reserveFunds completed". */
  title: string;
  /** Input, result, reason: already text, at most a few hundred characters. */
  detail?: string;
  /** How long a task took from scheduling to completion, when both ends are known. */
  durationMs?: number;
}

/** The durable task framework's EventType numbers (DurableTask.Core `EventType`). */
const EVENT_TYPE_NAMES: Record<number, string> = {
  0: 'ExecutionStarted',
  1: 'ExecutionCompleted',
  2: 'ExecutionFailed',
  3: 'ExecutionTerminated',
  4: 'TaskScheduled',
  5: 'TaskCompleted',
  6: 'TaskFailed',
  7: 'SubOrchestrationInstanceCreated',
  8: 'SubOrchestrationInstanceCompleted',
  9: 'SubOrchestrationInstanceFailed',
  10: 'TimerCreated',
  11: 'TimerFired',
  12: 'OrchestratorStarted',
  13: 'OrchestratorCompleted',
  14: 'EventSent',
  15: 'EventRaised',
  16: 'ContinueAsNew',
  17: 'GenericEvent',
  18: 'HistoryState',
  19: 'ExecutionSuspended',
  20: 'ExecutionResumed',
};

const MAX_DETAIL = 400;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Json = Record<string, unknown>;

/** Reads a field in PascalCase (Azure) or camelCase (some clients re-serialise). */
function get(event: Json, key: string): unknown {
  return event[key] ?? event[key.charAt(0).toLowerCase() + key.slice(1)];
}

function getString(event: Json, key: string): string | undefined {
  const value = get(event, key);
  return typeof value === 'string' ? value : undefined;
}

function getNumber(event: Json, key: string): number | undefined {
  const value = get(event, key);
  return typeof value === 'number' ? value : undefined;
}

export function eventTypeName(event: Json): string {
  const type = get(event, 'EventType');
  if (typeof type === 'number') return EVENT_TYPE_NAMES[type] ?? `Event ${type}`;
  return typeof type === 'string' ? type : 'Unknown';
}

/** A payload as short text: JSON strings are unwrapped and re-printed compactly, long text is cut. */
export function payloadText(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let shown: string;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      shown = typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
    } catch {
      shown = value;
    }
  } else {
    shown = JSON.stringify(value);
  }
  return shown.length > MAX_DETAIL ? `${shown.slice(0, MAX_DETAIL - 1)}…` : shown;
}

/** Joins the parts that are present with single spaces. */
function words(...parts: Array<string | undefined>): string {
  return parts.filter((part) => part !== undefined && part !== '').join(' ');
}

function duration(fromIso: string | undefined, toIso: string): number | undefined {
  if (!fromIso) return undefined;
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  return Number.isNaN(from) || Number.isNaN(to) || to < from ? undefined : to - from;
}

function entry(fields: TimelineEntry): TimelineEntry {
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined),
  ) as unknown as TimelineEntry;
}

/** The id a completion refers back to: EventId, or TimerId on a TimerCreated shown without EventId. */
function scheduleId(event: Json): number | undefined {
  const id =
    getNumber(event, 'EventId') ??
    (eventTypeName(event) === 'TimerCreated' ? getNumber(event, 'TimerId') : undefined);
  return id === undefined || id < 0 ? undefined : id;
}

interface Scheduled {
  name?: string;
  at: string;
  answered: boolean;
}

/**
 * Builds the timeline, oldest first. Scheduling events are folded into their completions (one line
 * per activity or timer); the ones still unanswered show as pending. Orchestrator episode markers
 * (OrchestratorStarted/Completed) are left out: they are replay bookkeeping, not steps.
 *
 * @example
 * toTimeline([{ EventType: 'ExecutionStarted', Name: 'transferProcess', Timestamp: '2026-01-01T00:00:00Z' }]);
 * // [{ at: '2026-01-01T00:00:00Z', kind: 'orchestration', outcome: 'info', title: 'Orchestration transferProcess started' }]
 */
export function toTimeline(historyEvents: readonly unknown[]): TimelineEntry[] {
  const events = historyEvents.filter(
    (e): e is Json => typeof e === 'object' && e !== null && !Array.isArray(e),
  );
  const tasks = new Map<number, Scheduled>();
  const timers = new Map<number, Scheduled>();
  const subOrchestrations = new Map<number, Scheduled>();
  for (const event of events) {
    const id = scheduleId(event);
    const at = getString(event, 'Timestamp') ?? '';
    if (id === undefined) continue;
    const type = eventTypeName(event);
    if (type === 'TaskScheduled') tasks.set(id, { name: getString(event, 'Name'), at, answered: false });
    if (type === 'TimerCreated') timers.set(id, { name: getString(event, 'FireAt'), at, answered: false });
    if (type === 'SubOrchestrationInstanceCreated')
      subOrchestrations.set(id, { name: getString(event, 'Name'), at, answered: false });
  }
  const answer = (map: Map<number, Scheduled>, event: Json): Scheduled | undefined => {
    const ref = getNumber(event, 'TaskScheduledId') ?? getNumber(event, 'TimerId');
    const scheduled = ref === undefined ? undefined : map.get(ref);
    if (scheduled) scheduled.answered = true;
    return scheduled;
  };

  // Each entry keeps the position of the history event it comes from, to order equal instants.
  const placed: Array<{ item: TimelineEntry; order: number }> = [];
  let order = 0;
  const place = (item: TimelineEntry): void => void placed.push({ item, order });
  const finished = events.some((e) =>
    ['ExecutionCompleted', 'ExecutionFailed', 'ExecutionTerminated', 'ContinueAsNew'].includes(
      eventTypeName(e),
    ),
  );
  for (const [index, event] of events.entries()) {
    order = index;
    const type = eventTypeName(event);
    const at = getString(event, 'Timestamp') ?? '';
    const name = getString(event, 'FunctionName') ?? getString(event, 'Name');
    switch (type) {
      case 'ExecutionStarted':
        place(
          entry({
            at,
            kind: 'orchestration',
            outcome: 'info',
            title: words('Orchestration', name, 'started'),
            detail: payloadText(get(event, 'Input')),
          }),
        );
        break;
      case 'ExecutionCompleted': {
        const status = getString(event, 'OrchestrationStatus') ?? 'Completed';
        const failed = status !== 'Completed';
        place(
          entry({
            at,
            kind: 'orchestration',
            outcome: failed ? 'failure' : 'success',
            title: `Orchestration ${failed ? status.toLowerCase() : 'completed'}`,
            detail: payloadText(get(event, 'Result') ?? get(event, 'FailureDetails')),
          }),
        );
        break;
      }
      case 'ExecutionFailed':
        place(
          entry({
            at,
            kind: 'orchestration',
            outcome: 'failure',
            title: 'Orchestration failed',
            detail: payloadText(get(event, 'Reason') ?? get(event, 'Details')),
          }),
        );
        break;
      case 'ExecutionTerminated':
        // The request; the ExecutionCompleted with status Terminated that follows is the end itself.
        place(
          entry({
            at,
            kind: 'orchestration',
            outcome: 'failure',
            title: 'Termination requested',
            detail: payloadText(get(event, 'Input') ?? get(event, 'Reason')),
          }),
        );
        break;
      case 'ExecutionSuspended':
      case 'ExecutionResumed':
        place(
          entry({
            at,
            kind: 'orchestration',
            outcome: 'info',
            title: `Orchestration ${type === 'ExecutionSuspended' ? 'suspended' : 'resumed'}`,
            detail: payloadText(get(event, 'Reason') ?? get(event, 'Input')),
          }),
        );
        break;
      case 'ContinueAsNew':
        place(
          entry({
            at,
            kind: 'orchestration',
            outcome: 'info',
            title: 'Orchestration continued as new',
            detail: payloadText(get(event, 'Result') ?? get(event, 'Input')),
          }),
        );
        break;
      case 'TaskCompleted':
      case 'TaskFailed': {
        const scheduled = answer(tasks, event);
        const fn = getString(event, 'FunctionName') ?? scheduled?.name ?? 'activity';
        const failed = type === 'TaskFailed';
        const scheduledAt = getString(event, 'ScheduledTime') ?? scheduled?.at;
        place(
          entry({
            at,
            kind: 'activity',
            outcome: failed ? 'failure' : 'success',
            title: `Activity ${fn} ${failed ? 'failed' : 'completed'}`,
            detail: failed
              ? payloadText(get(event, 'Reason') ?? get(event, 'Details'))
              : payloadText(get(event, 'Result')),
            durationMs: duration(scheduledAt, at),
          }),
        );
        break;
      }
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed': {
        const scheduled = answer(subOrchestrations, event);
        const failed = type === 'SubOrchestrationInstanceFailed';
        place(
          entry({
            at,
            kind: 'suborchestration',
            outcome: failed ? 'failure' : 'success',
            title: words(
              'Sub-orchestration',
              getString(event, 'FunctionName') ?? scheduled?.name,
              failed ? 'failed' : 'completed',
            ),
            detail: payloadText(
              failed ? (get(event, 'Reason') ?? get(event, 'Details')) : get(event, 'Result'),
            ),
            durationMs: duration(getString(event, 'ScheduledTime') ?? scheduled?.at, at),
          }),
        );
        break;
      }
      case 'TimerFired': {
        const scheduled = answer(timers, event);
        const fireAt = getString(event, 'FireAt') ?? scheduled?.name;
        place(
          entry({
            at,
            kind: 'timer',
            outcome: 'info',
            title: 'Timer fired',
            detail: fireAt ? `due ${formatInstant(fireAt)}` : undefined,
          }),
        );
        break;
      }
      case 'EventRaised': {
        // Entity replies arrive as events named by the request's GUID.
        const isEntityReply = name !== undefined && GUID.test(name);
        place(
          entry({
            at,
            kind: 'event',
            outcome: 'info',
            title: isEntityReply ? 'Entity replied' : words('Event', name, 'received'),
            detail: payloadText(get(event, 'Input')),
          }),
        );
        break;
      }
      case 'EventSent': {
        const target = getString(event, 'InstanceId');
        place(
          entry({
            at,
            kind: 'event',
            outcome: 'info',
            title: `Sent ${name ?? 'event'}${target ? ` to ${target}` : ''}`,
            detail: payloadText(get(event, 'Input')),
          }),
        );
        break;
      }
      default:
        break;
    }
  }
  // What was scheduled but has no answer is still running or waiting; once the orchestration has
  // ended, an unanswered timer is one it cancelled (cancellation is not recorded in the history).
  for (const [index, event] of events.entries()) {
    order = index;
    const id = scheduleId(event);
    if (id === undefined) continue;
    const type = eventTypeName(event);
    const at = getString(event, 'Timestamp') ?? '';
    if (type === 'TaskScheduled' && tasks.get(id)?.answered === false) {
      place(
        entry({
          at,
          kind: 'activity',
          outcome: finished ? 'info' : 'pending',
          title: words('Activity', getString(event, 'Name'), 'scheduled'),
          detail: payloadText(get(event, 'Input')),
        }),
      );
    }
    if (type === 'TimerCreated' && timers.get(id)?.answered === false) {
      const fireAt = getString(event, 'FireAt');
      const due = fireAt ? `due ${formatInstant(fireAt)}` : undefined;
      place(
        entry({
          at,
          kind: 'timer',
          outcome: finished ? 'info' : 'pending',
          title: finished ? 'Timer cancelled' : 'Timer waiting',
          detail: due,
        }),
      );
    }
    if (type === 'SubOrchestrationInstanceCreated' && subOrchestrations.get(id)?.answered === false) {
      place(
        entry({
          at,
          kind: 'suborchestration',
          outcome: finished ? 'info' : 'pending',
          title: words('Sub-orchestration', getString(event, 'Name'), 'started'),
          detail: getString(event, 'InstanceId'),
        }),
      );
    }
  }
  return placed
    .sort((a, b) => (Date.parse(a.item.at) || 0) - (Date.parse(b.item.at) || 0) || a.order - b.order)
    .map(({ item }) => item);
}

/** "350 ms", "4.2 s", "3 min 05 s" — task durations in the timeline. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  if (minutes < 60) return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
