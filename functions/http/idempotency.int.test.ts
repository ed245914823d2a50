/**
 * An Idempotency-Key's binding on both store drivers (the local document store and Cosmos DB, here
 * @vercel/cosmosdb-server), through the views port only: bound once, create-only, to the first
 * fingerprint; the same fingerprint is accepted again, also by racing requests; another is refused;
 * and the binding is read back by stores built again on the same database (a restart).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CosmosClient } from '@azure/cosmos';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { Database } from '@cardflow/local-host';
import { LocalDocumentStore } from '@cardflow/local-host';
import type { StoreSet } from '../../stores';
import { createCosmosStores } from '../../stores/cosmos/cosmosStores';
import { createLocalStores } from '../../stores/local/localStores';
import { IDEMPOTENCY_KEYS_PARTITION, IdempotencyKey } from './idempotency';

interface Driver {
  name: string;
  setUp(): Promise<void>;
  /** Stores built afresh on the same database, as after a restart. */
  stores(): StoreSet;
  tearDown(): Promise<void>;
}

let db: Database;
let server: Server;
let client: CosmosClient;

const drivers: Driver[] = [
  {
    name: 'local',
    async setUp() {
      db = new Database(':memory:');
    },
    stores: () => createLocalStores(new LocalDocumentStore(db), { databaseName: 'cardflow' }),
    async tearDown() {
      db.close();
    },
  },
  {
    name: 'Cosmos DB',
    async setUp() {
      server = createHttpServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      client = new CosmosClient({
        endpoint: `http://127.0.0.1:${port}`,
        key: 'test-key',
        connectionPolicy: { enableEndpointDiscovery: false },
      });
    },
    stores: () => createCosmosStores({ client, databaseName: 'cardflow-idempotency' }),
    async tearDown() {
      client.dispose();
      await new Promise((resolve) => server.close(resolve));
    },
  },
];

describe.each(drivers)('an Idempotency-Key on the $name driver', (driver) => {
  beforeAll(() => driver.setUp());
  afterAll(() => driver.tearDown());

  it('is bound to its first fingerprint, once, and read back after a restart', async () => {
    const key = (stores: StoreSet, caller = 'otto', scope = 'LoadCredits:acc-1') =>
      new IdempotencyKey(stores.views, scope, caller, 'topup-1');
    const first = driver.stores();
    expect(await key(first).fingerprint()).toBeUndefined();
    expect(await key(first).claim('a'.repeat(64), '2026-01-01T00:00:00.000Z')).toBe(true);
    expect(await key(first).claim('a'.repeat(64), '2026-01-01T00:00:01.000Z')).toBe(true);
    expect(await key(first).claim('b'.repeat(64), '2026-01-01T00:00:02.000Z')).toBe(false);

    const restarted = driver.stores();
    expect(await key(restarted).fingerprint()).toBe('a'.repeat(64));
    expect(await key(restarted).claim('b'.repeat(64), '2026-01-01T00:00:03.000Z')).toBe(false);
    const [record] = await restarted.views.query(IDEMPOTENCY_KEYS_PARTITION);
    expect(record).toMatchObject({
      id: key(restarted).id,
      view: 'idempotency-key',
      scope: 'LoadCredits:acc-1',
      fingerprint: 'a'.repeat(64),
      firstUsedAt: '2026-01-01T00:00:00.000Z',
    });
    // Another caller's key, or the key under another route scope, is another key.
    expect(await key(restarted, 'alice').fingerprint()).toBeUndefined();
    expect(await key(restarted, 'otto', 'LoadCredits:acc-2').fingerprint()).toBeUndefined();
  });

  it('binds one of several racing first uses', async () => {
    const stores = driver.stores();
    const racing = (fingerprint: string) =>
      new IdempotencyKey(stores.views, 'RequestTransfer', 'alice', 'race-1').claim(fingerprint, 'now');
    const results = await Promise.all(['c', 'd', 'c', 'd', 'c'].map((f) => racing(f.repeat(64))));
    const bound = await new IdempotencyKey(stores.views, 'RequestTransfer', 'alice', 'race-1').fingerprint();
    expect(bound).toMatch(/^(c{64}|d{64})$/);
    // Exactly the requests with the bound fingerprint were accepted.
    expect(results).toEqual(['c', 'd', 'c', 'd', 'c'].map((f) => f.repeat(64) === bound));
  });
});
