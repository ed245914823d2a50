/**
 * What the host hands to the app it runs: its clock and its local document store, published on one
 * well-known `globalThis` slot (the app-host seam, documented in docs/architecture.md). The app looks
 * the slot up only when it runs on the local host (`CARDFLOW_STORE=local`); in Azure nothing fills it.
 * The Cosmos DB trigger service reads the same database. One host per process at a time; work that
 * belongs to a stopped host sees nothing, even when another host has started since.
 */
import type { Database } from '../sqlite';
import type { Clock } from '../clock';
import { currentHostDb } from '../hostScope';
import { LocalDocumentStore } from './documentStore';

export interface LocalDatabase {
  db: Database;
  clock: Clock;
}

/** What `globalThis[Symbol.for('azure-functions-local-host')].current()` answers. */
export interface LocalHostResources {
  /** The host's clock: virtual in tests, so app-side times follow simulated time. */
  readonly clock: Clock;
  /** The host's document store: containers (created on first use) with the change feed its triggers read. */
  readonly documents: LocalDocumentStore;
}

/** The seam's shape on `globalThis`; stable, so that an app built against another copy of the host still finds it. */
export interface LocalHostSeam {
  /** The host serving the current invocation; outside invocations, the last one started. */
  current(): LocalHostResources | undefined;
}

/** The slot's name, shared with the app by value: the app imports nothing from the host. */
export const LOCAL_HOST_SEAM = Symbol.for('azure-functions-local-host');

interface Published extends LocalDatabase {
  resources: LocalHostResources;
}

// On globalThis, like the seam itself, so that two copies of the host in one process (its sources
// and its build) publish to and read from the same place.
const SLOT = Symbol.for('azure-functions-local-host.database');
const BY_HOST = Symbol.for('azure-functions-local-host.databaseByHost');
const slot = globalThis as {
  [SLOT]?: Published;
  [BY_HOST]?: Map<Database, Published>;
  [LOCAL_HOST_SEAM]?: LocalHostSeam;
};
const byHost = (slot[BY_HOST] ??= new Map());

function currentPublished(): Published | undefined {
  const hostDb = currentHostDb();
  return hostDb ? byHost.get(hostDb) : slot[SLOT];
}

/** What the seam answers now: the resources of the host whose scope this runs in. */
export function localHostResources(): LocalHostResources | undefined {
  return currentPublished()?.resources;
}

/** Installs the seam; done by loading the host, before it loads any app. */
export function installLocalHostSeam(): void {
  slot[LOCAL_HOST_SEAM] ??= { current: localHostResources };
}

/**
 * Publishes the host's database (done by the host's local document store service on start).
 * `hostDb` is the host's own database, which identifies the host (see runtime/hostScope.ts).
 */
export function setLocalDatabase(database: LocalDatabase, hostDb: Database = database.db): void {
  installLocalHostSeam();
  const resources = {
    clock: database.clock,
    documents: new LocalDocumentStore(database.db, { clock: database.clock }),
  };
  const published = { ...database, resources };
  slot[SLOT] = published;
  byHost.set(hostDb, published);
}

/** Withdraws it (on host stop). */
export function clearLocalDatabase(db: Database): void {
  if (slot[SLOT]?.db === db) slot[SLOT] = undefined;
  for (const [hostDb, database] of byHost) if (database.db === db) byHost.delete(hostDb);
}

/**
 * The database of the host running the current invocation — none once that host has stopped, even
 * when another host has started since. Outside invocations (scripts, tests): the last one published.
 */
export function getLocalDatabase(): LocalDatabase | undefined {
  const published = currentPublished();
  return published && { db: published.db, clock: published.clock };
}

// Host database → the database its documents live in, when LocalDocumentStoreService was given a file of their own.
const documentDatabases = new WeakMap<Database, Database>();

/** Records that the documents of the host owning `hostDb` live in `documentsDb`. */
export function setDocumentDatabase(hostDb: Database, documentsDb: Database): void {
  documentDatabases.set(hostDb, documentsDb);
}

/** The database holding the documents of the host owning `hostDb` (that database itself by default). */
export function documentDatabaseOf(hostDb: Database): Database {
  return documentDatabases.get(hostDb) ?? hostDb;
}
