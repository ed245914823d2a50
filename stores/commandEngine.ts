/**
 * The one way Cardflow changes state, used by the command handler and by every activity (the shape
 * of Emmett's CommandHandler): read the stream and check every stored event against the domain's
 * schemas, fold it, read the accounts the decision names, decide, and append the accepted events at
 * the version read. On a version conflict someone else appended first: read and decide again.
 *
 * Streams whose decider has a snapshot format (accounts) are not read whole: the fold starts from
 * the state this process last saw of the stream, or else from the stored snapshot
 * (`snapshots.ts`), and takes only the events after it; the event at the start's version is read
 * too and must carry the id the state was taken at, or the start is ignored and the stream
 * replayed. A snapshot is stored every {@link snapshotInterval} events. The append stays
 * optimistic on the version read, so a stale start only costs a conflict and another round.
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
  type SnapshotFormat,
  type StreamFold,
} from '../domain';
import { isStoreError } from './errors';
import type { EventStore } from './ports';
import { forgetState, knownState, rememberState, shortcutsOf, type KnownState } from './snapshots';

/** Concurrent writers of one stream (e.g. 20 transfers from one account) each win within this many rounds. */
export const MAX_CONFLICT_RETRIES = 50;

/** The fewest events folded past the last snapshot before another is stored. */
export const SNAPSHOT_INTERVAL = 200;

/**
 * Events between snapshots of a stream at `version`: at least {@link SNAPSHOT_INTERVAL}, and a
 * tenth of the stream, so storing a snapshot (its cost grows with the state) costs O(1) per event
 * however long the stream, and a new process folds at most a tenth of it after the snapshot.
 */
export function snapshotInterval(version: number): number {
  return Math.max(SNAPSHOT_INTERVAL, Math.floor(version / 10));
}

/** A stream whose stored events are not valid domain events: a failure to retry and then surface, never a rejection. */
export class CorruptStreamError extends Error {
  override readonly name = 'CorruptStreamError';
}

export interface LoadedStream<S> {
  readonly streamId: string;
  readonly state: S;
  /**
   * The events folded, oldest first, each checked against its schema: those after
   * `snapshotVersion`, so the whole stream only when that is 0 (always, for streams without a
   * snapshot format, e.g. transfers). {@link readBack} and {@link commandRecorded} look further.
   */
  readonly history: readonly EventEnvelope[];
  /** The version the fold started from: 0 for the whole stream, else a snapshot's (or this process's last look). */
  readonly snapshotVersion: number;
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
 * Whether these events hold an effect of this command: an event it appended (id
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

/**
 * {@link recordsCommand} over the whole stream: the events loaded and, when the load started from
 * a snapshot, the events before it (read only then: for a rejected command, the rare case).
 */
export async function commandRecorded(
  store: EventStore,
  stream: LoadedStream<unknown>,
  commandId: string,
): Promise<boolean> {
  if (recordsCommand(stream.history, commandId)) return true;
  if (stream.snapshotVersion === 0) return false;
  const before = await store.readStream(stream.streamId);
  return recordsCommand(before.slice(0, stream.snapshotVersion), commandId);
}

/** Events read back at a time by point reads: what `readBack` may read past what it needed. */
const READ_BACK_PAGE = 64;

/**
 * The latest events of the stream, read back from its end until `enough(events)` or the stream's
 * start: for rules that look at a recent window of a long stream (the outflow window). With a tail
 * reader, in pages of 64 events each read once, by id; without, each page (64, 128, 256 ...
 * events) is a query from its first version (the reads add up to at most twice what is returned).
 */
export async function readBack(
  store: EventStore,
  stream: LoadedStream<unknown>,
  enough: (events: readonly EventEnvelope[]) => boolean,
): Promise<EventEnvelope[]> {
  const tail = shortcutsOf(store)?.tail;
  if (stream.snapshotVersion === 0 || !tail) {
    // The whole stream was read (only what was appended since is missing), or can only be queried.
    if (stream.snapshotVersion === 0)
      return [...stream.history, ...(await store.readStream(stream.streamId, stream.version + 1))];
    for (let page = 64; ; page *= 2) {
      const from = Math.max(1, stream.version + 1 - page);
      const events = await store.readStream(stream.streamId, from);
      if (from === 1 || enough(events)) return events;
    }
  }
  // By point reads, each event once: what was appended after the load, then pages further back.
  let events = [...stream.history, ...(await tail.readFrom(stream.streamId, stream.version + 1))];
  let from = stream.snapshotVersion + 1;
  while (from > 1 && !enough(events)) {
    const older = Math.max(1, from - READ_BACK_PAGE);
    events = [...(await tail.readRange(stream.streamId, older, from - 1)), ...events];
    from = older;
  }
  return events;
}

function checked<E extends DomainEvent>(streamId: string, envelope: EventEnvelope): E {
  const parsed = DomainEventSchema.safeParse({ type: envelope.type, data: envelope.data });
  if (!parsed.success)
    throw new CorruptStreamError(
      `event ${envelope.id} (version ${envelope.version}) of ${streamId} is not a valid ${envelope.type}`,
    );
  return parsed.data as E;
}

function foldChecked<S, E extends DomainEvent>(
  streamId: string,
  fold: StreamFold<S, E>,
  from: S,
  events: readonly EventEnvelope[],
): S {
  let state = from;
  for (const envelope of events) state = fold.evolve(state, checked<E>(streamId, envelope));
  return state;
}

/** Reads and folds a stream without writing; every stored event must be a valid domain event. */
export async function loadStream<S, E extends DomainEvent>(
  store: EventStore,
  streamId: string,
  fold: StreamFold<S, E>,
): Promise<LoadedStream<S>> {
  const format = fold.snapshot;
  if (!format) return replay(store, streamId, fold);
  const start = await startOf(store, streamId, format);
  if (start) {
    const tail = shortcutsOf(store)?.tail;
    const read = tail
      ? await tail.readFrom(streamId, start.version)
      : await store.readStream(streamId, start.version);
    // The event at the start's version must be the one the state includes; else the start is of
    // another past of this stream id (a store wiped and refilled, a test's reset) and is not used.
    if (read[0]?.version === start.version && read[0].id === start.lastEventId) {
      const history = read.slice(1);
      const loaded: LoadedStream<S> = {
        streamId,
        state: foldChecked(streamId, fold, start.state, history),
        history,
        snapshotVersion: start.version,
        version: start.version + history.length,
      };
      await keep(store, loaded, read[read.length - 1].id, format, start.stored);
      return loaded;
    }
    forgetState(store, streamId);
  }
  const loaded = await replay(store, streamId, fold);
  const last = loaded.history[loaded.history.length - 1];
  if (last) await keep(store, loaded, last.id, format, 0);
  return loaded;
}

async function replay<S, E extends DomainEvent>(
  store: EventStore,
  streamId: string,
  fold: StreamFold<S, E>,
): Promise<LoadedStream<S>> {
  const history = await store.readStream(streamId);
  return {
    streamId,
    state: foldChecked(streamId, fold, fold.initialState, history),
    history,
    snapshotVersion: 0,
    version: history.length === 0 ? 0 : history[history.length - 1].version,
  };
}

/** Where a fold may start: this process's last look at the stream, else its stored snapshot. */
async function startOf<S>(
  store: EventStore,
  streamId: string,
  format: SnapshotFormat<S>,
): Promise<KnownState<S> | undefined> {
  const known = knownState(store, streamId, format.format);
  if (known) return known as KnownState<S>;
  const snapshots = shortcutsOf(store)?.snapshots;
  if (!snapshots) return undefined;
  try {
    const snapshot = await snapshots.read(streamId, format.format);
    const state = snapshot && snapshot.version > 0 ? format.decode(snapshot.state) : undefined;
    if (!snapshot || state === undefined) return undefined;
    const { version, lastEventId } = snapshot;
    return { format: format.format, version, lastEventId, state, stored: version };
  } catch {
    return undefined; // A snapshot is a shortcut: when it cannot be read, the stream still can.
  }
}

/** Remembers the loaded state, and stores a snapshot of it once enough events were folded since the last. */
async function keep<S>(
  store: EventStore,
  loaded: LoadedStream<S>,
  lastEventId: string,
  format: SnapshotFormat<S>,
  stored: number,
): Promise<void> {
  const snapshots = shortcutsOf(store)?.snapshots;
  let storedNow = stored;
  if (snapshots && loaded.version - stored >= snapshotInterval(stored)) {
    try {
      const state = format.encode(loaded.state);
      await snapshots.write(loaded.streamId, {
        format: format.format,
        version: loaded.version,
        lastEventId,
        state,
      });
      storedNow = loaded.version;
    } catch {
      // Not stored this time (store busy, document refused): the next load tries again.
    }
  }
  const { streamId, version, state } = loaded;
  rememberState(store, streamId, { format: format.format, version, lastEventId, state, stored: storedNow });
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
      const appended = after - version === envelopes.length ? envelopes.length : 0;
      if (appended > 0) rememberAppended(store, target, decided, envelopes as EventEnvelope[]);
      return { ...decided, appended };
    } catch (error) {
      if (!isStoreError(error, 'stream_version_conflict') || attempt >= MAX_CONFLICT_RETRIES) throw error;
    }
  }
}

/** After an append: the state with the appended events, so the next load reads nothing before them. */
function rememberAppended<S, E extends DomainEvent>(
  store: EventStore,
  target: CommandTarget<S, E>,
  decided: Decided<S, E>,
  appended: readonly EventEnvelope[],
): void {
  const format = target.fold.snapshot;
  if (!format) return;
  const known = knownState(store, target.streamId, format.format);
  rememberState(store, target.streamId, {
    format: format.format,
    version: decided.version + appended.length,
    lastEventId: appended[appended.length - 1].id,
    state: foldChecked(target.streamId, target.fold, decided.state, appended),
    stored: known?.stored ?? 0,
  });
}
