/**
 * The Azure configuration, run end to end on this machine with keys: the deployable package on the
 * local host with Azure's settings (test/azure/azureHarness.ts) — the Cosmos driver writes to a
 * Cosmos account (@vercel/cosmosdb-server, a connection string), the Cosmos DB trigger reads that
 * account's containers, events leave through the Event Grid topic client (the topic's key) and
 * reach the secondary handlers. The keyless run: keylessConfiguration.e2e.test.ts.
 */
import { startAzureApp, type AzureApp } from './azureHarness';
import { expectTransferFlow } from './transferFlow';

let app: AzureApp;
beforeAll(async () => {
  app = await startAzureApp();
}, 30_000);
afterAll(() => app?.stop());

describe('the Azure configuration on the local host, with keys', () => {
  it('runs the whole transfer flow through Cosmos DB, its change feed and Event Grid, conserving money', async () => {
    await expectTransferFlow(app);
    // Nothing of the documents went to the host's local store, and nothing failed.
    const local = app.host.db.prepare("SELECT name FROM sqlite_master WHERE name = 'doc_items'").all();
    const count = local.length
      ? (app.host.db.prepare('SELECT COUNT(*) AS n FROM doc_items').get() as { n: number }).n
      : 0;
    expect(count).toBe(0);
    expect(app.host.logs.lines('error')).toEqual([]);
  }, 30_000);
});
