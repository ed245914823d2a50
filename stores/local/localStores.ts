/**
 * The store ports on the local host's document store (SQLite), with the same containers and
 * partition keys as in Cosmos DB, so `app.cosmosDB` triggers on them fire locally.
 */
import type { LocalHostDocuments } from '../localHost';
import type { StoreSet } from '../ports';
import { CONTAINERS, type ContainerName } from '../layout';
import { storeSetOn } from '../storeSet';
import { LocalDocumentContainer } from './localContainer';

export interface LocalStoresOptions {
  /** The database name containers live under (the triggers' `databaseName`). */
  databaseName: string;
  /** Where command times come from; default the system clock. */
  clock?: { now(): number };
}

/** The stores on `documents`: the local host's document store (from the seam, or a test's own). */
export function createLocalStores(documents: LocalHostDocuments, options: LocalStoresOptions): StoreSet {
  const containerOf = (name: ContainerName): LocalDocumentContainer =>
    new LocalDocumentContainer(
      documents.container(options.databaseName, name, { partitionKeyPath: CONTAINERS[name] }),
    );
  containerOf('leases');
  const clock = options.clock;
  const now = clock ? () => clock.now() : Date.now;
  const containers = {
    commands: containerOf('commands'),
    events: containerOf('events'),
    views: containerOf('views'),
  };
  return storeSetOn(containers, now);
}
