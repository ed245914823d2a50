/**
 * The app in its Azure configuration on the local host: the deployable package (`npm run package`,
 * from the compiled `dist/`), `CARDFLOW_STORE=cosmos` against @vercel/cosmosdb-server with the
 * containers infra/ declares, the Cosmos DB triggers served from that account
 * (`LOCAL_HOST_COSMOS_TRIGGER=connection`), and Event Grid through the topic client to the host's
 * topic, which delivers to the secondary handlers. Durable Functions run on the host's backend.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { createTestHost, VirtualClock, type TestHost } from '@cardflow/local-host';
import { buildPackage } from '../../scripts/package';
import { CONTAINERS } from '../../stores/layout';
import { Callers } from '../support/callers';
import { DATABASE, eventually, type AzureConfiguredApp } from './transferFlow';

export const REPO = path.resolve(__dirname, '..', '..');
const TOPIC_KEY = 'azure-config-topic-key';

export interface AzureApp extends AzureConfiguredApp {
  host: TestHost;
  settings: Record<string, string>;
  stop(): Promise<void>;
}

/** The deployable package in a temporary folder, from the build, its dependencies the repository's. */
export function packageFromBuild(root: string): string {
  const out = path.join(root, 'functionapp');
  buildPackage({ out, install: false, fromBuild: 'dist', log: () => undefined });
  // The production dependencies, resolved from the repository's installation (the package test
  // installs them from the lockfile; here the same versions, without a second install).
  symlinkSync(path.join(REPO, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  return out;
}

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The database and containers, partitioned as the code's layout says: what infra/ deploys. */
export async function provision(client: CosmosClient): Promise<void> {
  const { database } = await client.databases.createIfNotExists({ id: DATABASE });
  for (const [id, partitionKey] of Object.entries(CONTAINERS))
    await database.containers.createIfNotExists({ id, partitionKey: { paths: [partitionKey] } });
}

export async function startAzureApp(): Promise<AzureApp> {
  const server: Server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cosmosEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const cosmos = new CosmosClient({
    endpoint: cosmosEndpoint,
    key: 'dGVzdA==',
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  await provision(cosmos);

  const root = mkdtempSync(path.join(os.tmpdir(), 'cardflow-azure-'));
  const out = packageFromBuild(root);

  const port = await freePort();
  const settings = {
    CARDFLOW_STORE: 'cosmos',
    CosmosDBConnection: `AccountEndpoint=${cosmosEndpoint};AccountKey=dGVzdA==;`,
    COSMOS_DATABASE: DATABASE,
    EVENTGRID_TOPIC_ENDPOINT: `http://127.0.0.1:${port}/runtime/eventgrid/topics/cardflow`,
    EVENTGRID_TOPIC_KEY: TOPIC_KEY,
    EVENTGRID_SUBSCRIPTIONS_FILE: path.join(REPO, 'eventgrid.local.json'),
    LOCAL_HOST_COSMOS_TRIGGER: 'connection',
  };
  // The app's clock is the system clock (CARDFLOW_STORE=cosmos): the host's starts at the same time.
  const host = await createTestHost({ appRoot: out, port, settings, clock: new VirtualClock(Date.now()) });
  const callers = new Callers(host);
  const answer = async (response: Response) => {
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  return {
    host,
    as: (id, role) => callers.as(id, role),
    cosmos,
    settings,
    post: async (route, body, headers) =>
      answer(
        await host.fetch(route, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        }),
      ),
    get: async (route, headers) => answer(await host.fetch(route, { headers })),
    eventually,
    async stop() {
      await host.stop();
      cosmos.dispose();
      await new Promise((resolve) => server.close(resolve));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
