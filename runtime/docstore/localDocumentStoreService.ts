/**
 * Publishes the local document store's database to app code (`getStores()` in stores/) and to the
 * Cosmos DB trigger service. First of the default services, so that every service and function
 * sees it. By default the documents live in the host's database; `dataFile` puts them in a file
 * of their own (WAL, synchronous=FULL; each write commits on its own there, outside the host's group commit).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Database } from '../sqlite';
import type { HostContext, HostService } from '../contracts';
import { LocalDocumentStore } from './documentStore';
import { clearLocalDatabase, setDocumentDatabase, setLocalDatabase } from './localDatabase';

export interface LocalDocumentStoreOptions {
  /** A separate SQLite file for the documents (default: the host's database). */
  dataFile?: string;
}

export class LocalDocumentStoreService implements HostService {
  readonly name = 'localDocumentStore';
  private db?: Database;
  private ownsDb = false;

  constructor(private readonly options: LocalDocumentStoreOptions = {}) {}

  start(ctx: HostContext): void {
    const { dataFile } = this.options;
    if (dataFile !== undefined) {
      if (dataFile !== ':memory:') mkdirSync(path.dirname(path.resolve(dataFile)), { recursive: true });
      this.db = new Database(dataFile);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('busy_timeout = 5000');
      this.ownsDb = true;
      setDocumentDatabase(ctx.db, this.db);
    } else {
      this.db = ctx.db;
    }
    new LocalDocumentStore(this.db, { clock: ctx.clock });
    setLocalDatabase({ db: this.db, clock: ctx.clock }, ctx.db);
  }

  stop(): void {
    if (!this.db) return;
    clearLocalDatabase(this.db);
    if (this.ownsDb) this.db.close();
    this.db = undefined;
  }
}
