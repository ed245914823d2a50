/**
 * The keyless path, as infra/ deploys it: the Cosmos driver built from
 * `CosmosDBConnection__accountEndpoint` signs in with a token credential — here @azure/identity's
 * real ManagedIdentityCredential against the App Service managed-identity endpoint protocol
 * (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`) served on loopback — and talks to the Cosmos test server
 * over https (which ignores what the token says). It creates no database and no container: a
 * missing one, or one partitioned otherwise than the code's layout, is a store outage naming it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CosmosClient } from '@azure/cosmos';
import { ManagedIdentityCredential } from '@azure/identity';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { createStores, isStoreError } from '../index';
import { CONTAINERS } from '../layout';

const DATABASE = 'keyless';
let cosmos: Server;
let endpoint: string;
let identityEndpoint: Server;
const tokenRequests: Array<{ resource: string | null; header: string | undefined }> = [];
const authorizations: string[] = [];
const environment = { ...process.env };
// The test server's bundled certificate is self-signed and long expired: this agent trusts it.
// What is under test is the credential, not TLS.
const agent = new Agent({ rejectUnauthorized: false });
let keyClient: CosmosClient;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  cosmos = createHttpsServer();
  cosmos.prependListener('request', (req: IncomingMessage) => {
    authorizations.push(String(req.headers.authorization));
  });
  endpoint = `https://127.0.0.1:${await listen(cosmos)}/`;
  // The App Service / Functions managed-identity endpoint: GET ?resource=...&api-version=2019-08-01
  // with the X-IDENTITY-HEADER secret; answers the token and when it expires (seconds).
  identityEndpoint = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    tokenRequests.push({
      resource: url.searchParams.get('resource'),
      header: req.headers['x-identity-header'] as string | undefined,
    });
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        access_token: 'token-of-the-function-app',
        expires_on: String(Math.floor(Date.now() / 1000) + 3600),
        resource: url.searchParams.get('resource'),
        token_type: 'Bearer',
      }),
    );
  });
  process.env.IDENTITY_ENDPOINT = `http://127.0.0.1:${await listen(identityEndpoint)}/msi/token`;
  process.env.IDENTITY_HEADER = 'identity-header-secret';
  keyClient = new CosmosClient({
    endpoint,
    key: 'dGVzdA==',
    agent,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
});

afterAll(async () => {
  process.env = environment;
  keyClient.dispose();
  await new Promise((resolve) => cosmos.close(resolve));
  await new Promise((resolve) => identityEndpoint.close(resolve));
});

const settings = () => ({
  CARDFLOW_STORE: 'cosmos',
  CosmosDBConnection__accountEndpoint: endpoint,
  COSMOS_DATABASE: DATABASE,
});

async function databases(): Promise<string[]> {
  const { resources } = await keyClient.databases.readAll().fetchAll();
  return resources.map((d) => d.id);
}

describe('the Cosmos driver on an identity-based connection', () => {
  it('creates nothing: without the deployed containers every request is a store outage naming the container', async () => {
    const stores = createStores(settings(), { credential: new ManagedIdentityCredential(), agent });
    const error = await stores.commands.submit({ id: 'cmd-k1', type: 'OpenAccount', data: {} }).then(
      () => new Error('expected a failure'),
      (e: unknown) => e,
    );
    expect(isStoreError(error, 'store_unavailable')).toBe(true);
    expect((error as Error).message).toMatch(/keyless\/commands does not exist.*deploy infra/);
    expect(await databases()).not.toContain(DATABASE);
  });

  it('signs in with the managed identity, for the account’s scope, and works on the deployed containers', async () => {
    const { database } = await keyClient.databases.createIfNotExists({ id: DATABASE });
    for (const [id, path] of Object.entries(CONTAINERS))
      await database.containers.createIfNotExists({ id, partitionKey: { paths: [path] } });
    authorizations.length = 0;

    const stores = createStores(settings(), { credential: new ManagedIdentityCredential(), agent });
    expect(await stores.commands.submit({ id: 'cmd-k2', type: 'OpenAccount', data: {} })).toBe('created');
    expect(await stores.commands.get('cmd-k2')).toMatchObject({ id: 'cmd-k2', type: 'OpenAccount' });

    // The identity caches its token (the first test signed in already).
    expect(tokenRequests.length).toBeGreaterThan(0);
    expect(tokenRequests[0]).toEqual({
      resource: endpoint.replace(/\/$/, ''),
      header: 'identity-header-secret',
    });
    expect(authorizations.length).toBeGreaterThan(0);
    for (const authorization of authorizations)
      expect(decodeURIComponent(authorization)).toBe('type=aad&ver=1.0&sig=token-of-the-function-app');
    const { resources: containers } = await database.containers.readAll().fetchAll();
    expect(containers.map((c) => c.id).sort()).toEqual(Object.keys(CONTAINERS).sort());
  });

  it('refuses a container partitioned otherwise than the code’s layout', async () => {
    const { database } = await keyClient.databases.createIfNotExists({ id: 'keyless-misdeployed' });
    for (const [id, path] of Object.entries(CONTAINERS))
      await database.containers.createIfNotExists({
        id,
        partitionKey: { paths: [id === 'events' ? '/id' : path] },
      });
    const stores = createStores(
      { ...settings(), COSMOS_DATABASE: 'keyless-misdeployed' },
      { credential: new ManagedIdentityCredential(), agent },
    );
    await expect(stores.events.readStream('account-k1')).rejects.toMatchObject({
      status: 503,
      message: expect.stringMatching(/events is partitioned by \/id, the app needs \/streamId/),
    });
  });

  it('names a malformed connection instead of failing later', () => {
    expect(() =>
      createStores({ CARDFLOW_STORE: 'cosmos', CosmosDBConnection__accountEndpoint: 'not a url' }),
    ).toThrow(
      expect.objectContaining({ code: 'invalid_request', message: expect.stringMatching(/accountEndpoint/) }),
    );
    expect(() =>
      createStores({ CARDFLOW_STORE: 'cosmos', CosmosDBConnection: 'AccountEndpoint=https://a/' }),
    ).toThrow(
      expect.objectContaining({ code: 'invalid_request', message: expect.stringMatching(/AccountKey/) }),
    );
    expect(() => createStores({ CARDFLOW_STORE: 'cosmos' })).toThrow(/CosmosDBConnection__accountEndpoint/);
  });
});
