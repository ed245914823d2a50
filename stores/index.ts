/**
 * How app code obtains the stores: `getStores()`.
 *
 * `CARDFLOW_STORE` chooses the driver: `local` (default) or `cosmos`.
 * - local: the local document store on the host's SQLite database, which the local host publishes
 *   when it starts (runtime/docstore/localDatabase.ts), so functions, activities and the
 *   `cosmosDBTrigger` service all see one database. Outside a host, call
 *   `createLocalStores(db, ...)` yourself.
 * - cosmos: Azure Cosmos DB at `CosmosDBConnection` (`AccountEndpoint=...;AccountKey=...;`), in the
 *   database `COSMOS_DATABASE` (default `cardflow`). This is what runs in Azure.
 *
 * @example
 * const { events, commands, views } = getStores();
 * await commands.submit({ id, type: 'OpenAccount', data });
 */
import { getLocalDatabase } from '../runtime/docstore/localDatabase';
import { StoreError } from './errors';
import { DEFAULT_DATABASE } from './layout';
import type { StoreSet } from './ports';

export type Settings = Readonly<Record<string, string | undefined>>;

let cached: { key: unknown; stores: StoreSet } | undefined;

/** The stores for the current process, built once per database (or Cosmos connection). */
export function getStores(settings: Settings = process.env): StoreSet {
  const kind = storeKind(settings);
  const key =
    kind === 'local' ? getLocalDatabase()?.db : `${settings.CosmosDBConnection}|${settings.COSMOS_DATABASE}`;
  if (cached && cached.key === key && key !== undefined) return cached.stores;
  const stores = createStores(settings);
  cached = { key, stores };
  return stores;
}

/** New stores for these settings (see the module comment). */
export function createStores(settings: Settings = process.env): StoreSet {
  const databaseName = settings.COSMOS_DATABASE || DEFAULT_DATABASE;
  if (storeKind(settings) === 'cosmos') {
    const connection = settings.CosmosDBConnection;
    if (!connection)
      throw new StoreError('invalid_request', 'CARDFLOW_STORE=cosmos needs the CosmosDBConnection setting');
    // Required lazily so that the local driver never loads the Cosmos SDK.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cosmos = require('./cosmos/cosmosStores') as typeof import('./cosmos/cosmosStores');
    return cosmos.createCosmosStores({ client: cosmos.cosmosClientFor(connection), databaseName });
  }
  const local = getLocalDatabase();
  if (!local) {
    throw new StoreError(
      'store_unavailable',
      'CARDFLOW_STORE=local but no local host database is published: run inside the local host, or use createLocalStores(db, ...)',
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createLocalStores } = require('./local/localStores') as typeof import('./local/localStores');
  return createLocalStores(local.db, { databaseName, clock: local.clock });
}

function storeKind(settings: Settings): 'local' | 'cosmos' {
  const kind = settings.CARDFLOW_STORE ?? 'local';
  if (kind !== 'local' && kind !== 'cosmos') {
    throw new StoreError('invalid_request', `CARDFLOW_STORE is 'local' or 'cosmos', not '${kind}'`);
  }
  return kind;
}

export * from './errors';
export * from './ports';
export { fromEventDocument, type EventDocument } from './eventStore';
export { CONTAINERS, DEFAULT_DATABASE } from './layout';
