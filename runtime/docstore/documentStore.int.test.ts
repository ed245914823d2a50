import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Database } from '../sqlite';
import fc from 'fast-check';
import { VirtualClock } from '../clock';
import { LocalDocumentStore, onDocumentChange, type LocalContainer } from './documentStore';
import { DocumentStoreError } from './errors';

function statusOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DocumentStoreError) return error.status;
    throw error;
  }
  return undefined;
}

describe('local document store', () => {
  let db: Database;
  let store: LocalDocumentStore;
  let events: LocalContainer;
  const clock = new VirtualClock(Date.parse('2026-03-01T10:00:00Z'));

  beforeEach(() => {
    db = new Database(':memory:');
    store = new LocalDocumentStore(db, { clock });
    events = store.container('cardflow', 'events', { partitionKeyPath: '/streamId' });
  });
  afterEach(() => db.close());

  it('stamps created documents with an etag, a timestamp in seconds and a growing sequence number', () => {
    const a = events.create({ id: 'a:1', streamId: 'a', n: 1 });
    const b = events.create({ id: 'b:1', streamId: 'b', n: 2 });
    expect(a).toMatchObject({
      id: 'a:1',
      streamId: 'a',
      n: 1,
      _ts: Date.parse('2026-03-01T10:00:00Z') / 1000,
    });
    expect(a._etag).toMatch(/^".+"$/);
    expect(b._lsn).toBe(a._lsn + 1);
    expect(events.read('a:1', 'a')).toEqual(a);
    expect(events.read('a:1', 'b')).toBeUndefined();
  });

  it('answers 409 to a second create of an id within a partition, but not across partitions', () => {
    events.create({ id: 'x', streamId: 'a' });
    expect(statusOf(() => events.create({ id: 'x', streamId: 'a', other: true }))).toBe(409);
    expect(statusOf(() => events.create({ id: 'x', streamId: 'b' }))).toBeUndefined();
    expect(events.read('x', 'a')).not.toHaveProperty('other');
  });

  it('replaces only when the etag still matches (412 otherwise, 404 when missing)', () => {
    const first = events.create({ id: 'x', streamId: 'a', v: 1 });
    const second = events.replace({ ...first, v: 2 }, { ifMatch: first._etag });
    expect(second._etag).not.toBe(first._etag);
    expect(statusOf(() => events.replace({ ...first, v: 3 }, { ifMatch: first._etag }))).toBe(412);
    expect(events.read('x', 'a')).toMatchObject({ v: 2 });
    expect(statusOf(() => events.replace({ id: 'nope', streamId: 'a' }))).toBe(404);
  });

  it('upserts by creating then replacing, and deletes with an etag check', () => {
    const created = events.upsert({ id: 'u', streamId: 'a', v: 1 });
    const replaced = events.upsert({ id: 'u', streamId: 'a', v: 2 });
    expect(replaced._lsn).toBeGreaterThan(created._lsn);
    expect(statusOf(() => events.delete('u', 'a', { ifMatch: created._etag }))).toBe(412);
    events.delete('u', 'a', { ifMatch: replaced._etag });
    expect(events.read('u', 'a')).toBeUndefined();
    expect(statusOf(() => events.delete('u', 'a'))).toBe(404);
  });

  it('rejects bad documents with 4xx and stores nothing', () => {
    expect(statusOf(() => events.create({ id: 'no-partition' }))).toBe(400);
    expect(statusOf(() => events.create({ id: 'a/b', streamId: 'a' }))).toBe(400);
    expect(statusOf(() => events.create({ id: '', streamId: 'a' }))).toBe(400);
    expect(
      statusOf(() => events.create({ id: 'big', streamId: 'a', blob: 'x'.repeat(2 * 1024 * 1024) })),
    ).toBe(413);
    expect(statusOf(() => events.query({ filters: [{ path: 'status', op: '=', value: 1 }] }))).toBe(400);
    expect(events.lastLsn()).toBe(0);
  });

  it('ignores system properties a caller sends', () => {
    const doc = events.create({ id: 'x', streamId: 'a', _etag: '"forged"', _lsn: 999 });
    expect(doc._etag).not.toBe('"forged"');
    expect(doc._lsn).toBe(1);
  });

  it('applies a batch within one partition all or nothing', () => {
    events.create({ id: 'taken', streamId: 's' });
    const lsnBefore = events.lastLsn();
    let failure: unknown;
    try {
      events.batch('s', [
        { op: 'create', document: { id: 'one', streamId: 's' } },
        { op: 'create', document: { id: 'two', streamId: 's' } },
        { op: 'create', document: { id: 'taken', streamId: 's' } },
      ]);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(DocumentStoreError);
    expect(failure).toMatchObject({ status: 409, operationIndex: 2 });
    expect(events.read('one', 's')).toBeUndefined();
    expect(events.read('two', 's')).toBeUndefined();
    expect(events.lastLsn()).toBe(lsnBefore);

    const results = events.batch('s', [
      { op: 'read', id: 'taken' },
      { op: 'create', document: { id: 'one', streamId: 's' } },
      { op: 'upsert', document: { id: 'two', streamId: 's' } },
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 201, 200]);
    expect(results[2].document?._lsn).toBe(lsnBefore + 2);
  });

  it('fails a batch that reads a missing document or writes outside its partition', () => {
    expect(
      statusOf(() =>
        events.batch('s', [
          { op: 'read', id: 'missing' },
          { op: 'create', document: { id: 'a', streamId: 's' } },
        ]),
      ),
    ).toBe(404);
    expect(
      statusOf(() => events.batch('s', [{ op: 'create', document: { id: 'a', streamId: 'other' } }])),
    ).toBe(400);
    expect(statusOf(() => events.batch('s', []))).toBe(400);
    expect(events.query()).toEqual([]);
  });

  it('queries one partition with filters and ordering', () => {
    for (let version = 1; version <= 12; version++) {
      events.create({
        id: `a:${version}`,
        streamId: 'a',
        version,
        kind: version % 2 === 0 ? 'even' : 'odd',
        flag: version > 10,
      });
    }
    events.create({ id: 'b:1', streamId: 'b', version: 1, kind: 'odd', flag: false });
    const odd = events.query({
      partitionKey: 'a',
      filters: [{ path: '/kind', op: '=', value: 'odd' }],
      orderBy: '/version',
    });
    expect(odd.map((d) => d.version)).toEqual([1, 3, 5, 7, 9, 11]);
    const tail = events.query({
      partitionKey: 'a',
      filters: [{ path: '/version', op: '>=', value: 10 }],
      orderBy: '/version',
      descending: true,
    });
    expect(tail.map((d) => d.version)).toEqual([12, 11, 10]);
    expect(events.query({ filters: [{ path: '/flag', op: '=', value: true }] }).map((d) => d.id)).toEqual([
      'a:11',
      'a:12',
    ]);
    expect(events.query({ filters: [{ path: '/kind', op: '=', value: 'odd' }] })).toHaveLength(7);
    expect(events.query({ partitionKey: 'a', orderBy: '/version', limit: 2 }).map((d) => d.version)).toEqual([
      1, 2,
    ]);
    const some = events.query({
      partitionKey: 'a',
      filters: [{ path: '/version', op: 'in', value: [2, 5, 99] }],
    });
    expect(some.map((d) => d.id)).toEqual(['a:2', 'a:5']);
    expect(events.query({ filters: [{ path: '/version', op: 'in', value: [] }] })).toEqual([]);
  });

  it("indexes a property at its first query: a partition's query reads what matches, not the whole partition", () => {
    for (let version = 1; version <= 50; version++)
      events.create({ id: `a:${version}`, streamId: 'a', version, eventId: `e${version}` });
    events.create({ id: 'b:1', streamId: 'b', version: 1 }); // no eventId: not in the index's way
    const prepared: string[] = [];
    const prepare = jest.spyOn(db, 'prepare');
    prepare.mockImplementation((sql: string) => {
      prepared.push(sql);
      return Database.prototype.prepare.call(db, sql);
    });
    const planOf = (sql: string, ...params: unknown[]) =>
      (
        Database.prototype.prepare.call(db, `EXPLAIN QUERY PLAN ${sql}`).all(...(params as [])) as Array<{
          detail: string;
        }>
      )
        .map((row) => row.detail)
        .join('; ');
    const found = events.query({
      partitionKey: 'a',
      filters: [{ path: '/eventId', op: 'in', value: ['e7', 'e9'] }],
    });
    expect(found.map((d) => d.id)).toEqual(['a:7', 'a:9']);
    const tail = events.query({
      partitionKey: 'a',
      filters: [{ path: '/version', op: '>=', value: 48 }],
      orderBy: '/version',
    });
    expect(tail.map((d) => d.version)).toEqual([48, 49, 50]);
    const queries = prepared.filter((sql) => sql.startsWith('SELECT id, body'));
    expect(queries).toHaveLength(2);
    expect(planOf(queries[0], '"a"', 'e7', 'e9')).toMatch(/USING INDEX doc_items_by_\/eventId@\d+/);
    expect(planOf(queries[1], '"a"', 48)).toMatch(/USING INDEX doc_items_by_\/version@\d+/);
    // The same query again: its statement is reused, no index is made twice.
    prepared.length = 0;
    events.query({ partitionKey: 'a', filters: [{ path: '/eventId', op: 'in', value: ['e1', 'e2'] }] });
    expect(prepared).toEqual([]);
    prepare.mockRestore();
  });

  it('queries on after the transaction that made an index rolled back (the index is made again)', () => {
    for (let version = 1; version <= 5; version++)
      events.create({ id: `a:${version}`, streamId: 'a', version });
    const failing = db.transaction(() => {
      events.query({ partitionKey: 'a', filters: [{ path: '/version', op: '>=', value: 4 }] });
      throw new Error('the work around the query failed');
    });
    expect(() => failing()).toThrow('failed');
    const tail = events.query({ partitionKey: 'a', filters: [{ path: '/version', op: '>=', value: 4 }] });
    expect(tail.map((d) => d.version)).toEqual([4, 5]);
    const other = store.container('cardflow', 'views', { partitionKeyPath: '/id' });
    other.create({ id: 'v', version: 9 });
    expect(
      other.query({ partitionKey: 'v', filters: [{ path: '/version', op: '=', value: 9 }] }),
    ).toHaveLength(1);
  });

  it('feeds changes in sequence order with the latest version of each document and no deletes', () => {
    events.create({ id: '1', streamId: 'a', v: 1 });
    events.create({ id: '2', streamId: 'a', v: 1 });
    events.create({ id: '3', streamId: 'b', v: 1 });
    events.upsert({ id: '1', streamId: 'a', v: 2 });
    events.delete('3', 'b');
    const feed = events.readChanges(0, 100);
    expect(feed.map((d) => [d.id, d.v])).toEqual([
      ['2', 1],
      ['1', 2],
    ]);
    expect(events.readChanges(feed[0]._lsn, 100).map((d) => d.id)).toEqual(['1']);
    expect(events.readChanges(0, 1).map((d) => d.id)).toEqual(['2']);
  });

  it('holds, for any sequence of writes, each live document once in the feed in last-write order', () => {
    const write = fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd'),
      pk: fc.constantFrom('p', 'q'),
      kind: fc.constantFrom('upsert', 'delete', 'batch'),
    });
    fc.assert(
      fc.property(fc.array(write, { maxLength: 40 }), (writes) => {
        const container = store.container('prop', `c${Math.random()}`, { partitionKeyPath: '/pk' });
        const model = new Map<string, number>();
        writes.forEach((w, step) => {
          const key = `${w.pk}/${w.id}`;
          if (w.kind === 'upsert') {
            container.upsert({ id: w.id, pk: w.pk, step });
            model.delete(key);
            model.set(key, step);
          } else if (w.kind === 'batch') {
            // Two writes in one transaction: both take their sequence numbers in batch order.
            const other = w.id === 'a' ? 'b' : 'a';
            container.batch(w.pk, [
              { op: 'upsert', document: { id: w.id, pk: w.pk, step } },
              { op: 'upsert', document: { id: other, pk: w.pk, step } },
            ]);
            for (const id of [w.id, other]) {
              model.delete(`${w.pk}/${id}`);
              model.set(`${w.pk}/${id}`, step);
            }
          } else if (model.has(key)) {
            container.delete(w.id, w.pk);
            model.delete(key);
          }
        });
        const feed = container.readChanges(0, 1000);
        expect(feed.map((d) => `${String(d.pk)}/${d.id}`)).toEqual([...model.keys()]);
        expect(feed.map((d) => d.step)).toEqual([...model.values()]);
        const lsns = feed.map((d) => d._lsn);
        expect([...lsns].sort((x, y) => x - y)).toEqual(lsns);
      }),
      { numRuns: 60 },
    );
  });

  it('notifies change listeners after committed writes only', () => {
    const seen: string[] = [];
    const stop = onDocumentChange(db, (database, container) => seen.push(`${database}/${container}`));
    const other = new LocalDocumentStore(db).container('cardflow', 'events');
    other.create({ id: 'n', streamId: 'z' });
    expect(statusOf(() => other.create({ id: 'n', streamId: 'z' }))).toBe(409);
    expect(statusOf(() => other.batch('z', [{ op: 'create', document: { id: 'n', streamId: 'z' } }]))).toBe(
      409,
    );
    stop();
    other.create({ id: 'm', streamId: 'z' });
    expect(seen).toEqual(['cardflow/events']);
  });

  it('notifies listeners of writes made through another copy of this module (the app loads dist/, the host the sources)', () => {
    let copy!: typeof import('./documentStore');
    jest.isolateModules(() => {
      copy = jest.requireActual<typeof import('./documentStore')>('./documentStore');
    });
    expect(copy.LocalDocumentStore).not.toBe(LocalDocumentStore);
    const seen: string[] = [];
    const stop = onDocumentChange(db, (database, container) => seen.push(`${database}/${container}`));
    new copy.LocalDocumentStore(db).container('cardflow', 'events').create({ id: 'x', streamId: 'z' });
    stop();
    expect(seen).toEqual(['cardflow/events']);
  });

  it('keeps a container partitioned as it was created', () => {
    expect(store.container('cardflow', 'events').partitionKeyPath).toBe('/streamId');
    expect(statusOf(() => store.container('cardflow', 'events', { partitionKeyPath: '/id' }))).toBe(400);
    expect(store.findContainer('cardflow', 'missing')).toBeUndefined();
  });
});

it('a read-only connection queries without making indexes (it cannot write them)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'docstore-ro-'));
  const file = path.join(dir, 'store.db');
  const writer = new Database(file);
  writer.pragma('journal_mode = WAL');
  new LocalDocumentStore(writer).container('cardflow', 'events', { partitionKeyPath: '/streamId' }).create({
    id: 'a:1',
    streamId: 'a',
    version: 1,
  });
  const reader = new Database(file, { readonly: true });
  try {
    const events = new LocalDocumentStore(reader).container('cardflow', 'events');
    const found = events.query({ partitionKey: 'a', filters: [{ path: '/version', op: '>=', value: 1 }] });
    expect(found.map((d) => d.id)).toEqual(['a:1']);
  } finally {
    reader.close();
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
