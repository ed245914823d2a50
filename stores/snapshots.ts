/**
 * Snapshots of stream states, so the command engine folds only the events after one instead of a
 * whole long stream: the state as JSON with the version and the id of the last event it includes,
 * under the decider's format tag (docs/architecture.md, stores).
 *
 * Stored in the `views` container (nothing reads its change feed; a rebuild of the views deletes
 * them, which costs one replay each), partition `snapshot:{streamId}`: a head document `head`
 * (format, version, last event id, chunk count, length and SHA-256 of the JSON) and the JSON in
 * chunks `{version}.{n}` of at most 512 Ki characters, so a large account stays under Cosmos DB's
 * 2 MB per document. Chunks are written first, then the head, replacing the head it read (etag),
 * so of two racing writers one wins and the other deletes its chunks; then the chunks of the
 * previous head go. Reading checks everything it can: a missing or foreign-format head, a missing
 * chunk, a wrong length or digest, JSON that does not parse: no snapshot, and the stream is replayed.
 *
 * Beside the store, each event store has a small in-memory cache of the states it loaded (as of a
 * version, with that version's event id), so a process deciding on an account again reads only
 * the events after its last look.
 */
import { createHash } from 'node:crypto';
import { hasStatus, type DocumentContainer } from './container';
import type { EventStore, StoredEvent } from './ports';
import type { StreamTail } from './streamTail';

/** A state as of `version`, the version whose event id is `lastEventId`. */
export interface StreamSnapshot {
  readonly format: string;
  readonly version: number;
  readonly lastEventId: string;
  readonly state: unknown;
}

export interface SnapshotStore {
  /** The stream's snapshot in this format, or undefined (none, another format, or damaged). */
  read(streamId: string, format: string): Promise<StreamSnapshot | undefined>;
  /** Stores the snapshot unless a newer one is there; a writer that loses a race changes nothing. */
  write(streamId: string, snapshot: StreamSnapshot): Promise<void>;
}

interface SnapshotHead {
  id: 'head';
  pk: string;
  kind: 'snapshot';
  streamId: string;
  format: string;
  version: number;
  lastEventId: string;
  chunks: number;
  length: number;
  sha256: string;
}

interface SnapshotChunk {
  id: string;
  pk: string;
  kind: 'snapshot-chunk';
  version: number;
  index: number;
  text: string;
}

/** Characters per chunk: at most 1.5 MB of UTF-8 for characters of the BMP, under Cosmos DB's 2 MB. */
export const SNAPSHOT_CHUNK_CHARS = 512 * 1024;

export const snapshotPartition = (streamId: string): string => `snapshot:${streamId}`;
const chunkId = (version: number, index: number): string => `${version}.${index}`;
const digestOf = (text: string): string => createHash('sha256').update(text).digest('hex');

function isHead(document: unknown): document is SnapshotHead {
  const head = document as Partial<SnapshotHead> | undefined;
  return (
    head?.kind === 'snapshot' &&
    typeof head.format === 'string' &&
    Number.isSafeInteger(head.version) &&
    typeof head.lastEventId === 'string' &&
    Number.isSafeInteger(head.chunks) &&
    (head.chunks ?? 0) > 0 &&
    typeof head.length === 'number' &&
    typeof head.sha256 === 'string'
  );
}

export class ContainerSnapshotStore implements SnapshotStore {
  constructor(
    private readonly views: DocumentContainer,
    private readonly chunkChars: number = SNAPSHOT_CHUNK_CHARS,
  ) {}

  async read(streamId: string, format: string): Promise<StreamSnapshot | undefined> {
    const pk = snapshotPartition(streamId);
    const head = await this.views.read<SnapshotHead>('head', pk);
    if (!isHead(head) || head.format !== format || head.streamId !== streamId) return undefined;
    const chunks = await Promise.all(
      Array.from({ length: head.chunks }, (_, index) =>
        this.views.read<SnapshotChunk>(chunkId(head.version, index), pk),
      ),
    );
    if (chunks.some((chunk) => typeof chunk?.text !== 'string')) return undefined;
    const text = chunks.map((chunk) => chunk?.text).join('');
    if (text.length !== head.length || digestOf(text) !== head.sha256) return undefined;
    try {
      return { format, version: head.version, lastEventId: head.lastEventId, state: JSON.parse(text) };
    } catch {
      return undefined;
    }
  }

  async write(streamId: string, snapshot: StreamSnapshot): Promise<void> {
    const pk = snapshotPartition(streamId);
    const previous = await this.views.read<SnapshotHead>('head', pk);
    if (isHead(previous) && previous.format === snapshot.format && previous.version >= snapshot.version)
      return;
    const text = JSON.stringify(snapshot.state);
    const count = Math.max(1, Math.ceil(text.length / this.chunkChars));
    const ids = Array.from({ length: count }, (_, index) => chunkId(snapshot.version, index));
    for (const [index, id] of ids.entries()) {
      const piece = text.slice(index * this.chunkChars, (index + 1) * this.chunkChars);
      await this.views.upsert<SnapshotChunk>({
        id,
        pk,
        kind: 'snapshot-chunk',
        version: snapshot.version,
        index,
        text: piece,
      });
    }
    const head: SnapshotHead = {
      id: 'head',
      pk,
      kind: 'snapshot',
      streamId,
      format: snapshot.format,
      version: snapshot.version,
      lastEventId: snapshot.lastEventId,
      chunks: count,
      length: text.length,
      sha256: digestOf(text),
    };
    try {
      if (previous) await this.views.replace(head, previous._etag);
      else await this.views.create(head);
    } catch (error) {
      // Another writer replaced the head first: its snapshot stands, these chunks are litter.
      if (!hasStatus(error, 404, 409, 412)) throw error;
      await this.deleteChunks(pk, ids);
      return;
    }
    if (isHead(previous) && previous.version !== snapshot.version)
      await this.deleteChunks(
        pk,
        Array.from({ length: previous.chunks }, (_, index) => chunkId(previous.version, index)),
      );
  }

  private async deleteChunks(pk: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      try {
        await this.views.delete(id, pk);
      } catch (error) {
        if (!hasStatus(error, 404)) throw error;
      }
    }
  }
}

/** What a driver's factory sets beside its event store so the engine need not read whole streams. */
export interface StreamShortcuts {
  readonly snapshots: SnapshotStore;
  /** Tails by point reads (`streamTail.ts`); without it the engine uses `readStream(id, from)`. */
  readonly tail?: StreamTail;
}

const shortcutsByStore = new WeakMap<object, StreamShortcuts>();

/** Gives the engine snapshots (and a tail reader) for this event store; none: it replays streams. */
export function keepSnapshots<E extends StoredEvent>(
  events: EventStore<E>,
  shortcuts: StreamShortcuts,
): void {
  shortcutsByStore.set(events, shortcuts);
}

export function shortcutsOf<E extends StoredEvent>(events: EventStore<E>): StreamShortcuts | undefined {
  return shortcutsByStore.get(events);
}

/** A state this process loaded or appended to, and the version of the newest snapshot stored of it. */
export interface KnownState<S> {
  readonly format: string;
  readonly version: number;
  readonly lastEventId: string;
  readonly state: S;
  /** The version of the snapshot stored (0: none known). */
  readonly stored: number;
}

/** Streams remembered per event store (the least recently used are forgotten first). */
export const KNOWN_STATES_LIMIT = 1000;

const knownStates = new WeakMap<object, Map<string, KnownState<unknown>>>();

export function knownState<E extends StoredEvent>(
  events: EventStore<E>,
  streamId: string,
  format: string,
): KnownState<unknown> | undefined {
  const known = knownStates.get(events)?.get(streamId);
  return known?.format === format ? known : undefined;
}

export function rememberState<E extends StoredEvent>(
  events: EventStore<E>,
  streamId: string,
  known: KnownState<unknown>,
): void {
  let states = knownStates.get(events);
  if (!states) knownStates.set(events, (states = new Map()));
  const current = states.get(streamId);
  // A slower reader must not put an older state back over a newer one.
  if (current && current.format === known.format && current.version > known.version) return;
  states.delete(streamId);
  states.set(streamId, known);
  if (states.size > KNOWN_STATES_LIMIT) states.delete(states.keys().next().value as string);
}

export function forgetState<E extends StoredEvent>(events: EventStore<E>, streamId: string): void {
  knownStates.get(events)?.delete(streamId);
}
