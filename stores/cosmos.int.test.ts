import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CosmosClient } from '@azure/cosmos';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { createCosmosStores } from './cosmos/cosmosStores';
import { describeStoreConformance } from './test/conformance';
import { accountBalances, accountTarget, type AccountCommand, type EventEnvelope } from '../domain';
import { handleCommand, loadStream, SNAPSHOT_INTERVAL } from './commandEngine';
import { snapshotPartition } from './snapshots';

let server: Server;
let client: CosmosClient;

describeStoreConformance('Cosmos DB (@vercel/cosmosdb-server)', {
  async setUp() {
    server = createHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new CosmosClient({
      endpoint: `http://127.0.0.1:${port}`,
      key: 'test-key',
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    return createCosmosStores({ client, databaseName: 'cardflow-test' });
  },
  reconnect() {
    return createCosmosStores({ client, databaseName: 'cardflow-test' });
  },
  async tearDown() {
    client.dispose();
    await new Promise((resolve) => server.close(resolve));
  },
});

describe('account snapshots on Cosmos DB', () => {
  const STREAM = 'account-acc-long';
  const metadata = { correlationId: 'corr', causationId: 'cause', occurredAt: '2026-01-01T00:00:00.000Z' };
  let snapshotServer: Server;
  let snapshotClient: CosmosClient;

  beforeAll(async () => {
    snapshotServer = createHttpServer();
    await new Promise<void>((resolve) => snapshotServer.listen(0, '127.0.0.1', resolve));
    const { port } = snapshotServer.address() as AddressInfo;
    snapshotClient = new CosmosClient({
      endpoint: `http://127.0.0.1:${port}`,
      key: 'test-key',
      connectionPolicy: { enableEndpointDiscovery: false },
    });
  });
  afterAll(async () => {
    snapshotClient.dispose();
    await new Promise((resolve) => snapshotServer.close(resolve));
  });

  it('stores a snapshot of a long account in the views container, and a new process decides from it', async () => {
    const stores = createCosmosStores({ client: snapshotClient, databaseName: 'cardflow-snapshots' });
    const opened: EventEnvelope = {
      id: 'seed-1',
      streamId: STREAM,
      version: 1,
      metadata,
      schemaVersion: 1,
      type: 'AccountOpened',
      data: { accountId: 'acc-long', ownerId: 'ann', ownerName: 'Ann', kind: 'user' },
    };
    const load = (version: number): EventEnvelope => ({
      id: `seed-${version}`,
      streamId: STREAM,
      version,
      metadata,
      schemaVersion: 1,
      type: 'CreditsLoaded',
      data: {
        accountId: 'acc-long',
        loadId: `load-${version}`,
        amount: 100,
        fee: 0,
        net: 100,
        loadedBy: 'ann',
      },
    });
    let version = await stores.events.append(STREAM, 0, [opened]);
    while (version < SNAPSHOT_INTERVAL + 50) {
      const batch = Array.from({ length: 50 }, (_, i) => load(version + i + 1));
      version = await stores.events.append(STREAM, version, batch);
    }
    const command: AccountCommand = {
      type: 'LoadCredits',
      data: { accountId: 'acc-long', loadId: 'load-new', amount: 100, loadedBy: 'ann' },
    };
    const decided = await handleCommand(stores.events, accountTarget(command), {
      idPrefix: 'cmd-1',
      metadata,
    });
    expect([decided.decision.ok, decided.appended, decided.version]).toEqual([true, 1, version]);
    const snapshots = await stores.containers.views.listKeys(snapshotPartition(STREAM));
    expect(snapshots.length).toBeGreaterThan(0);

    // Another process (nothing remembered) loads from the stored snapshot, and its decision is right.
    const again = createCosmosStores({ client: snapshotClient, databaseName: 'cardflow-snapshots' });
    const loaded = await loadStream(again.events, STREAM, accountTarget(command).fold);
    expect(loaded.snapshotVersion).toBeGreaterThan(0);
    expect(loaded.history.length).toBeLessThan(loaded.version);
    expect(accountBalances(loaded.state).available).toBe((version - 1) * 100 + 100);
  }, 60_000);
});
