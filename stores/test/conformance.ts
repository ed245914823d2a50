/**
 * The one conformance suite every driver of the store ports passes (stores/local.int.test.ts,
 * stores/cosmos.int.test.ts). Each test works on fresh ids, so one set of stores serves the suite.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { isStoreError, StreamVersionConflictError, ViewVersionConflictError } from '../errors';
import type { EventStore, StoreSet, StoredEvent, ViewDocument } from '../ports';

export interface ConformanceTarget {
  /** Called once before the suite. */
  setUp(): Promise<StoreSet>;
  /** Another set of stores on the same data, as another process would have. */
  reconnect(): StoreSet;
  tearDown(): Promise<void>;
}

function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

function event(
  streamId: string,
  version: number,
  id = `${streamId}/e${version}`,
  type = 'Happened',
): StoredEvent {
  return {
    id,
    streamId,
    version,
    type,
    data: { n: version, note: `event ${version}` },
    metadata: { correlationId: 'c-1', causationId: 'c-1', occurredAt: '2026-01-01T00:00:00.000Z' },
    schemaVersion: 1,
  };
}

function events(streamId: string, fromVersion: number, count: number, idPrefix = 'e'): StoredEvent[] {
  return Array.from({ length: count }, (_, i) =>
    event(streamId, fromVersion + i, `${streamId}/${idPrefix}${fromVersion + i}`),
  );
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

export function describeStoreConformance(driver: string, target: ConformanceTarget): void {
  describe(`store ports on the ${driver} driver`, () => {
    let stores: StoreSet;
    let eventStore: EventStore<StoredEvent>;

    beforeAll(async () => {
      stores = await target.setUp();
      eventStore = stores.events as unknown as EventStore<StoredEvent>;
    });
    afterAll(() => target.tearDown());

    describe('event store', () => {
      it('appends to a new stream and reads the events back as written, in order', async () => {
        const stream = unique('account');
        expect(await eventStore.append(stream, 0, events(stream, 1, 3))).toBe(3);
        expect(await eventStore.append(stream, 3, events(stream, 4, 1))).toBe(4);
        expect(await eventStore.readStream(stream)).toEqual(events(stream, 1, 4));
        expect((await eventStore.readStream(stream, 3)).map((e) => e.version)).toEqual([3, 4]);
        expect(await eventStore.streamVersion(stream)).toBe(4);
        expect(await eventStore.readStream(unique('empty'))).toEqual([]);
        expect(await eventStore.streamVersion(unique('empty'))).toBe(0);
      });

      it('rejects an append at a stale or future expected version and writes nothing', async () => {
        const stream = unique('account');
        await eventStore.append(stream, 0, events(stream, 1, 2));
        const stale = await errorOf(eventStore.append(stream, 1, events(stream, 2, 3, 'x')));
        expect(stale).toBeInstanceOf(StreamVersionConflictError);
        expect(stale).toMatchObject({
          code: 'stream_version_conflict',
          status: 409,
          expectedVersion: 1,
          actualVersion: 2,
        });
        const future = await errorOf(eventStore.append(stream, 5, events(stream, 6, 1, 'y')));
        expect(future).toMatchObject({ code: 'stream_version_conflict', actualVersion: 2 });
        const fresh = await errorOf(eventStore.append(stream, 0, events(stream, 1, 1, 'z')));
        expect(fresh).toMatchObject({ code: 'stream_version_conflict', actualVersion: 2 });
        expect(await eventStore.readStream(stream)).toEqual(events(stream, 1, 2));
      });

      it('lets exactly one of many racing appends of the same version win', async () => {
        const stream = unique('account');
        await eventStore.append(stream, 0, events(stream, 1, 1));
        const writers = Array.from({ length: 8 }, (_, w) =>
          eventStore.append(stream, 1, events(stream, 2, 3, `w${w}-`)),
        );
        const outcomes = await Promise.allSettled(writers);
        const winners = outcomes.filter((o) => o.status === 'fulfilled');
        expect(winners).toHaveLength(1);
        for (const lost of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) {
          expect(lost.reason).toBeInstanceOf(StreamVersionConflictError);
        }
        const winner = outcomes.findIndex((o) => o.status === 'fulfilled');
        expect(await eventStore.readStream(stream)).toEqual([
          ...events(stream, 1, 1),
          ...events(stream, 2, 3, `w${winner}-`),
        ]);
      });

      it('appends re-sent events once and answers the current version', async () => {
        const stream = unique('transfer');
        const batch = events(stream, 1, 2);
        expect(await eventStore.append(stream, 0, batch)).toBe(2);
        expect(await eventStore.append(stream, 0, batch)).toBe(2);
        await eventStore.append(stream, 2, events(stream, 3, 1));
        // A retried writer that reloaded the stream re-decides the same events at the new version.
        const again = batch.map((e, i) => ({ ...e, version: 4 + i }));
        expect(await eventStore.append(stream, 3, again)).toBe(3);
        expect((await eventStore.readStream(stream)).map((e) => e.id)).toEqual([
          ...batch.map((e) => e.id),
          `${stream}/e3`,
        ]);
      });

      it('appends events re-sent by another process at a later version once', async () => {
        const stream = unique('transfer');
        const batch = events(stream, 1, 2);
        await eventStore.append(stream, 0, batch);
        await eventStore.append(stream, 2, events(stream, 3, 1));
        const other = target.reconnect().events as unknown as EventStore<StoredEvent>;
        expect(
          await other.append(
            stream,
            3,
            batch.map((e, i) => ({ ...e, version: 4 + i })),
          ),
        ).toBe(3);
        expect(await other.append(stream, 0, batch)).toBe(3);
        expect(
          await errorOf(other.append(stream, 3, [event(stream, 4, `${stream}/e1`), event(stream, 5, 'new')])),
        ).toMatchObject({
          code: 'duplicate_event_id',
        });
        expect(await eventStore.streamVersion(stream)).toBe(3);
      });

      it('accepts racing re-sends of the same events once', async () => {
        const stream = unique('transfer');
        const batch = events(stream, 1, 3);
        const versions = await Promise.all(
          Array.from({ length: 5 }, () => eventStore.append(stream, 0, batch)),
        );
        expect(versions).toEqual([3, 3, 3, 3, 3]);
        expect(await eventStore.readStream(stream)).toEqual(batch);
      });

      it('refuses events of which only some are already in the stream', async () => {
        const stream = unique('transfer');
        await eventStore.append(stream, 0, events(stream, 1, 1));
        const mixed = [event(stream, 2, `${stream}/e1`), event(stream, 3, 'brand-new')];
        expect(await errorOf(eventStore.append(stream, 1, mixed))).toMatchObject({
          code: 'duplicate_event_id',
          status: 409,
        });
        expect(await eventStore.streamVersion(stream)).toBe(1);
      });

      it('rejects malformed appends with invalid_events', async () => {
        const stream = unique('account');
        const cases: Array<[number, StoredEvent[]]> = [
          [0, [event(stream, 2)]],
          [0, [event('other-stream', 1)]],
          [0, [event(stream, 1, 'same'), event(stream, 2, 'same')]],
          [0, events(stream, 1, 100)],
          [-1, [event(stream, 0)]],
          [0, [{ ...event(stream, 1), id: '' }]],
        ];
        for (const [expected, batch] of cases) {
          expect(await errorOf(eventStore.append(stream, expected, batch))).toMatchObject({
            code: 'invalid_events',
            status: 400,
          });
        }
        expect(await eventStore.streamVersion(stream)).toBe(0);
      });

      it('keeps every stream equal to the accepted appends, whatever the sequence of attempts', async () => {
        const attempt = fc.record({
          expectedDelta: fc.integer({ min: -1, max: 1 }),
          count: fc.integer({ min: 1, max: 3 }),
          resend: fc.boolean(),
        });
        await fc.assert(
          fc.asyncProperty(fc.array(attempt, { minLength: 1, maxLength: 6 }), async (attempts) => {
            const stream = unique('prop');
            const accepted: StoredEvent[] = [];
            let lastBatch: StoredEvent[] = [];
            for (const [n, a] of attempts.entries()) {
              const version = accepted.length;
              const expected = Math.max(0, version + a.expectedDelta);
              const batch =
                a.resend && lastBatch.length > 0
                  ? lastBatch.map((e, i) => ({ ...e, version: expected + 1 + i }))
                  : events(stream, expected + 1, a.count, `a${n}-`);
              const outcome = await eventStore.append(stream, expected, batch).then(
                (v) => ({ ok: true as const, v }),
                (error: unknown) => ({ ok: false as const, error }),
              );
              const isResend = a.resend && lastBatch.length > 0;
              if (isResend) {
                expect(outcome).toEqual({ ok: true, v: version });
              } else if (expected === version) {
                expect(outcome).toEqual({ ok: true, v: version + a.count });
                accepted.push(...batch);
                lastBatch = batch;
              } else {
                expect(outcome.ok).toBe(false);
                expect(isStoreError(outcome.ok ? undefined : outcome.error, 'stream_version_conflict')).toBe(
                  true,
                );
              }
            }
            expect(await eventStore.readStream(stream)).toEqual(accepted);
          }),
          { numRuns: 15 },
        );
      });

      it('reads a stream of 10 000 events back in order', async () => {
        const stream = unique('large');
        let version = 0;
        while (version < 10_000) {
          const count = Math.min(99, 10_000 - version);
          version = await eventStore.append(stream, version, events(stream, version + 1, count));
        }
        const all = await eventStore.readStream(stream);
        expect(all).toHaveLength(10_000);
        expect(all.every((e, i) => e.version === i + 1 && e.id === `${stream}/e${i + 1}`)).toBe(true);
        expect((await eventStore.readStream(stream, 9_995)).map((e) => e.version)).toEqual([
          9995, 9996, 9997, 9998, 9999, 10000,
        ]);
      }, 60_000);
    });

    it('exposes its raw containers, e.g. to enumerate streams for a rebuild', async () => {
      const stream = unique('account');
      await eventStore.append(stream, 0, events(stream, 1, 2));
      const keys = await stores.containers.events.listKeys(stream);
      expect(keys.map((k) => k.id).sort()).toEqual([`${stream}:1`, `${stream}:2`]);
      expect(keys.every((k) => k.partitionKey === stream)).toBe(true);
      expect(await stores.containers.events.read(`${stream}:2`, stream)).toMatchObject({
        eventId: `${stream}/e2`,
        version: 2,
      });
    });

    describe('command store', () => {
      it('stores a command once and reports repeats as duplicates', async () => {
        const id = unique('cmd');
        const command = { id, type: 'OpenAccount', data: { accountId: 'acc-1' } };
        expect(await stores.commands.submit(command)).toBe('created');
        expect(await stores.commands.submit({ ...command, data: { accountId: 'changed' } })).toBe(
          'duplicate',
        );
        expect(await stores.commands.get(id)).toMatchObject({ ...command, status: 'pending' });
        expect(await stores.commands.get(unique('cmd'))).toBeUndefined();
      });

      it('creates one of many racing submissions of the same command', async () => {
        const command = { id: unique('cmd'), type: 'LoadCredits', data: { amount: 100 } };
        const results = await Promise.all(Array.from({ length: 6 }, () => stores.commands.submit(command)));
        expect(results.filter((r) => r === 'created')).toHaveLength(1);
        expect(results.filter((r) => r === 'duplicate')).toHaveLength(5);
      });

      it('records the outcome of a command', async () => {
        const id = unique('cmd');
        await stores.commands.submit({
          id,
          type: 'RequestTransfer',
          data: {},
          metadata: { correlationId: 'k' },
        });
        const rejected = await stores.commands.complete(id, {
          status: 'rejected',
          reason: 'insufficient_funds',
        });
        expect(rejected).toMatchObject({
          id,
          status: 'rejected',
          reason: 'insufficient_funds',
          metadata: { correlationId: 'k' },
        });
        expect(typeof rejected.completedAt).toBe('string');
        expect(await stores.commands.get(id)).toEqual(rejected);
        const succeeded = await stores.commands.complete(id, { status: 'succeeded' });
        expect(succeeded).not.toHaveProperty('reason');
        expect(await errorOf(stores.commands.complete(unique('cmd'), { status: 'succeeded' }))).toMatchObject(
          { code: 'not_found', status: 404 },
        );
        expect(await errorOf(stores.commands.complete(id, { status: 'pending' as never }))).toMatchObject({
          code: 'invalid_request',
        });
      });

      it('tries a rejected command again, keeping the earlier outcome; leaves any other status', async () => {
        const id = unique('cmd');
        await stores.commands.submit({ id, type: 'DecideTransfer', data: { n: 1 }, metadata: { a: 1 } });
        expect(await stores.commands.retry(id)).toMatchObject({ id, status: 'pending' });
        expect((await stores.commands.get(id))?.attempt).toBeUndefined();
        const rejected = await stores.commands.complete(id, {
          status: 'rejected',
          reason: 'not_awaiting_approval',
        });
        const retried = await stores.commands.retry(id);
        expect(retried).toMatchObject({
          id,
          type: 'DecideTransfer',
          data: { n: 1 },
          metadata: { a: 1 },
          status: 'pending',
          attempt: 2,
          previousAttempts: [
            { status: 'rejected', reason: 'not_awaiting_approval', completedAt: rejected.completedAt },
          ],
        });
        expect(retried).not.toHaveProperty('reason');
        expect(retried).not.toHaveProperty('completedAt');
        expect(await stores.commands.get(id)).toEqual(retried);
        await stores.commands.complete(id, { status: 'rejected', reason: 'insufficient_funds' });
        // Racing repeats make one new attempt.
        const racing = await Promise.all([stores.commands.retry(id), stores.commands.retry(id)]);
        expect(racing.map((r) => r?.attempt)).toEqual([3, 3]);
        expect((await stores.commands.get(id))?.previousAttempts).toHaveLength(2);
        const succeeded = await stores.commands.complete(id, { status: 'succeeded' });
        expect(await stores.commands.retry(id)).toEqual(succeeded);
        expect(await stores.commands.retry(unique('cmd'))).toBeUndefined();
      });
    });

    describe('views', () => {
      interface AccountView extends ViewDocument {
        available: number;
        status: string;
      }

      it('writes with version checks: the expected version must be the stored one', async () => {
        const pk = unique('account');
        const first = await stores.views.put<AccountView>(
          { id: pk, pk, version: 1, available: 10, status: 'open' },
          { expectedVersion: 0 },
        );
        expect(first._etag).toEqual(expect.any(String));
        await stores.views.put<AccountView>(
          { id: pk, pk, version: 2, available: 20, status: 'open' },
          { expectedVersion: 1 },
        );
        const stale = await errorOf(
          stores.views.put<AccountView>(
            { id: pk, pk, version: 2, available: 99, status: 'open' },
            { expectedVersion: 1 },
          ),
        );
        expect(stale).toBeInstanceOf(ViewVersionConflictError);
        expect(stale).toMatchObject({ code: 'view_version_conflict', status: 409 });
        expect(
          await errorOf(stores.views.put({ id: unique('v'), pk, version: 3 }, { expectedVersion: 2 })),
        ).toMatchObject({ code: 'view_version_conflict' });
        expect(await stores.views.get<AccountView>(pk, pk)).toMatchObject({ version: 2, available: 20 });
      });

      it('writes with etag checks', async () => {
        const pk = unique('transfer');
        const first = await stores.views.put({ id: 't', pk, status: 'requested' });
        const second = await stores.views.put({ ...first, status: 'completed' }, { ifMatch: first._etag });
        expect(second._etag).not.toBe(first._etag);
        expect(
          await errorOf(stores.views.put({ ...first, status: 'failed' }, { ifMatch: first._etag })),
        ).toMatchObject({ code: 'view_version_conflict' });
        expect(await errorOf(stores.views.put({ id: 'absent', pk }, { ifMatch: first._etag }))).toMatchObject(
          { code: 'view_version_conflict' },
        );
        expect(await stores.views.get(pk, 't')).toMatchObject({ status: 'completed' });
      });

      it('lets one of several racing writers of the same version win', async () => {
        const pk = unique('account');
        await stores.views.put({ id: 'a', pk, version: 1 });
        const outcomes = await Promise.allSettled(
          Array.from({ length: 5 }, (_, w) =>
            stores.views.put({ id: 'a', pk, version: 2, writer: w }, { expectedVersion: 1 }),
          ),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const racingCreates = await Promise.allSettled(
          Array.from({ length: 5 }, (_, w) =>
            stores.views.put({ id: 'new', pk, version: 1, writer: w }, { expectedVersion: 0 }),
          ),
        );
        expect(racingCreates.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      });

      it('queries one partition with equality filters and ordering', async () => {
        const pk = unique('approvals');
        const other = unique('approvals');
        for (const [i, status] of ['pending', 'approved', 'pending', 'pending'].entries()) {
          await stores.views.put({ id: `t${i}`, pk, status, amount: 100 * (4 - i), urgent: i === 3 });
        }
        await stores.views.put({ id: 't9', pk: other, status: 'pending', amount: 1 });
        const pending = await stores.views.query(pk, { where: { status: 'pending' }, orderBy: 'amount' });
        expect(pending.map((v) => v.id)).toEqual(['t3', 't2', 't0']);
        expect(
          (await stores.views.query(pk, { orderBy: 'amount', descending: true, limit: 2 })).map((v) => v.id),
        ).toEqual(['t0', 't1']);
        expect((await stores.views.query(pk, { where: { urgent: true } })).map((v) => v.id)).toEqual(['t3']);
        expect(
          await stores.views.query(pk, { where: { 'bad name': 1 } }).catch((e: unknown) => e),
        ).toMatchObject({ status: 400 });
      });

      it('deletes one view, a partition, or everything for a rebuild', async () => {
        const pk = unique('statement');
        const other = unique('statement');
        const doc = await stores.views.put({ id: 'x', pk, version: 1 });
        await stores.views.put({ id: 'y', pk });
        await stores.views.put({ id: 'z', pk: other });
        expect(await errorOf(stores.views.delete(pk, 'x', { expectedVersion: 2 }))).toMatchObject({
          code: 'view_version_conflict',
        });
        expect(await stores.views.delete(pk, 'x', { ifMatch: doc._etag })).toBe(true);
        expect(await stores.views.delete(pk, 'x')).toBe(false);
        expect(await stores.views.deleteAll(pk)).toBe(1);
        expect(await stores.views.query(pk)).toEqual([]);
        expect(await stores.views.get(other, 'z')).toBeDefined();
        expect(await stores.views.deleteAll()).toBeGreaterThanOrEqual(1);
        expect(await stores.views.get(other, 'z')).toBeUndefined();
      });
    });
  });
}
