/**
 * The store ports on the runtime's local document store (SQLite), with the same containers and
 * partition keys as in Cosmos DB, so `app.cosmosDB` triggers on them fire locally.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Clock } from '../../runtime/clock';
import { LocalDocumentStore } from '../../runtime/docstore/documentStore';
import { ContainerCommandStore } from '../commandStore';
import { ContainerEventStore } from '../eventStore';
import type { StoreSet } from '../ports';
import { CONTAINERS, type ContainerName } from '../layout';
import { ContainerViews } from '../views';
import { LocalDocumentContainer } from './localContainer';

export interface LocalStoresOptions {
  /** The database name containers live under (the triggers' `databaseName`). */
  databaseName: string;
  clock?: Clock;
}

export function createLocalStores(db: BetterSqlite3.Database, options: LocalStoresOptions): StoreSet {
  const store = new LocalDocumentStore(db, { clock: options.clock });
  const containerOf = (name: ContainerName): LocalDocumentContainer =>
    new LocalDocumentContainer(
      store.container(options.databaseName, name, { partitionKeyPath: CONTAINERS[name] }),
    );
  containerOf('leases');
  const now = options.clock ? () => (options.clock as Clock).now() : Date.now;
  const containers = {
    commands: containerOf('commands'),
    events: containerOf('events'),
    views: containerOf('views'),
  };
  return {
    events: new ContainerEventStore(containers.events),
    commands: new ContainerCommandStore(containers.commands, now),
    views: new ContainerViews(containers.views),
    containers,
  };
}
