/**
 * The store ports on Azure Cosmos DB. Containers (docs/architecture.md, stores): `commands` (pk `/id`), `events`
 * (pk `/streamId`), `views` (pk `/pk`) and `leases` (pk `/id`, for the change feed triggers).
 * With `provision: 'create'` (the default, for key connections) the database and containers are
 * created when missing, once, before the first request; with `provision: 'existing'` (an identity
 * with data-plane roles only, as infra/ deploys) nothing is created: the containers are read once
 * and a missing one is a store outage naming it.
 */
import type { Container, CosmosClient } from '@azure/cosmos';
import { ContainerError } from '../container';
import type { StoreSet } from '../ports';
import { CONTAINERS, type ContainerName } from '../layout';
import { storeSetOn } from '../storeSet';
import { CosmosDocumentContainer, type CosmosContainerOptions } from './cosmosContainer';

export interface CosmosStoresOptions extends CosmosContainerOptions {
  client: CosmosClient;
  databaseName: string;
  now?: () => number;
  /** Create the database and containers when missing (default), or expect them to exist. */
  provision?: 'create' | 'existing';
}

/** The containers as deployed, read (a metadata read, which data-plane roles allow), never created. */
async function existingContainers(
  client: CosmosClient,
  databaseName: string,
): Promise<Map<string, Container>> {
  const database = client.database(databaseName);
  const containers = new Map<string, Container>();
  for (const [id, path] of Object.entries(CONTAINERS)) {
    const container = database.container(id);
    let definition;
    try {
      ({ resource: definition } = await container.read());
    } catch (error) {
      if ((error as { code?: unknown }).code !== 404) throw error;
    }
    if (!definition)
      throw new ContainerError(
        503,
        `Cosmos DB container ${databaseName}/${id} does not exist; the app does not create it with an identity-based connection (deploy infra/)`,
      );
    const paths = definition.partitionKey?.paths ?? [];
    if (paths.length !== 1 || paths[0] !== path)
      throw new ContainerError(
        503,
        `Cosmos DB container ${databaseName}/${id} is partitioned by ${paths.join(', ') || 'nothing'}, the app needs ${path}`,
      );
    containers.set(id, container);
  }
  return containers;
}

export function createCosmosStores(options: CosmosStoresOptions): StoreSet {
  const setup = async (): Promise<Map<string, Container>> => {
    if (options.provision === 'existing') return existingContainers(options.client, options.databaseName);
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
  return storeSetOn(containers, options.now);
}

export { cosmosClientFor, parseConnectionString } from './cosmosConnection';
