/**
 * Decide-and-append on one event stream, the way every activity writes: read the stream, fold it,
 * decide, append at the version read (optimistic concurrency), and on a version conflict start over
 * from a fresh read. Event ids are deterministic (`{transferId}:reserve`, ...), so an activity that
 * runs twice appends once: the decider sees its own earlier event and decides nothing, and the
 * store ignores a re-sent id.
 */
import {
  envelopeAll,
  fromEnvelope,
  type DomainEvent,
  type EventEnvelope,
  type EventMetadata,
  type Decision,
} from '../domain';
import { isStoreError, type EventStore } from '../stores';
import type { ActivityContext } from './contracts';

/** Concurrent writers of one stream (e.g. 20 transfers from one account) each win within this many rounds. */
const MAX_ATTEMPTS = 50;

export interface Fold<S, E> {
  readonly initialState: S;
  evolve(state: S, event: E): S;
}

export interface Appendage<S, E> {
  /** The decision taken on the state the events were appended to (or found to be already there). */
  readonly decision: Decision<E>;
  readonly state: S;
  /** The stream's events as read for the decision, oldest first. */
  readonly history: readonly EventEnvelope[];
  /** How many events this call appended. */
  readonly appended: number;
}

export function metadataOf(context: ActivityContext): EventMetadata {
  return { correlationId: context.correlationId, causationId: context.causationId, occurredAt: context.at };
}

/**
 * Folds `streamId`, applies `decide`, and appends the accepted events under `ids` (one id per event,
 * in order). Retries on `stream_version_conflict`; any other store error propagates (the activity
 * fails and the orchestrator's retry policy takes over).
 */
export async function decideAndAppend<S, E extends DomainEvent>(
  store: EventStore,
  streamId: string,
  fold: Fold<S, E>,
  decide: (state: S, history: readonly EventEnvelope[]) => Decision<E>,
  options: { ids: readonly string[]; metadata: EventMetadata },
): Promise<Appendage<S, E>> {
  for (let attempt = 1; ; attempt++) {
    const history = await store.readStream(streamId);
    const state = history.reduce(
      (s, envelope) => fold.evolve(s, fromEnvelope(envelope) as E),
      fold.initialState,
    );
    const decision = decide(state, history);
    if (!decision.ok || decision.events.length === 0) return { decision, state, history, appended: 0 };
    if (decision.events.length > options.ids.length) {
      throw new Error(
        `${streamId}: ${decision.events.length} events decided but only ${options.ids.length} ids given`,
      );
    }
    const expectedVersion = history.length === 0 ? 0 : history[history.length - 1].version;
    const envelopes = envelopeAll(decision.events, {
      streamId,
      expectedVersion,
      metadata: options.metadata,
      idPrefix: streamId,
      ids: options.ids,
    });
    try {
      const before = expectedVersion;
      const after = await store.append(streamId, expectedVersion, envelopes);
      return {
        decision,
        state,
        history,
        appended: after - before === envelopes.length ? envelopes.length : 0,
      };
    } catch (error) {
      if (!isStoreError(error, 'stream_version_conflict') || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** Folds a stream without writing. */
export async function readState<S, E extends DomainEvent>(
  store: EventStore,
  streamId: string,
  fold: Fold<S, E>,
): Promise<{ state: S; history: EventEnvelope[] }> {
  const history = await store.readStream(streamId);
  return {
    state: history.reduce((s, envelope) => fold.evolve(s, fromEnvelope(envelope) as E), fold.initialState),
    history,
  };
}
