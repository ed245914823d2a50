/**
 * The local driver when SQLite cannot serve: the database locked by another process, or closed by
 * the host. Every port answers `store_unavailable` (503), as the Cosmos driver does when Cosmos DB
 * cannot be reached, so the HTTP API answers 503 and the handlers retry, instead of a raw SqliteError.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Database } from '@cardflow/local-host';
import { isStoreError } from '../errors';
import type { StoreSet, StoredEvent } from '../ports';
import { createLocalStores } from './localStores';
import { LocalDocumentStore } from '@cardflow/local-host';

const event: StoredEvent = {
  id: 'account-l1/e1',
  streamId: 'account-l1',
  version: 1,
  type: 'Happened',
  data: {},
  metadata: {},
  schemaVersion: 1,
};

const operations: Array<[string, (stores: StoreSet) => Promise<unknown>]> = [
  ['commands.submit', (s) => s.commands.submit({ id: 'cmd-l1', type: 'OpenAccount', data: {} })],
  ['views.put', (s) => s.views.put({ id: 'account', pk: 'account-l1' })],
  ['events.append', (s) => s.events.append('account-l1', 0, [event] as never)],
];

async function failure(operation: Promise<unknown>): Promise<unknown> {
  return operation.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
}

describe('the local driver with SQLite unavailable', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cardflow-unavailable-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(operations)(
    '%s fails with store_unavailable while another process locks the database',
    async (_, op) => {
      const file = path.join(dir, 'store.db');
      // No busy wait: the lock is held for the whole test.
      const db = new Database(file, { timeout: 0 });
      const stores = createLocalStores(new LocalDocumentStore(db), { databaseName: 'cardflow' });
      const other = new Database(file);
      other.exec('BEGIN EXCLUSIVE');
      try {
        const error = await failure(op(stores));
        expect(isStoreError(error, 'store_unavailable')).toBe(true);
        expect(error).toMatchObject({ status: 503, message: expect.stringMatching(/SQLITE_BUSY|locked/) });
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      // Once the lock is gone the same stores work again.
      await op(stores);
      db.close();
    },
  );

  it.each(operations)('%s fails with store_unavailable once the host closed the database', async (_, op) => {
    const db = new Database(':memory:');
    const stores = createLocalStores(new LocalDocumentStore(db), { databaseName: 'cardflow' });
    db.close();
    const error = await failure(op(stores));
    expect(isStoreError(error, 'store_unavailable')).toBe(true);
  });
});
