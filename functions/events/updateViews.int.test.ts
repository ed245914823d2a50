/**
 * The view updater against the real local stores (SQLite in memory): what a delivery costs in
 * store calls, and a writer that moves a view between the updater's read and its write.
 */
import { Database, LocalDocumentStore } from '@cardflow/local-host';
import { envelopeAll, type EventEnvelope } from '../../domain/envelope';
import type { DomainEvent } from '../../domain/events';
import { LocalDocumentContainer } from '../../stores/local/localContainer';
import { createLocalStores } from '../../stores/local/localStores';
import { counted as countedCalls, type Counted } from '../../stores/test/counted';
import { ContainerViews } from '../../stores/views';
import type { StoreSet, StoredView, ViewDocument, Views } from '../../stores';
import { ACCOUNT_VIEW_ID, TRANSFER_VIEW_ID } from '../projections/layout';
import { updateViews } from './updateViews';

let db: Database;
let stores: StoreSet;
let viewsContainer: LocalDocumentContainer;
let counted: Counted<LocalDocumentContainer>;

beforeEach(() => {
  db = new Database(':memory:');
  const documents = new LocalDocumentStore(db);
  stores = createLocalStores(documents, { databaseName: 'cardflow' });
  viewsContainer = new LocalDocumentContainer(
    documents.container('cardflow', 'views', { partitionKeyPath: '/pk' }),
  );
  counted = countedCalls(viewsContainer);
});
afterEach(() => db.close());

const metadata = { correlationId: 'c', causationId: 'c', occurredAt: '2026-01-01T00:00:00.000Z' };

function envelopes(streamId: string, after: number, events: DomainEvent[]): EventEnvelope[] {
  return envelopeAll(events, {
    streamId,
    expectedVersion: after,
    idPrefix: `${streamId}-${after}`,
    metadata,
  });
}

const opened = (accountId: string): DomainEvent => ({
  type: 'AccountOpened',
  data: { accountId, ownerId: 'ann', ownerName: 'Ann', kind: 'user' },
});
const loaded = (accountId: string, loadId: string, amount: number): DomainEvent => ({
  type: 'CreditsLoaded',
  data: { accountId, loadId, amount, fee: 0, net: amount },
});

describe('updateViews', () => {
  it('reads each view once and writes it once, on the etag it read', async () => {
    const views = new ContainerViews(counted.subject);
    const transfer = envelopes('transfer-tr-1', 0, [
      {
        type: 'TransferRequested',
        data: {
          transferId: 'tr-1',
          fromAccountId: 'acc-1',
          toAccountId: 'acc-2',
          amount: 500,
          requestedBy: 'ann',
        },
      },
    ]);
    await updateViews({ events: stores.events, views }, transfer);
    // The view read (absent), the open-transfers index entry, the view created.
    expect(counted.calls).toEqual(['read', 'upsert', 'create']);

    counted.calls = [];
    const completed = envelopes('transfer-tr-1', 1, [
      { type: 'TransferCompleted', data: { transferId: 'tr-1' } },
    ]);
    await updateViews({ events: stores.events, views }, completed);
    // The view read, the index entry removed, the view replaced on the etag read.
    expect(counted.calls).toEqual(['read', 'delete', 'replace']);
    expect(await views.get('transfer-tr-1', TRANSFER_VIEW_ID)).toMatchObject({
      status: 'completed',
      version: 2,
    });
  });

  it('starts again from what another writer wrote between its read and its write', async () => {
    const views = new ContainerViews(counted.subject);
    const first = envelopes('account-acc-1', 0, [opened('acc-1'), loaded('acc-1', 'ld-1', 1_000)]);
    await updateViews({ events: stores.events, views }, first);
    const second = envelopes('account-acc-1', 2, [loaded('acc-1', 'ld-2', 250)]);
    await stores.events.append('account-acc-1', 0, [...first, ...second]);

    // A redelivery of the same events, by another writer, lands just before this one's write.
    const other = new ContainerViews(viewsContainer);
    counted.before.replace = async () => {
      await updateViews({ events: stores.events, views: other }, second);
    };
    const [update] = await updateViews({ events: stores.events, views }, second);
    expect(update).toEqual({ streamId: 'account-acc-1', applied: 0 });
    // The credits counted once, whoever wrote them.
    expect(await views.get('account-acc-1', ACCOUNT_VIEW_ID)).toMatchObject({ version: 3, available: 1_250 });
  });

  it('checks the write on the version read when the driver gives no etag', async () => {
    const counting = new ContainerViews(counted.subject);
    const withoutEtags: Views = {
      ...counting,
      get: async <T extends ViewDocument>(pk: string, id: string) => {
        const stored = await counting.get<T>(pk, id);
        if (!stored) return undefined;
        const { _etag: _, ...rest } = stored;
        return rest as StoredView<T>;
      },
      put: (document, condition) => counting.put(document, condition),
      delete: (pk, id, condition) => counting.delete(pk, id, condition),
      query: (pk, query) => counting.query(pk, query),
      deleteAll: (pk) => counting.deleteAll(pk),
      written: (pk, id, withinMs) => counting.written(pk, id, withinMs),
    };
    const first = envelopes('account-acc-1', 0, [opened('acc-1'), loaded('acc-1', 'ld-1', 1_000)]);
    await updateViews({ events: stores.events, views: withoutEtags }, first);
    const second = envelopes('account-acc-1', 2, [loaded('acc-1', 'ld-2', 250)]);
    await stores.events.append('account-acc-1', 0, [...first, ...second]);
    counted.before.read = async () => {
      counted.before.read = async () => {
        // Between the updater's read of the view and the version check of its write.
        await updateViews({ events: stores.events, views: new ContainerViews(viewsContainer) }, second);
      };
    };
    const [update] = await updateViews({ events: stores.events, views: withoutEtags }, second);
    expect(update).toEqual({ streamId: 'account-acc-1', applied: 0 });
    expect(await counting.get('account-acc-1', ACCOUNT_VIEW_ID)).toMatchObject({
      version: 3,
      available: 1_250,
    });
  });
});
