/**
 * Orchestration episodes: an instance's new messages are delivered to a replay of its orchestrator
 * through the SDK, and the history, consumed messages, new work items, timers and child instances
 * commit in one transaction. Terminations, suspends and resumes act without running user code.
 */
import { Effects, interpretState, noEffects, Outcome, prepareEpisode, unconsumedEvents } from './episode';
import { orchestrationPayloadText, runOrchestrator } from './functionRunner';
import { EventType, historyEvent, HistoryEvent } from './historyEvents';
import { failureText, InstanceRecord, isTerminal } from './store';
import type { WorkContext } from './workContext';

/** Runs one episode of an instance (or the control message that comes first) and commits it. */
export async function runEpisode(work: WorkContext, instanceId: string): Promise<void> {
  const { store, clock, log, settings } = work;
  let messages = store.pendingMessages(instanceId);
  if (messages.length === 0) return;
  const instance = store.getInstance(instanceId);
  if (!instance || isTerminal(instance.status)) {
    store.deleteMessagesUpTo(instanceId, messages[messages.length - 1].seq);
    return;
  }
  const now = clock.now();
  const termination = messages.find(
    (m) =>
      m.event.EventType === EventType.ExecutionTerminated &&
      (m.executionId === null || m.executionId === instance.executionId),
  );
  if (termination) {
    commitTermination(work, instance, termination.event, messages[messages.length - 1].seq, now);
    return;
  }
  if (instance.status === 'Suspended') {
    // Only a resume moves a suspended instance; what arrived meanwhile stays queued for after it.
    const resume = messages.find((m) => m.event.EventType === EventType.ExecutionResumed);
    if (resume) commitControl(work, instance, resume.seq, resume.event, 'running', now);
    return;
  }
  const suspendAt = messages.findIndex((m) => m.event.EventType === EventType.ExecutionSuspended);
  if (suspendAt === 0) {
    commitControl(work, instance, messages[0].seq, messages[0].event, 'suspended', now);
    return;
  }
  // Messages queued before a suspend are still delivered; those after it wait for the resume.
  if (suspendAt > 0) messages = messages.slice(0, suspendAt);
  const consumedUpTo = messages[messages.length - 1].seq;
  const crashed = Math.max(...messages.map((m) => m.dequeueCount));
  if (crashed >= settings.maxCrashAttempts) {
    commitPoisonedEpisode(work, instance, consumedUpTo, crashed, now);
    return;
  }
  store.countEpisodeAttempt(instanceId, consumedUpTo);
  await work.durable();
  const incoming = messages
    .filter((m) => m.executionId === null || m.executionId === instance.executionId)
    .map((m) => m.event)
    .filter((e) => e.EventType !== EventType.ExecutionResumed);
  const book = instance.book;

  const prepared = prepareEpisode(book, incoming, { instanceId, now });
  if (prepared.events.length === 0) {
    store.deleteMessagesUpTo(instanceId, consumedUpTo);
    return;
  }
  const started = historyEvent.orchestratorStarted(now);
  const past = store.historyText(instanceId);
  const payload = orchestrationPayloadText({
    past,
    fresh: [started, ...prepared.events],
    input: instance.input,
    instanceId,
    parentInstanceId: instance.parentInstanceId,
  });
  const run = await runOrchestrator(work.invoke, instance.name, payload);
  if (work.isStopped()) return;

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
    log.warn(`Durable: orchestration '${instanceId}' (${instance.name}) failed: ${outcome.message}`);
  store.commitEpisode({
    instance,
    consumedUpTo,
    now,
    append,
    effects,
    outcome,
    customStatus,
    book,
    ...(outcome.kind === 'continuedAsNew' && settings.preserveUnprocessedEvents
      ? {
          carriedEvents: unconsumedEvents(book, [
            ...past.map((text) => ({ ...(JSON.parse(text) as HistoryEvent), IsPlayed: true })),
            ...prepared.events.map((e) => ({ ...e, IsPlayed: false })),
          ]),
        }
      : {}),
  });
  work.armTimerWake();
}

/** Fails an instance whose episodes kept crashing the worker instead of replaying it forever. */
function commitPoisonedEpisode(
  work: WorkContext,
  instance: InstanceRecord,
  consumedUpTo: number,
  crashed: number,
  now: number,
): void {
  const message = `Its episode crashed the worker ${crashed} times; the instance is failed as poisoned instead of being replayed again.`;
  work.log.error(`Durable: orchestration '${instance.instanceId}' (${instance.name}) failed: ${message}`);
  const details = { ErrorType: 'PoisonedWorkItem', ErrorMessage: message };
  work.store.commitEpisode({
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
  work.armTimerWake();
}

/** Suspends or resumes an instance: records the event in its history and changes its status. */
function commitControl(
  work: WorkContext,
  instance: InstanceRecord,
  seq: number,
  event: HistoryEvent,
  status: 'running' | 'suspended',
  now: number,
): void {
  work.store.commitEpisode({
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
function commitTermination(
  work: WorkContext,
  instance: InstanceRecord,
  termination: HistoryEvent,
  consumedUpTo: number,
  now: number,
): void {
  const reason = typeof termination.Input === 'string' ? termination.Input : null;
  work.store.commitEpisode({
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
  work.armTimerWake();
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
