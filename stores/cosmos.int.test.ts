import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CosmosClient } from '@azure/cosmos';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { createCosmosStores } from './cosmos/cosmosStores';
import { describeStoreConformance } from './test/conformance';

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
