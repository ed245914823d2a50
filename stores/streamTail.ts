/**
 * The events of a stream from a version on, read by id (`{streamId}:{version}`, a point read each)
 * rather than by a query over the stream's partition: a query's cost grows with the partition (the
 * local store scans it; Cosmos DB charges by what it reads), a point read's does not. For the short
 * tails the command engine reads after a snapshot; a long tail goes on with one query.
 */
import type { EventEnvelope } from '../domain';
import type { DocumentContainer } from './container';
import { eventDocumentId, fromEventDocument, type EventDocument } from './eventStore';
import type { EventStore } from './ports';

/** Point reads before the rest of a tail is read with one query. */
export const POINT_READS_PER_TAIL = 16;

export interface StreamTail {
  /** The stream's events with `version >= fromVersion`, in version order (as `readStream`). */
  readFrom(streamId: string, fromVersion: number): Promise<EventEnvelope[]>;
  /** The events `fromVersion..toVersion` (both included) the stream has, in version order. */
  readRange(streamId: string, fromVersion: number, toVersion: number): Promise<EventEnvelope[]>;
}

export class ContainerStreamTail implements StreamTail {
  constructor(
    private readonly container: DocumentContainer,
    private readonly store: EventStore,
  ) {}

  async readFrom(streamId: string, fromVersion: number): Promise<EventEnvelope[]> {
    const last = fromVersion + POINT_READS_PER_TAIL - 1;
    const events = await this.readRange(streamId, fromVersion, last);
    if (events.length < POINT_READS_PER_TAIL) return events;
    return [...events, ...(await this.store.readStream(streamId, last + 1))];
  }

  async readRange(streamId: string, fromVersion: number, toVersion: number): Promise<EventEnvelope[]> {
    const events: EventEnvelope[] = [];
    // Versions are contiguous, so the first version missing is the end of the stream.
    for (let version = fromVersion; version <= toVersion; version++) {
      const document = await this.container.read<EventDocument>(eventDocumentId(streamId, version), streamId);
      if (!document) break;
      events.push(fromEventDocument<EventEnvelope>(document));
    }
    return events;
  }
}
