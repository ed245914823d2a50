import { Database } from '@cardflow/local-host';
import { createLocalStores } from './local/localStores';
import { LocalDocumentStore } from '@cardflow/local-host';
import { describeStoreConformance } from './test/conformance';

let db: Database;

describeStoreConformance('local', {
  async setUp() {
    db = new Database(':memory:');
    return createLocalStores(new LocalDocumentStore(db), { databaseName: 'cardflow' });
  },
  reconnect() {
    return createLocalStores(new LocalDocumentStore(db), { databaseName: 'cardflow' });
  },
  async tearDown() {
    db.close();
  },
});
