/**
 * The primary handler on one change-feed batch, against the real local stores (SQLite in memory):
 * the streams of a batch are handled side by side (a process start is two round trips to the
 * durable client), each stream's views and starts still whole, and a failure fails the batch only
 * once nothing of it is running any more. The durable client is a stand-in that holds its starts.
 */
import { Database, LocalDocumentStore } from '@cardflow/local-host';
import { envelopeAll } from '../../domain/envelope';
import type { TransferRequested } from '../../domain/events';
import type { EventPublisher, PublishableEvent } from '../../stores/eventPublisher';
import { createLocalStores } from '../../stores/local/localStores';
import { toEventDocument } from '../../stores/eventStore';
import type { StoreSet } from '../../stores';
import type { TransferProcessInput } from '../../orchestrations/contracts';
import type { TransferProcessClient } from '../transferProcessClient';
import { handleEvents, type EventHandlerDeps } from './handleEvents';

let db: Database;
let stores: StoreSet;
beforeEach(() => {
  db = new Database(':memory:');
  stores = createLocalStores(new LocalDocumentStore(db), { databaseName: 'cardflow' });
});
afterEach(() => db.close());

const policy = { approvalThreshold: 100_000, velocityThreshold: 250_000, approvalTimeout: 'PT24H' };

/** Appends a TransferRequested for each id and answers the event documents the change feed would deliver. */
async function requested(ids: readonly string[]): Promise<unknown[]> {
  const documents: unknown[] = [];
  for (const transferId of ids) {
    const event: TransferRequested = {
      type: 'TransferRequested',
      data: { transferId, fromAccountId: 'acc-a', toAccountId: 'acc-b', amount: 500, requestedBy: 'ann' },
    };
    const [envelope] = envelopeAll([event], {
      streamId: `transfer-${transferId}`,
      expectedVersion: 0,
      idPrefix: `cmd-${transferId}`,
      metadata: { correlationId: 'c', causationId: 'c', occurredAt: '2026-01-01T00:00:00.000Z' },
    });
    await stores.events.append(envelope.streamId, 0, [envelope]);
    documents.push(toEventDocument(envelope));
  }
  return documents;
}

/** A durable client whose starts wait until released; it records how many ran at once. */
function heldStarts(fail: ReadonlySet<string> = new Set()) {
  const waiting: Array<() => void> = [];
  let running = 0;
  const seen = { mostAtOnce: 0, started: [] as string[], settled: 0 };
  const client = {
    startOnce: async (input: TransferProcessInput) => {
      running++;
      seen.mostAtOnce = Math.max(seen.mostAtOnce, running);
      await new Promise<void>((resolve) => waiting.push(resolve));
      running--;
      seen.settled++;
      if (fail.has(input.transferId)) throw new Error(`the durable client failed for ${input.transferId}`);
      seen.started.push(input.transferId);
      return true;
    },
  } as unknown as TransferProcessClient;
  const releaseAll = async () => {
    while (seen.settled < seen.started.length + fail.size || waiting.length > 0) {
      waiting.splice(0).forEach((resolve) => resolve());
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { client, seen, waiting, releaseAll };
}

function deps(client: TransferProcessClient, published: PublishableEvent[][]): EventHandlerDeps {
  const publisher: EventPublisher = { publish: async (events) => void published.push([...events]) };
  return {
    stores,
    processes: () => client,
    publisher: () => publisher,
    policy: () => policy,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  };
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

it('starts the processes of a batch’s streams side by side, then publishes the whole batch once', async () => {
  const ids = ['tr-par-1', 'tr-par-2', 'tr-par-3', 'tr-par-4'];
  const documents = await requested(ids);
  const held = heldStarts();
  const published: PublishableEvent[][] = [];
  const handling = handleEvents(deps(held.client, published), documents);
  await turns(20);
  // Every stream's start is under way while none has finished, and nothing is published yet.
  expect(held.waiting).toHaveLength(4);
  expect(published).toEqual([]);
  // Each stream's view was written before its start began.
  for (const transferId of ids)
    expect(await stores.views.get(`transfer-${transferId}`, 'transfer')).toBeDefined();
  await held.releaseAll();
  const result = await handling;
  expect(held.seen.mostAtOnce).toBe(4);
  expect(result.started).toEqual(ids);
  expect(result.views.map((update) => update.streamId)).toEqual(ids.map((id) => `transfer-${id}`));
  expect(published).toHaveLength(1);
  expect(published[0].map((event) => event.streamId)).toEqual(ids.map((id) => `transfer-${id}`));
});

it('runs at most 16 streams at once', async () => {
  const ids = Array.from({ length: 20 }, (_, n) => `tr-many-${n}`);
  const held = heldStarts();
  const handling = handleEvents(deps(held.client, []), await requested(ids));
  await turns(40);
  expect(held.waiting).toHaveLength(16);
  await held.releaseAll();
  expect((await handling).started).toHaveLength(20);
  expect(held.seen.mostAtOnce).toBe(16);
});

it('fails the batch when one stream’s start fails, publishing nothing, once the others have settled', async () => {
  const ids = ['tr-fail-1', 'tr-fail-2', 'tr-fail-3'];
  const held = heldStarts(new Set(['tr-fail-2']));
  const published: PublishableEvent[][] = [];
  const handling = handleEvents(deps(held.client, published), await requested(ids));
  const outcome = handling.then(
    () => 'handled',
    (error: unknown) => String(error),
  );
  await turns(20);
  await held.releaseAll();
  expect(await outcome).toMatch(/the durable client failed for tr-fail-2/);
  // Nothing of the batch is still running when the failure is reported (the feed redelivers it whole).
  expect(held.seen.settled).toBe(3);
  expect(published).toEqual([]);
});
