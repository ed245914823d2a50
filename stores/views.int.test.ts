/**
 * What a view write costs in store calls, on the local document store: the common writes are one
 * call each (the conformance suite shows what they mean; this shows they stay cheap).
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
