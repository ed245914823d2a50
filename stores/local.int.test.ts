import Database from 'better-sqlite3';
import { createLocalStores } from './local/localStores';
import { describeStoreConformance } from './test/conformance';

let db: Database.Database;

describeStoreConformance('local', {
  async setUp() {
    db = new Database(':memory:');
    return createLocalStores(db, { databaseName: 'cardflow' });
  },
  reconnect() {
    return createLocalStores(db, { databaseName: 'cardflow' });
  },
  async tearDown() {
    db.close();
  },
});
