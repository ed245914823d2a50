import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../sqlite';
import { ChangeFeedReader, type ChangeFeedReaderOptions } from './changeFeed';
import { LocalDocumentStore } from './documentStore';

const base: ChangeFeedReaderOptions = {
  database: 'cardflow',
  container: 'events',
  leaseDatabase: 'cardflow',
  leaseContainer: 'leases',
  leasePrefix: '',
  startFromBeginning: true,
  maxItemsPerBatch: 3,
};

describe('change feed with leases', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'docstore-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function open(): { db: Database; store: LocalDocumentStore } {
    const db = new Database(join(dir, 'host.db'));
    db.pragma('journal_mode = WAL');
    return { db, store: new LocalDocumentStore(db) };
  }

  function drain(reader: ChangeFeedReader): string[] {
    const ids: string[] = [];
    for (let batch = reader.nextBatch(); batch.length > 0; batch = reader.nextBatch()) {
      ids.push(...batch.map((d) => d.id));
      reader.checkpoint(batch[batch.length - 1]._lsn);
    }
    return ids;
  }

  it('gives each lease prefix its own continuation over one container', () => {
    const { db, store } = open();
    const events = store.container('cardflow', 'events', { partitionKeyPath: '/streamId' });
    for (let i = 1; i <= 5; i++) events.create({ id: `e${i}`, streamId: 's' });
    const first = new ChangeFeedReader(store, { ...base, leasePrefix: 'projector-' });
    const second = new ChangeFeedReader(store, { ...base, leasePrefix: 'forwarder-' });
    expect(first.acquire() && second.acquire()).toBe(true);
    expect(drain(first)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(first.caughtUp()).toBe(true);
    expect(second.caughtUp()).toBe(false);
    expect(second.nextBatch().map((d) => d.id)).toEqual(['e1', 'e2', 'e3']);
    db.close();
  });

  it('re-reads an unchecked batch and resumes from the checkpoint after a restart', () => {
    let { db, store } = open();
    const events = store.container('cardflow', 'events', { partitionKeyPath: '/streamId' });
    for (let i = 1; i <= 7; i++) events.create({ id: `e${i}`, streamId: 's' });
    let reader = new ChangeFeedReader(store, base);
    reader.acquire();
    const batch = reader.nextBatch();
    reader.checkpoint(batch[batch.length - 1]._lsn);
    expect(reader.nextBatch().map((d) => d.id)).toEqual(['e4', 'e5', 'e6']);
    // No checkpoint: the batch is read again.
    expect(reader.nextBatch().map((d) => d.id)).toEqual(['e4', 'e5', 'e6']);
    reader.release();
    db.close();

    ({ db, store } = open());
    reader = new ChangeFeedReader(store, base);
    expect(reader.acquire()).toBe(true);
    expect(drain(reader)).toEqual(['e4', 'e5', 'e6', 'e7']);
    db.close();
  });

  it('starts at the head of the container without a lease when not reading from the beginning', () => {
    const { db, store } = open();
    const events = store.container('cardflow', 'events', { partitionKeyPath: '/streamId' });
    events.create({ id: 'old', streamId: 's' });
    const reader = new ChangeFeedReader(store, { ...base, startFromBeginning: false });
    expect(reader.caughtUp()).toBe(true);
    reader.acquire();
    events.create({ id: 'new', streamId: 's' });
    expect(drain(reader)).toEqual(['new']);
    db.close();
  });

  it('lets one owner hold a lease until it is released or expires', () => {
    const { db, store } = open();
    const a = new ChangeFeedReader(store, { ...base, owner: 'host-a', leaseExpirationMs: 1000 });
    const b = new ChangeFeedReader(store, { ...base, owner: 'host-b', leaseExpirationMs: 1000 });
    expect(a.acquire(10_000)).toBe(true);
    expect(b.acquire(10_500)).toBe(false);
    expect(b.acquire(11_001)).toBe(true);
    expect(() => a.checkpoint(0, 11_002)).toThrow();
    b.release();
    expect(a.acquire(11_003)).toBe(true);
    db.close();
  });

  it('waits for a monitored container that does not exist yet', () => {
    const { db, store } = open();
    const reader = new ChangeFeedReader(store, { ...base, container: 'later' });
    expect(reader.acquire()).toBe(true);
    expect(reader.nextBatch()).toEqual([]);
    expect(reader.caughtUp()).toBe(true);
    store.container('cardflow', 'later').create({ id: 'x' });
    expect(reader.caughtUp()).toBe(false);
    expect(drain(reader)).toEqual(['x']);
    db.close();
  });
});
