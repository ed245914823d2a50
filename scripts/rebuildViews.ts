/**
 * `npm run rebuild-views [-- --data-dir D]`: deletes the read models and rebuilds them from the
 * event store, printing progress. Settings as the host reads them (local.settings.json Values,
 * overridden by the environment): CARDFLOW_STORE (`local` default: the SQLite file
 * `<CARDFLOW_DATA_DIR or .data>/cardflow.db`, opened the way the host opens it; `cosmos`:
 * CosmosDBConnection, or keyless CosmosDBConnection__accountEndpoint, and COSMOS_DATABASE). Stop the host first: a running primary handler would
 * write views while they are rebuilt.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { Database } from '@cardflow/local-host';
import { rebuildViews, type RebuildProgress, type RebuildSources } from '../functions/events/rebuildViews';
import { loadSettings } from '../functions/settings';
import { applySettings, readLocalSettings } from '@cardflow/local-host';
import { DATA_FILE_NAME } from '@cardflow/local-host';
import { createLocalStores } from '../stores/local/localStores';
import { LocalDocumentStore } from '@cardflow/local-host';
import type { StoreSet } from '../stores/ports';

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** The ports and raw containers a rebuild works on, from either driver's store set. */
function sourcesOf(stores: StoreSet): RebuildSources {
  return {
    events: stores.events,
    views: stores.views,
    eventsContainer: stores.containers.events,
    viewsContainer: stores.containers.views,
    now: () => new Date().toISOString(),
  };
}

function localSources(
  dataDir: string,
  databaseName: string,
): { sources: RebuildSources; close: () => void; file: string } {
  const file = path.resolve(dataDir, DATA_FILE_NAME);
  if (!existsSync(file))
    throw new Error(`no local database at ${file} (set CARDFLOW_DATA_DIR or --data-dir)`);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return {
    sources: sourcesOf(createLocalStores(new LocalDocumentStore(db), { databaseName })),
    close: () => db.close(),
    file,
  };
}

async function cosmosSources(
  env: NodeJS.ProcessEnv,
  databaseName: string,
): Promise<{ sources: RebuildSources; close: () => void; file: string }> {
  // A connection string (a key), or keyless (CosmosDBConnection__accountEndpoint, signed in with
  // DefaultAzureCredential: your Azure CLI sign-in, with Cosmos DB Built-in Data Contributor).
  const { cosmosClientOf, cosmosConnectionOf } = await import('../stores/cosmos/cosmosConnection');
  const { createCosmosStores } = await import('../stores/cosmos/cosmosStores');
  const connection = cosmosConnectionOf(env);
  if (!connection) throw new Error('CosmosDBConnection or CosmosDBConnection__accountEndpoint is not set');
  const client = cosmosClientOf(connection);
  const provision = connection.kind === 'identity' ? 'existing' : 'create';
  return {
    sources: sourcesOf(createCosmosStores({ client, databaseName, provision })),
    close: () => client.dispose(),
    file: `${new URL(connection.endpoint).host}/${databaseName}`,
  };
}

function bar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

async function main(): Promise<void> {
  const appRoot = process.cwd();
  applySettings(readLocalSettings(appRoot));
  const dataDirFlag = argument('--data-dir');
  const settings = loadSettings(process.env);
  const target =
    settings.store === 'cosmos'
      ? await cosmosSources(process.env, settings.cosmosDatabase)
      : localSources(path.resolve(appRoot, dataDirFlag ?? settings.dataDir), settings.cosmosDatabase);
  process.stdout.write(`Rebuilding views of ${target.file}\n`);
  const started = Date.now();
  let lastLine = 0;
  const show = (progress: RebuildProgress): void => {
    if (progress.phase === 'deleting') process.stdout.write(`Deleted ${progress.deleted} view document(s)\n`);
    if (
      progress.phase === 'replaying' &&
      (Date.now() - lastLine > 200 || progress.streamsDone === progress.streams)
    ) {
      lastLine = Date.now();
      const line = `${bar(progress.streamsDone, progress.streams)} ${progress.streamsDone}/${progress.streams} streams, ${progress.events} events`;
      process.stdout.write(process.stdout.isTTY ? `\r${line}` : `${line}\n`);
    }
  };
  try {
    const summary = await rebuildViews(target.sources, show);
    if (process.stdout.isTTY) process.stdout.write('\n');
    process.stdout.write(
      `Done in ${Date.now() - started} ms: ${summary.streams} streams, ${summary.events} events replayed, ` +
        `${summary.approvals} approvals inbox entries, ${summary.audited} audit records (${summary.deleted} old view documents deleted)\n`,
    );
  } finally {
    target.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`rebuild-views failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
