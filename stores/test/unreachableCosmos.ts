/** For tests of Cosmos DB outages: a client of an endpoint on loopback where nothing listens. */
import { createServer, type AddressInfo } from 'node:net';
import { CosmosClient } from '@azure/cosmos';

/** A loopback port that nothing listens on (taken from the OS, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A Cosmos client whose every request fails to connect, at once (no SDK retries). Dispose it after. */
export async function unreachableCosmosClient(): Promise<CosmosClient> {
  return new CosmosClient({
    endpoint: `http://127.0.0.1:${await deadPort()}`,
    key: 'test-key',
    connectionPolicy: { enableEndpointDiscovery: false, retryOptions: { maxRetryAttemptCount: 0 } },
  });
}
