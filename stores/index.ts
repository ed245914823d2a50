/**
 * How app code obtains the stores: `getStores()`.
 *
 * `CARDFLOW_STORE` chooses the driver: `local` (default) or `cosmos`.
 * - local: the local host's document store, reached through the app-host seam (`localHost.ts`),
 *   so functions, activities and the host's `cosmosDBTrigger` all see one database. Outside a
 *   host, call `createLocalStores(documents, ...)` yourself.
 * - cosmos: Azure Cosmos DB, in the database `COSMOS_DATABASE` (default `cardflow`). This is what
 *   runs in Azure: keyless, at `CosmosDBConnection__accountEndpoint` with the managed identity
 *   (nothing is created; infra/ declares the containers), or with a key in `CosmosDBConnection`
 *   (`AccountEndpoint=...;AccountKey=...;`, database and containers created when missing).
 *   See stores/cosmos/cosmosConnection.ts.
 *
 * @example
 * const { events, commands, views } = getStores();
 * await commands.submit({ id, type: 'OpenAccount', data });
 */
import type { CosmosClientOptions } from './cosmos/cosmosConnection';
import { StoreError } from './errors';
import { DEFAULT_DATABASE } from './layout';
import { currentLocalHost } from './localHost';
import { storeKindOf } from './storeKind';
import type { StoreSet } from './ports';

export type Settings = Readonly<Record<string, string | undefined>>;

let cached: { key: unknown; stores: StoreSet } | undefined;

/** The stores for the current process, built once per database (or Cosmos connection). */
export function getStores(settings: Settings = process.env): StoreSet {
  const kind = storeKindOf(settings);
  const key =
    kind === 'local'
      ? currentLocalHost()?.documents
      : `${settings.CosmosDBConnection}|${settings.CosmosDBConnection__accountEndpoint}|${settings.COSMOS_DATABASE}`;
  if (cached && cached.key === key && key !== undefined) return cached.stores;
  const stores = createStores(settings);
  cached = { key, stores };
  return stores;
}

/**
 * New stores for these settings (see the module comment). `cosmos` options give an identity-based
 * connection its credential (default `DefaultAzureCredential`) and the client an agent.
 */
export function createStores(settings: Settings = process.env, cosmos: CosmosClientOptions = {}): StoreSet {
  const databaseName = settings.COSMOS_DATABASE || DEFAULT_DATABASE;
  if (storeKindOf(settings) === 'cosmos') {
    // Required lazily so that the local driver never loads the Cosmos SDK.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const connections = require('./cosmos/cosmosConnection') as typeof import('./cosmos/cosmosConnection');
    let connection;
    try {
      connection = connections.cosmosConnectionOf(settings);
    } catch (error) {
      throw new StoreError('invalid_request', (error as Error).message);
    }
    if (!connection)
      throw new StoreError(
        'invalid_request',
        'CARDFLOW_STORE=cosmos needs the CosmosDBConnection setting (a connection string) or CosmosDBConnection__accountEndpoint (keyless)',
      );
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const stores = require('./cosmos/cosmosStores') as typeof import('./cosmos/cosmosStores');
    return stores.createCosmosStores({
      client: connections.cosmosClientOf(connection, cosmos),
      databaseName,
      provision: connection.kind === 'identity' ? 'existing' : 'create',
    });
  }
  const local = currentLocalHost();
  if (!local) {
    throw new StoreError(
      'store_unavailable',
      'CARDFLOW_STORE=local but no local host is running this app: start it with `npm start`, or set CARDFLOW_STORE=cosmos',
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createLocalStores } = require('./local/localStores') as typeof import('./local/localStores');
  return createLocalStores(local.documents, { databaseName, clock: local.clock });
}

export * from './errors';
export * from './ports';
export { fromEventDocument, type EventDocument } from './eventStore';
export { CONTAINERS, DEFAULT_DATABASE } from './layout';
export { currentLocalHost, runsOnLocalHost } from './localHost';
export { storeKindOf, type StoreKind } from './storeKind';
