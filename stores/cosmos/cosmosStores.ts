/**
 * The store ports on Azure Cosmos DB. Containers (docs/architecture.md, stores): `commands` (pk `/id`), `events`
 * (pk `/streamId`), `views` (pk `/pk`) and `leases` (pk `/id`, for the change feed triggers); the
 * database and containers are created when missing, once, before the first request.
 */
import { CosmosClient, type Container } from '@azure/cosmos';
import { ContainerCommandStore } from '../commandStore';
import { ContainerEventStore } from '../eventStore';
import type { StoreSet } from '../ports';
import { CONTAINERS, type ContainerName } from '../layout';
import { ContainerViews } from '../views';
import { CosmosDocumentContainer, type CosmosContainerOptions } from './cosmosContainer';

export interface CosmosStoresOptions extends CosmosContainerOptions {
  client: CosmosClient;
  databaseName: string;
  now?: () => number;
}

export function createCosmosStores(options: CosmosStoresOptions): StoreSet {
  const setup = async (): Promise<Map<string, Container>> => {
    const { database } = await options.client.databases.createIfNotExists({ id: options.databaseName });
    const containers = new Map<string, Container>();
    // One after another: the emulator and the test server dislike concurrent DDL.
    for (const [id, path] of Object.entries(CONTAINERS)) {
      const { container } = await database.containers.createIfNotExists({
        id,
        partitionKey: { paths: [path] },
      });
      containers.set(id, container);
    }
    return containers;
  };
  let ready: Promise<Map<string, Container>> | undefined;
  // Set up on first use; a failed setup is tried again by the next request.
  const sdkContainers = (): Promise<Map<string, Container>> => {
    ready ??= setup().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
  const containerOf = (name: ContainerName): CosmosDocumentContainer =>
    new CosmosDocumentContainer(
      async () => (await sdkContainers()).get(name) as Container,
      CONTAINERS[name],
      options,
    );
  const containers = {
    commands: containerOf('commands'),
    events: containerOf('events'),
    views: containerOf('views'),
  };
  return {
    events: new ContainerEventStore(containers.events),
    commands: new ContainerCommandStore(containers.commands, options.now),
    views: new ContainerViews(containers.views),
    containers,
  };
}

/** Reads `AccountEndpoint=...;AccountKey=...;` (the CosmosDBConnection setting). */
export function parseConnectionString(connection: string): { endpoint: string; key: string } {
  const parts = new Map<string, string>();
  for (const part of connection.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) parts.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const endpoint = parts.get('accountendpoint');
  const key = parts.get('accountkey');
  if (!endpoint || !key) throw new Error('CosmosDBConnection needs AccountEndpoint and AccountKey');
  return { endpoint, key };
}

/**
 * A client for a connection string. Endpoint discovery is off for loopback endpoints (the
 * emulator and @vercel/cosmosdb-server advertise locations the SDK must not follow).
 */
export function cosmosClientFor(connection: string): CosmosClient {
  const { endpoint, key } = parseConnectionString(connection);
  const host = new URL(endpoint).hostname;
  const loopback = host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  return new CosmosClient({ endpoint, key, connectionPolicy: { enableEndpointDiscovery: !loopback } });
}
