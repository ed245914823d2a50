import { Database } from '@cardflow/local-host';
import { LocalDocumentStore } from '@cardflow/local-host';
import type { BatchOperation, DocumentContainer, PartitionKey } from './container';
import { StreamVersionConflictError } from './errors';
import { ContainerEventStore, KNOWN_IDS_LIMIT } from './eventStore';
import { LocalDocumentContainer } from './local/localContainer';
import type { StoredEvent } from './ports';

function event(streamId: string, version: number, id = `${streamId}/e${version}`): StoredEvent {
  return { id, streamId, version, type: 'Happened', data: {}, metadata: {}, schemaVersion: 1 };
}

/**
 * The events container as @azure/cosmos presents a batch that fails at the HTTP level: a bare
 * Error without status. (Neither the local store nor the test server answers that way.)
 */
class StatuslessBatchFailures extends LocalDocumentContainer {
  failNext?: Error;

  override async batch(partitionKey: PartitionKey, operations: BatchOperation[]): Promise<void> {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    try {
      await super.batch(partitionKey, operations);
    } catch (error) {
      throw new Error(`Batch request error: ${(error as Error).message}`);
    }
  }
}

describe('the event store when a batch fails without a status', () => {
  let db: Database;
  let container: StatuslessBatchFailures;
  let store: ContainerEventStore<StoredEvent>;

  beforeEach(() => {
    db = new Database(':memory:');
    const local = new LocalDocumentStore(db).container('cardflow', 'events', {
      partitionKeyPath: '/streamId',
    });
    container = new StatuslessBatchFailures(local);
    store = new ContainerEventStore(container as DocumentContainer);
  });
  afterEach(() => db.close());

  it('still reports a lost race as a version conflict, and a re-send as success', async () => {
    await store.append('s', 0, [event('s', 1)]);
    const outcomes = await Promise.allSettled(
      [1, 2, 3].map((w) => store.append('s', 1, [event('s', 2, `w${w}`)])),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const lost of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) {
      expect(lost.reason).toBeInstanceOf(StreamVersionConflictError);
    }
    expect(await store.append('s', 0, [event('s', 1)])).toBe(2);
  });

  it('passes on a failure that left the stream where it was', async () => {
    await store.append('s', 0, [event('s', 1)]);
    container.failNext = new Error('socket hang up');
    await expect(store.append('s', 1, [event('s', 2)])).rejects.toThrow('socket hang up');
    expect(await store.append('s', 1, [event('s', 2)])).toBe(2);
  });
});

describe('the event store after a write it saw succeed was rolled back', () => {
  it('refuses an append at the lost version instead of leaving a gap in the stream', async () => {
    const db = new Database(':memory:');
    try {
      const container = new LocalDocumentStore(db).container('cardflow', 'events', {
        partitionKeyPath: '/streamId',
      });
      const store = new ContainerEventStore<StoredEvent>(new LocalDocumentContainer(container));
      await store.append('s', 0, [event('s', 1), event('s', 2)]);
      // The local host's group commit: the append joins an open transaction that SQLite may then
      // roll back whole (SQLITE_FULL, SQLITE_IOERR), after the append has returned.
      db.exec('BEGIN');
      expect(await store.append('s', 2, [event('s', 3)])).toBe(3);
      db.exec('ROLLBACK');
      // A writer that read version 3 before the loss appends after it.
      await expect(store.append('s', 3, [event('s', 4)])).rejects.toBeInstanceOf(StreamVersionConflictError);
      expect((await store.readStream('s')).map((e) => e.version)).toEqual([1, 2]);
      expect(await store.append('s', 2, [event('s', 3, 's/e3-again')])).toBe(3);
    } finally {
      db.close();
    }
  });
});

describe('what the event store remembers of its streams', () => {
  it('forgets the ids of a stream past KNOWN_IDS_LIMIT (memory that does not grow with history), and still knows re-sends', async () => {
    const db = new Database(':memory:');
    const local = new LocalDocumentStore(db).container('cardflow', 'events', {
      partitionKeyPath: '/streamId',
    });
    const store = new ContainerEventStore(new LocalDocumentContainer(local) as DocumentContainer);
    const known = (store as unknown as { known: Map<string, { ids: Set<string> }> }).known;
    try {
      for (let version = 1; version <= KNOWN_IDS_LIMIT; version++)
        await store.append('long', version - 1, [event('long', version)]);
      expect(known.get('long')?.ids.size).toBe(KNOWN_IDS_LIMIT);
      await store.append('long', KNOWN_IDS_LIMIT, [event('long', KNOWN_IDS_LIMIT + 1)]);
      expect(known.has('long')).toBe(false);
      // Past the limit, a re-send is found by the store's query: the same answer as before.
      const next = KNOWN_IDS_LIMIT + 1;
      await expect(store.append('long', next, [event('long', next + 1, 'long/e3')])).resolves.toBe(next);
      await expect(
        store.append('long', next, [event('long', next + 1, 'long/e3'), event('long', next + 2)]),
      ).rejects.toThrow(/already holds/);
      await expect(store.append('long', next, [event('long', next + 1)])).resolves.toBe(next + 1);
    } finally {
      db.close();
    }
  });
});
