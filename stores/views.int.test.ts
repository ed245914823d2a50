/**
 * What a view write costs in store calls, on the local document store: the common writes are one
 * call each (the conformance suite shows what they mean; this shows they stay cheap). And who waits
 * for a document's next write through the views (`written`) is woken by it.
 */
import { Database, LocalDocumentStore } from '@cardflow/local-host';
import { LocalDocumentContainer } from './local/localContainer';
import { ViewVersionConflictError } from './errors';
import { counted as countedCalls, type Counted } from './test/counted';
import { ContainerViews } from './views';

let db: Database;
let counted: Counted<LocalDocumentContainer>;
let views: ContainerViews;

beforeEach(() => {
  db = new Database(':memory:');
  const documents = new LocalDocumentStore(db);
  const container = new LocalDocumentContainer(
    documents.container('cardflow', 'views', { partitionKeyPath: '/pk' }),
  );
  counted = countedCalls(container);
  views = new ContainerViews(counted.subject);
});
afterEach(() => db.close());

describe('view writes in store calls', () => {
  it('a first write at expected version 0 is one create', async () => {
    await views.put({ id: 'a', pk: 'p', version: 1 }, { expectedVersion: 0 });
    expect(counted.calls).toEqual(['create']);
  });

  it('a write on the etag read is one replace, and a stale etag is a version conflict', async () => {
    const stored = await views.put({ id: 'a', pk: 'p', version: 1 });
    counted.calls = [];
    const next = await views.put({ ...stored, version: 2 }, { ifMatch: stored._etag });
    expect(counted.calls).toEqual(['replace']);
    await expect(views.put({ ...stored, version: 3 }, { ifMatch: stored._etag })).rejects.toBeInstanceOf(
      ViewVersionConflictError,
    );
    expect(await views.get('p', 'a')).toMatchObject({ version: 2, _etag: next._etag });
  });

  it('expected version 0 over a stored document: replaced when it has no version, a conflict when it has one', async () => {
    await views.put({ id: 'unversioned', pk: 'p', note: 'old' });
    await views.put({ id: 'versioned', pk: 'p', version: 4 });
    counted.calls = [];
    await views.put({ id: 'unversioned', pk: 'p', note: 'new' }, { expectedVersion: 0 });
    expect(counted.calls).toEqual(['create', 'read', 'replace']);
    expect(await views.get('p', 'unversioned')).toMatchObject({ note: 'new' });
    await expect(
      views.put({ id: 'versioned', pk: 'p', version: 1 }, { expectedVersion: 0 }),
    ).rejects.toMatchObject({ code: 'view_version_conflict' });
    expect(await views.get('p', 'versioned')).toMatchObject({ version: 4 });
  });
});

describe('waiting for a view to be written', () => {
  const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('wakes every waiter of the document at its put, well before the time given', async () => {
    const started = Date.now();
    const waits = [views.written('p', 'a', 10_000), views.written('p', 'a', 10_000)];
    await later(20);
    await views.put({ id: 'a', pk: 'p', version: 1 });
    expect(await Promise.all(waits)).toEqual([true, true]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('wakes at a delete and at a rebuild’s deleteAll', async () => {
    await views.put({ id: 'a', pk: 'p', version: 1 });
    const deleted = views.written('p', 'a', 10_000);
    await views.delete('p', 'a');
    expect(await deleted).toBe(true);
    await views.put({ id: 'a', pk: 'p', version: 1 });
    const rebuilt = views.written('p', 'a', 10_000);
    await views.deleteAll();
    expect(await rebuilt).toBe(true);
  });

  it('is not woken by another document, nor by a write that failed, and answers false after the time given', async () => {
    const stored = await views.put({ id: 'a', pk: 'p', version: 1 });
    await views.put({ ...stored, version: 2 }, { ifMatch: stored._etag });
    const started = Date.now();
    const waiting = views.written('p', 'a', 150);
    await views.put({ id: 'b', pk: 'p', version: 1 });
    await views.put({ id: 'a', pk: 'q', version: 1 });
    await expect(views.put({ ...stored, version: 3 }, { ifMatch: stored._etag })).rejects.toBeInstanceOf(
      ViewVersionConflictError,
    );
    expect(await waiting).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('does not see a write made through other views on the same container', async () => {
    const elsewhere = new ContainerViews(counted.subject);
    const waiting = views.written('p', 'a', 100);
    await elsewhere.put({ id: 'a', pk: 'p', version: 1 });
    expect(await waiting).toBe(false);
    // The write is there for the re-read that follows.
    expect(await views.get('p', 'a')).toMatchObject({ version: 1 });
  });
});
