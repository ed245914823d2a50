/**
 * The one way Cardflow changes state, used by the command handler and by every activity (the shape
 * of Emmett's CommandHandler): read the stream and check every stored event against the domain's
 * schemas, fold it, read the accounts the decision names, decide, and append the accepted events at
 * the version read. On a version conflict someone else appended first: read and decide again.
 *
 * Event ids are deterministic (`{commandId}:{n}`, `{transferId}:reserve`, ...), so a command or an
 * activity run twice appends once: the decider sees its own earlier event and decides nothing, and
 * the store ignores a re-sent id.
 *
 * @example
 * const { decision } = await handleCommand(events, commandTarget(command), {
 *   metadata: { correlationId, causationId: commandId, occurredAt },
 *   idPrefix: commandId,
 * });
 */
import { attr, inSpan, SpanKind } from '../telemetry';
import {
  accountDecider,
  accountStreamId,
  DomainEventSchema,
  envelopeAll,
  type AccountState,
  type CommandTarget,
  type Decision,
  type DomainEvent,
  type EventEnvelope,
  type EventMetadata,
  type StreamFold,
} from '../domain';
import { isStoreError } from './errors';
import type { EventStore } from './ports';

/** Concurrent writers of one stream (e.g. 20 transfers from one account) each win within this many rounds. */
export const MAX_CONFLICT_RETRIES = 50;

/** A stream whose stored events are not valid domain events: a failure to retry and then surface, never a rejection. */
export class CorruptStreamError extends Error {
  override readonly name = 'CorruptStreamError';
}

export interface LoadedStream<S> {
  readonly state: S;
  /** The stream's events as read, oldest first, each checked against its schema. */
  readonly history: readonly EventEnvelope[];
  /** The stream's version when read (0 for a stream with no events). */
  readonly version: number;
}

export interface Decided<S, E> extends LoadedStream<S> {
  /** The decision taken on `state` (the state the events were appended to, or found already there). */
  readonly decision: Decision<E>;
}

export interface Handled<S, E> extends Decided<S, E> {
  /** How many events this call appended (0 for a rejection, a no-op repeat, or ids already stored). */
  readonly appended: number;
}

export interface AppendOptions {
  readonly metadata: EventMetadata;
  /** One id per decided event, in order (activities: `{transferId}:reserve`, ...). */
  readonly ids?: readonly string[];
  /** Otherwise ids are `{idPrefix}:{index}` (the command handler: the command id). */
  readonly idPrefix?: string;
}

/**
 * Whether the stream already holds an effect of this command: an event it appended (id
 * `{commandId}:{n}`, or `metadata.commandId`). Such a command has succeeded, whatever its decider
 * says of the state since (a load replayed after the account closed, a transfer request replayed
 * after its source closed): a retried command reports what really happened.
 */
export function recordsCommand(history: readonly EventEnvelope[], commandId: string): boolean {
  return history.some(
    (event) =>
      event.id.startsWith(`${commandId}:`) ||
      (event.metadata as { commandId?: unknown } | undefined)?.commandId === commandId,
  );
}

/** Reads and folds a stream without writing; every stored event must be a valid domain event. */
export async function loadStream<S, E extends DomainEvent>(
  store: EventStore,
  streamId: string,
  fold: StreamFold<S, E>,
): Promise<LoadedStream<S>> {
  const history = await store.readStream(streamId);
  let state = fold.initialState;
  for (const envelope of history) {
    const parsed = DomainEventSchema.safeParse({ type: envelope.type, data: envelope.data });
    if (!parsed.success)
      throw new CorruptStreamError(
        `event ${envelope.id} (version ${envelope.version}) of ${streamId} is not a valid ${envelope.type}`,
      );
    state = fold.evolve(state, parsed.data as E);
  }
  return { state, history, version: history.length === 0 ? 0 : history[history.length - 1].version };
}

/** Reads the target's stream and the accounts it names, and decides; appends nothing. */
export async function decideOn<S, E extends DomainEvent>(
  store: EventStore,
  target: CommandTarget<S, E>,
): Promise<Decided<S, E>> {
  const stream = await loadStream(store, target.streamId, target.fold);
  const accounts: Record<string, AccountState> = {};
  for (const accountId of target.accounts?.(stream.state) ?? []) {
    accounts[accountId] = (await loadStream(store, accountStreamId(accountId), accountDecider)).state;
  }
  return { ...stream, decision: target.decide(stream.state, accounts) };
}

/**
 * Decides on the target's stream and appends what was decided with the stream's version as the
 * expected version. Retries on `stream_version_conflict` up to {@link MAX_CONFLICT_RETRIES} times;
 * any other store error, and a {@link CorruptStreamError}, propagates to the caller's retry policy.
 * A rejection is a value (`decision.ok === false`), never an error.
 */
export async function handleCommand<S, E extends DomainEvent>(
  store: EventStore,
  target: CommandTarget<S, E>,
  options: AppendOptions,
): Promise<Handled<S, E>> {
  for (let attempt = 1; ; attempt++) {
    const decided = await decideOn(store, target);
    const { decision, version } = decided;
    if (!decision.ok || decision.events.length === 0) return { ...decided, appended: 0 };
    if (options.ids && decision.events.length > options.ids.length)
      throw new Error(
        `${target.streamId}: ${decision.events.length} events decided but only ${options.ids.length} ids given`,
      );
    const envelopes = envelopeAll(decision.events, {
      streamId: target.streamId,
      expectedVersion: version,
      metadata: options.metadata,
      idPrefix: options.idPrefix ?? target.streamId,
      ...(options.ids ? { ids: options.ids } : {}),
    });
    try {
      const after = await inSpan(
        `append ${target.streamId}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            [attr.COMPONENT]: 'event store',
            [attr.STREAM_ID]: target.streamId,
            [attr.STREAM_VERSION]: version + envelopes.length,
            [attr.EVENT_TYPES]: envelopes.map((envelope) => envelope.type),
            'cardflow.append.attempt': attempt,
          },
        },
        () => store.append(target.streamId, version, envelopes as EventEnvelope[]),
      );
      // The store answers the current version without appending when every id is already there.
      return { ...decided, appended: after - version === envelopes.length ? envelopes.length : 0 };
    } catch (error) {
      if (!isStoreError(error, 'stream_version_conflict') || attempt >= MAX_CONFLICT_RETRIES) throw error;
    }
  }
}
