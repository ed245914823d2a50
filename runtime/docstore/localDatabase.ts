/**
 * How app code running inside the local host reaches the host's database: the Cosmos DB trigger
 * service (started by every host) publishes the host's SQLite database and clock here, and
 * `getStores()` (stores/index.ts) builds the local store driver on whatever is published. One host
 * per process at a time; a test that starts a second host after stopping the first gets the new one.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Clock } from '../clock';
import { currentHostDb } from '../hostScope';

export interface LocalDatabase {
  db: BetterSqlite3.Database;
  clock: Clock;
}

// Kept on globalThis so that every copy of this module in the process sees the same database: under
// jest the host runs from the TypeScript sources while the app it loads requires the compiled dist/.
const SLOT = Symbol.for('cardflow.localDatabase');
const BY_HOST = Symbol.for('cardflow.localDatabaseByHost');
const slot = globalThis as {
  [SLOT]?: LocalDatabase;
  [BY_HOST]?: Map<BetterSqlite3.Database, LocalDatabase>;
};
const byHost = (slot[BY_HOST] ??= new Map());

/**
 * Publishes the host's database (done by the host's local document store service on start).
 * `hostDb` is the host's own database, which identifies the host (see runtime/hostScope.ts).
 */
export function setLocalDatabase(
  database: LocalDatabase,
  hostDb: BetterSqlite3.Database = database.db,
): void {
  slot[SLOT] = database;
  byHost.set(hostDb, database);
}

/** Withdraws it (on host stop). */
export function clearLocalDatabase(db: BetterSqlite3.Database): void {
  if (slot[SLOT]?.db === db) slot[SLOT] = undefined;
  for (const [hostDb, database] of byHost) if (database.db === db) byHost.delete(hostDb);
}

/**
 * The database of the host running the current invocation — none once that host has stopped, even
 * when another host has started since. Outside invocations (scripts, tests): the last one published.
 */
export function getLocalDatabase(): LocalDatabase | undefined {
  const hostDb = currentHostDb();
  return hostDb ? byHost.get(hostDb) : slot[SLOT];
}

// Host database → the database its documents live in, when LocalDocumentStoreService was given a file of their own.
const documentDatabases = new WeakMap<BetterSqlite3.Database, BetterSqlite3.Database>();

/** Records that the documents of the host owning `hostDb` live in `documentsDb`. */
export function setDocumentDatabase(
  hostDb: BetterSqlite3.Database,
  documentsDb: BetterSqlite3.Database,
): void {
  documentDatabases.set(hostDb, documentsDb);
}

/** The database holding the documents of the host owning `hostDb` (that database itself by default). */
export function documentDatabaseOf(hostDb: BetterSqlite3.Database): BetterSqlite3.Database {
  return documentDatabases.get(hostDb) ?? hostDb;
}
