/**
 * The Azure configuration, run end to end on this machine with keys: the deployable package on the
 * local host with Azure's settings (test/azure/azureHarness.ts) — the Cosmos driver writes to a
 * Cosmos account (@vercel/cosmosdb-server, a connection string), the Cosmos DB trigger reads that
 * account's containers, events leave through the Event Grid topic client (the topic's key) and
 * reach the secondary handlers. The keyless run: keylessConfiguration.e2e.test.ts.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO, startAzureApp, type AzureApp } from './azureHarness';
import { DATABASE, expectTransferFlow } from './transferFlow';

/** The projections in the views container, without what legitimately differs between two builds. */
async function projections(): Promise<unknown[]> {
  const { resources } = await app.cosmos.database(DATABASE).container('views').items.readAll().fetchAll();
  return (resources as Array<Record<string, unknown>>)
    .filter((d) => typeof d.pk === 'string' && /^(account-|transfer-|audit-|approvals$)/.test(d.pk))
    .map((d) =>
      Object.fromEntries(Object.entries(d).filter(([k]) => !k.startsWith('_') && k !== 'recordedAt')),
    )
    .sort((a, b) => `${String(a.pk)}/${String(a.id)}`.localeCompare(`${String(b.pk)}/${String(b.id)}`));
}

let app: AzureApp;
beforeAll(async () => {
  app = await startAzureApp();
}, 60_000);
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
  }, 60_000);

  it('rebuilds the same views on Cosmos DB with npm run rebuild-views, the host stopped', async () => {
    const before = await projections();
    expect(before.length).toBeGreaterThan(5);
    await app.host.stop();
    const { CARDFLOW_STORE, CosmosDBConnection, COSMOS_DATABASE, EVENTGRID_TOPIC_ENDPOINT } = app.settings;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(REPO, 'dist/scripts/rebuildViews.js')],
      {
        cwd: path.join(REPO, 'test'),
        env: {
          PATH: process.env.PATH,
          CARDFLOW_STORE,
          CosmosDBConnection,
          COSMOS_DATABASE,
          EVENTGRID_TOPIC_ENDPOINT,
        },
      },
    );
    expect(stdout).toMatch(/Rebuilding views of 127\.0\.0\.1:\d+\/cardflow/);
    expect(await projections()).toEqual(before);
  }, 60_000);
});
