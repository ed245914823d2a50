/**
 * The transfer read's wait on the route itself, against the real local stores (SQLite in memory):
 * it waits on the transfer's own view document, so a write through the app's views ends it at once
 * (without the 250 ms recheck), and a write landing while it re-reads is not missed.
 */
import { HttpRequest } from '@azure/functions';
import { Database, LocalDocumentStore } from '@cardflow/local-host';
import type { StoreSet } from '../../stores';
import { createLocalStores } from '../../stores/local/localStores';
import { TRANSFER_VIEW_ID, transferPartition } from '../projections/layout';
import type { TransferView } from '../projections/transferView';
import type { RouteDeps } from './route';
import { QUERY_ROUTES } from './queryRoutes';
import { WAIT_RECHECK_MS } from './waitPreference';

let db: Database;
let stores: StoreSet;
beforeEach(() => {
  db = new Database(':memory:');
  stores = createLocalStores(new LocalDocumentStore(db), { databaseName: 'cardflow' });
});
afterEach(() => db.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function view(transferId: string, status: TransferView['status']): TransferView {
  return {
    id: TRANSFER_VIEW_ID,
    pk: transferPartition(transferId),
    view: 'transfer',
    version: 1,
    transferId,
    fromAccountId: 'acc-a',
    toAccountId: 'acc-b',
    amount: 500,
    status,
    requestedBy: 'alice',
    requestedAt: '2026-12-03T12:00:00.000Z',
    updatedAt: '2026-12-03T12:00:00.000Z',
  } as TransferView;
}

/** GET /api/transfers/{id} as the operator with `Prefer: wait=seconds`, on these stores; which documents it waited on. */
function read(transferId: string, seconds: number) {
  const waitedOn: string[] = [];
  const views = stores.views;
  const deps: RouteDeps = {
    stores: {
      ...stores,
      views: Object.assign(Object.create(views) as typeof views, {
        written: (pk: string, id: string, withinMs: number) => {
          waitedOn.push(`${pk}/${id}`);
          return views.written(pk, id, withinMs);
        },
      }),
    },
    processes: () => {
      throw new Error('no durable client in this test');
    },
    now: () => '2026-12-03T12:00:00.000Z',
    caller: { id: 'olga', name: 'Olga', roles: ['operator'], identityProvider: 'local' },
  };
  const request = new HttpRequest({
    method: 'GET',
    url: `http://localhost/api/transfers/${transferId}`,
    headers: { prefer: `wait=${seconds}` },
    params: { transferId },
  });
  const started = Date.now();
  const answer = QUERY_ROUTES.getTransfer.handle(deps, request).then((response) => ({
    response,
    ms: Date.now() - started,
  }));
  return { answer, waitedOn };
}

describe('the transfer read’s wait', () => {
  it('waits on the transfer’s own view, and its write through the app’s views ends the wait before any recheck', async () => {
    await stores.views.put(view('tr-1', 'requested'));
    const { answer, waitedOn } = read('tr-1', 10);
    await sleep(20);
    await stores.views.put(view('tr-1', 'completed'));
    const { response, ms } = await answer;
    expect(JSON.parse(response.body as string)).toMatchObject({ status: 'completed' });
    expect(new Set(waitedOn)).toEqual(new Set([`${transferPartition('tr-1')}/${TRANSFER_VIEW_ID}`]));
    expect(ms).toBeLessThan(WAIT_RECHECK_MS);
  });

  it('does not miss a write that lands while it re-reads', async () => {
    await stores.views.put(view('tr-2', 'requested'));
    const views = stores.views;
    let reads = 0;
    // Each read is slow; the completing write lands during the first one.
    const slowGet = views.get.bind(views);
    (views as { get: typeof views.get }).get = async (pk, id) => {
      const found = await slowGet(pk, id);
      if (++reads === 1) {
        await sleep(30);
      }
      return found as never;
    };
    const { answer } = read('tr-2', 10);
    await sleep(10);
    await stores.views.put(view('tr-2', 'completed'));
    const { response, ms } = await answer;
    expect(JSON.parse(response.body as string)).toMatchObject({ status: 'completed' });
    expect(ms).toBeLessThan(WAIT_RECHECK_MS);
  });
});
