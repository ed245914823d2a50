/**
 * The event store on a container partitioned by `/streamId`. Each event is one document with id
 * `{streamId}:{version}`, so two writers of the same version collide on the id (409) and exactly one
 * wins. An append is one transactional batch: a read of `{streamId}:{expectedVersion}` (the stream
 * has reached the expected version) followed by the creates (it has not gone past it).
 */
import { hasStatus, type BatchOperation, type DocumentContainer } from './container';
import { StoreError, StreamVersionConflictError } from './errors';
import { MAX_EVENTS_PER_APPEND, type EventStore, type StoredEvent } from './ports';

/** How an event is stored: the envelope with its id moved to `eventId`. */
export interface EventDocument {
  /** `{streamId}:{version}` */
  id: string;
  eventId: string;
  streamId: string;
  version: number;
  type: string;
  data: unknown;
  metadata: unknown;
  schemaVersion: number;
}

export function eventDocumentId(streamId: string, version: number): string {
  return `${streamId}:${version}`;
}

export function toEventDocument(event: StoredEvent): EventDocument {
  return {
    id: eventDocumentId(event.streamId, event.version),
    eventId: event.id,
    streamId: event.streamId,
    version: event.version,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    schemaVersion: event.schemaVersion,
  };
}

/**
 * The event inside a stored event document, e.g. one the `events` container's change feed
 * delivered to a `cosmosDBTrigger` handler.
 */
export function fromEventDocument<E extends StoredEvent = StoredEvent>(document: object): E {
  const { id, eventId, streamId, version, type, data, metadata, schemaVersion } = document as Record<
    string,
    unknown
  >;
  if (
    typeof eventId !== 'string' ||
    typeof streamId !== 'string' ||
    typeof version !== 'number' ||
    typeof type !== 'string'
  ) {
    throw new StoreError('invalid_request', `document ${String(id)} is not a stored event`);
  }
  return { id: eventId, streamId, version, type, data, metadata, schemaVersion } as E;
}

/**
 * What this process knows for certain about a stream: the ids of its events 1..version. Events are
 * immutable, so this stays true; it lets an append at exactly `version` skip the query for
 * re-sent ids (the batch itself proves the stream is still at `version` when it commits).
 */
interface KnownStream {
  version: number;
  ids: Set<string>;
}

/** Streams whose ids are remembered (least recently used are forgotten first). */
const KNOWN_STREAMS_LIMIT = 1000;

/**
 * The most event ids remembered over all streams (a few MiB): past it the least recently used
 * streams are forgotten (their appends query for re-sent ids, an indexed lookup on the local
 * store), so what this store keeps does not grow with the streams' history.
 */
export const KNOWN_IDS_BUDGET = 100_000;

export class ContainerEventStore<E extends StoredEvent> implements EventStore<E> {
  private readonly known = new Map<string, KnownStream>();

  /** Ids in {@link known}, over all its streams. */
  private knownIds = 0;

  constructor(
    private readonly events: DocumentContainer,
    private readonly knownIdsBudget = KNOWN_IDS_BUDGET,
  ) {}

  async append(streamId: string, expectedVersion: number, events: readonly E[]): Promise<number> {
    validate(streamId, expectedVersion, events);
    if (events.length === 0) {
      const actual = await this.streamVersion(streamId);
      if (actual !== expectedVersion) throw new StreamVersionConflictError(streamId, expectedVersion, actual);
      return actual;
    }
    // A new stream cannot hold these ids yet; otherwise look first, as a retried writer re-appends
    // its events at the version it now sees.
    const known = this.known.get(streamId);
    if (known && known.version === expectedVersion) {
      const present = events.filter((event) => known.ids.has(event.id)).length;
      if (present === events.length) return this.streamVersion(streamId);
      if (present > 0)
        throw duplicateIds(
          streamId,
          events.filter((event) => known.ids.has(event.id)).map((e) => e.id),
        );
    } else if (expectedVersion > 0) {
      const replay = await this.alreadyAppended(streamId, events);
      if (replay !== undefined) return replay;
    }
    const operations: BatchOperation[] = events.map((event) => ({
      op: 'create',
      document: toEventDocument(event),
    }));
    // The batch reads the event at the expected version (404: the stream is shorter), even when this
    // store appended up to it itself: an append this store saw succeed may still be lost (the local
    // host's group commit rolled back), and skipping the read would then leave a gap in the stream.
    try {
      await this.events.batch(
        streamId,
        expectedVersion > 0
          ? [{ op: 'read', id: eventDocumentId(streamId, expectedVersion) }, ...operations]
          : operations,
      );
    } catch (error) {
      // 404: the stream is short of the expected version; 409: another writer holds the next one.
      // A failure without a status (the SDK hides some) is a conflict too when the stream moved.
      if (!hasStatus(error, 404, 409) && !(await this.movedOn(error, streamId, expectedVersion))) throw error;
      const replay = await this.alreadyAppended(streamId, events);
      if (replay !== undefined) return replay;
      throw new StreamVersionConflictError(streamId, expectedVersion, await this.streamVersion(streamId));
    }
    this.remember(streamId, expectedVersion, events);
    return expectedVersion + events.length;
  }

  async readStream(streamId: string, fromVersion = 1): Promise<E[]> {
    if (!Number.isInteger(fromVersion) || fromVersion < 1) {
      throw new StoreError('invalid_request', `fromVersion must be an integer >= 1, not ${fromVersion}`);
    }
    const documents = await this.events.query<EventDocument>({
      partitionKey: streamId,
      filters: fromVersion > 1 ? [{ path: '/version', op: '>=', value: fromVersion }] : [],
      orderBy: '/version',
    });
    const stream = documents.map((document) => fromEventDocument<E>(document));
    if (fromVersion === 1) {
      this.forget(streamId);
      this.remember(streamId, 0, stream);
    }
    return stream;
  }

  async streamVersion(streamId: string): Promise<number> {
    const [last] = await this.events.query<EventDocument>({
      partitionKey: streamId,
      orderBy: '/version',
      descending: true,
      limit: 1,
    });
    return last?.version ?? 0;
  }

  /** For an error without a store status: whether the stream is no longer at `expectedVersion`. */
  private async movedOn(error: unknown, streamId: string, expectedVersion: number): Promise<boolean> {
    if (error instanceof StoreError) return false;
    try {
      return (await this.streamVersion(streamId)) !== expectedVersion;
    } catch {
      return false;
    }
  }

  /** The stream's version when every event id is already in it; undefined when none is. */
  private async alreadyAppended(streamId: string, events: readonly E[]): Promise<number | undefined> {
    const ids = events.map((event) => event.id);
    const found = await this.events.query<EventDocument>({
      partitionKey: streamId,
      filters: [{ path: '/eventId', op: 'in', value: ids }],
    });
    if (found.length === 0) return undefined;
    if (found.length < ids.length)
      throw duplicateIds(
        streamId,
        found.map((d) => d.eventId),
      );
    return this.streamVersion(streamId);
  }

  /** Records events appended (or read) after `afterVersion`, when the known prefix reaches it. */
  private remember(streamId: string, afterVersion: number, events: readonly StoredEvent[]): void {
    const known =
      this.known.get(streamId) ?? (afterVersion === 0 ? { version: 0, ids: new Set<string>() } : undefined);
    this.forget(streamId);
    if (!known || known.version !== afterVersion) return;
    for (const event of events) known.ids.add(event.id);
    known.version = afterVersion + events.length;
    if (known.ids.size > this.knownIdsBudget) return; // alone over the budget: not kept
    this.known.set(streamId, known);
    this.knownIds += known.ids.size;
    while (this.known.size > KNOWN_STREAMS_LIMIT || this.knownIds > this.knownIdsBudget)
      this.forget(this.known.keys().next().value as string);
  }

  private forget(streamId: string): void {
    const known = this.known.get(streamId);
    if (!known) return;
    this.known.delete(streamId);
    this.knownIds -= known.ids.size;
  }
}

function duplicateIds(streamId: string, present: string[]): StoreError {
  return new StoreError(
    'duplicate_event_id',
    `stream ${streamId} already holds some of these events (${present.join(', ')}) but not all`,
  );
}

function validate(streamId: string, expectedVersion: number, events: readonly StoredEvent[]): void {
  const fail = (detail: string): never => {
    throw new StoreError('invalid_events', `cannot append to ${streamId}: ${detail}`);
  };
  if (typeof streamId !== 'string' || streamId.length === 0) fail('the stream id is empty');
  if (!Number.isInteger(expectedVersion) || expectedVersion < 0)
    fail(`expected version ${expectedVersion} is not an integer >= 0`);
  if (!Array.isArray(events)) fail('events is not a list');
  if (events.length > MAX_EVENTS_PER_APPEND)
    fail(`at most ${MAX_EVENTS_PER_APPEND} events per append, got ${events.length}`);
  const ids = new Set<string>();
  events.forEach((event, index) => {
    if (typeof event?.id !== 'string' || event.id.length === 0) fail(`event ${index} has no id`);
    if (ids.has(event.id)) fail(`event id ${event.id} appears twice`);
    ids.add(event.id);
    if (event.streamId !== streamId) fail(`event ${event.id} belongs to stream ${event.streamId}`);
    if (event.version !== expectedVersion + index + 1) {
      fail(`event ${event.id} has version ${event.version}, expected ${expectedVersion + index + 1}`);
    }
    if (typeof event.type !== 'string' || event.type.length === 0) fail(`event ${event.id} has no type`);
  });
}
