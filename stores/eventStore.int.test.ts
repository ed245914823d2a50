import { Database } from '@cardflow/local-host';
import { LocalDocumentStore } from '@cardflow/local-host';
import type { BatchOperation, DocumentContainer, PartitionKey } from './container';
import { StreamVersionConflictError } from './errors';
import { ContainerEventStore } from './eventStore';
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
  it('keeps the ids it remembers within its budget, forgetting the least recently used streams, and still knows re-sends', async () => {
    const db = new Database(':memory:');
    const local = new LocalDocumentStore(db).container('cardflow', 'events', {
      partitionKeyPath: '/streamId',
    });
    const budget = 64;
    const store = new ContainerEventStore(new LocalDocumentContainer(local) as DocumentContainer, budget);
    const known = (store as unknown as { known: Map<string, { ids: Set<string> }> }).known;
    const remembered = () => [...known.values()].reduce((n, k) => n + k.ids.size, 0);
    try {
      for (let version = 1; version <= 40; version++)
        await store.append('old', version - 1, [event('old', version)]);
      for (let version = 1; version <= 40; version++)
        await store.append('new', version - 1, [event('new', version)]);
      // 80 ids over a budget of 64: the stream used least recently is forgotten.
      expect([...known.keys()]).toEqual(['new']);
      expect(remembered()).toBeLessThanOrEqual(budget);
      for (let version = 41; version <= budget + 1; version++)
        await store.append('new', version - 1, [event('new', version)]);
      expect(known.has('new')).toBe(false); // alone over the budget
      // Forgotten streams find re-sends by the store's query: the same answers as before.
      const at = budget + 1;
      await expect(store.append('new', at, [event('new', at + 1, 'new/e3')])).resolves.toBe(at);
      await expect(
        store.append('new', at, [event('new', at + 1, 'new/e3'), event('new', at + 2)]),
      ).rejects.toThrow(/already holds/);
      await expect(store.append('old', 40, [event('old', 41, 'old/e1')])).resolves.toBe(40);
      await expect(store.append('new', at, [event('new', at + 1)])).resolves.toBe(at + 1);
    } finally {
      db.close();
    }
  });
});
