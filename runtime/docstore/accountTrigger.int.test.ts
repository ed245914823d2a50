/**
 * The Cosmos DB trigger served from a Cosmos DB account (`LOCAL_HOST_COSMOS_TRIGGER=connection`),
 * against @vercel/cosmosdb-server: documents written through the SDK reach the functions, latest
 * version, in order within every partition, in bounded batches; a failed batch is retried on the
 * host clock and never skipped; connections that name no account, or a keyless one without a
 * credential, leave the function unserved and say why; a keyless connection signs in with the
 * credential the service is given.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CosmosClient, type Database } from '@azure/cosmos';
import { createHttpServer, createHttpsServer } from '@vercel/cosmosdb-server';
import { createTestHost, type TestHost } from '../testHost';
import { AccountChangeFeed, accountConnectionOf, platformIdentityCredential } from './accountChangeFeed';
import { CosmosDBTriggerService } from './cosmosTriggerService';

const APP = join(__dirname, 'test/fixtures/change-feed-app');
const KEY = 'dGVzdA==';

interface Delivery {
  functionName: string;
  documents: Array<{ id: string; pk?: string; seq?: number }>;
  failed: boolean;
}
const fixture = ((globalThis as Record<string, unknown>).changeFeedFixture ??= {
  deliveries: [],
  failures: {},
}) as { deliveries: Delivery[]; failures: Record<string, number> };

/** Waits (real time: the account is polled) until `done`, for at most 5 s. */
async function eventually(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const delivered = (functionName: string, includeFailed = false) =>
  fixture.deliveries
    .filter((d) => d.functionName === functionName && (includeFailed || !d.failed))
    .flatMap((d) => d.documents.map(({ id, pk, seq }) => ({ id, pk, seq })));

let server: Server;
let endpoint: string;
let client: CosmosClient;
let database: Database;
const hosts: TestHost[] = [];

async function listen(s: Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}

async function provision(db: Database): Promise<void> {
  for (const [id, path] of [
    ['items', '/pk'],
    ['events', '/streamId'],
    ['leases', '/id'],
  ])
    await db.containers.createIfNotExists({ id, partitionKey: { paths: [path] } });
}

async function startHost(settings: Record<string, string>, service = new CosmosDBTriggerService()) {
  const host = await createTestHost({
    appRoot: APP,
    services: [service],
    settings: { FIXTURE_DATABASE: 'cardflow', LOCAL_HOST_COSMOS_TRIGGER: 'connection', ...settings },
  });
  hosts.push(host);
  return host;
}

beforeAll(async () => {
  server = createHttpServer();
  endpoint = `http://${await listen(server)}/`;
  client = new CosmosClient({ endpoint, key: KEY, connectionPolicy: { enableEndpointDiscovery: false } });
  ({ database } = await client.databases.createIfNotExists({ id: 'cardflow' }));
  await provision(database);
});

afterAll(async () => {
  client.dispose();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(async () => {
  fixture.deliveries.length = 0;
  fixture.failures = {};
  const items = database.container('items');
  const { resources } = await items.items.readAll<{ id: string; pk: string }>().fetchAll();
  for (const item of resources) await items.item(item.id, item.pk).delete();
});

afterEach(async () => {
  while (hosts.length > 0) await hosts.pop()?.stop();
});

const connection = () => ({ CosmosDBConnection: `AccountEndpoint=${endpoint};AccountKey=${KEY};` });

describe('the Cosmos DB trigger on an account', () => {
  it('delivers what the SDK wrote: the latest version of each document, in order within every partition, in bounded batches', async () => {
    const host = await startHost(connection());
    const items = database.container('items').items;
    // Written while the host polls.
    for (let seq = 1; seq <= 8; seq++) await items.create({ id: `doc-${seq}`, pk: `p${seq % 3}`, seq });
    await host.waitForIdle();

    const seen = delivered('projectItems');
    expect(seen.map((d) => d.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => `doc-${n}`));
    for (const pk of ['p0', 'p1', 'p2']) {
      const inPartition = seen.filter((d) => d.pk === pk).map((d) => d.seq ?? 0);
      expect({ pk, inPartition }).toEqual({ pk, inPartition: [...inPartition].sort((a, b) => a - b) });
    }
    expect(
      fixture.deliveries
        .filter((d) => d.functionName === 'projectItems')
        .every((b) => b.documents.length <= 3),
    ).toBe(true);
    // Two functions on one container each see every change.
    expect(delivered('auditItems')).toEqual(seen);

    // A document written again is delivered again, once.
    await items.upsert({ id: 'doc-3', pk: 'p0', seq: 10 });
    await host.waitForIdle();
    expect(delivered('auditItems').slice(8)).toEqual([{ id: 'doc-3', pk: 'p0', seq: 10 }]);
    expect(delivered('projectItems').slice(8)).toEqual([{ id: 'doc-3', pk: 'p0', seq: 10 }]);
    expect(host.logs.lines('info').some((l) => /from the Cosmos DB account of each connection/.test(l))).toBe(
      true,
    );
  });

  it('retries a failed batch after a backoff on the host clock, and never skips past it', async () => {
    fixture.failures.projectItems = 2;
    // Written before the host starts: its first read finds all four (startFromBeginning).
    for (let seq = 1; seq <= 4; seq++)
      await database.container('items').items.create({ id: `doc-${seq}`, pk: 'p', seq });
    const host = await startHost(connection());
    await host.waitForIdle();
    expect(delivered('auditItems').map((d) => d.seq)).toEqual([1, 2, 3, 4]);
    expect(delivered('projectItems')).toEqual([]);
    expect(
      host.logs.lines('warn').some((l) => /projectItems failed on 3 change\(s\).*retried in 1000 ms/.test(l)),
    ).toBe(true);
    await host.advance(999);
    expect(fixture.deliveries.filter((d) => d.functionName === 'projectItems')).toHaveLength(1);
    await host.advance(1);
    await host.waitForIdle();
    expect(fixture.deliveries.filter((d) => d.functionName === 'projectItems')).toHaveLength(2);
    await host.advance(2000);
    await host.waitForIdle();
    expect(delivered('projectItems').map((d) => d.seq)).toEqual([1, 2, 3, 4]);
  });

  it('leaves a function unserved, saying why, when its connection names no account or a keyless one lacks a credential', async () => {
    const unnamed = await startHost({});
    expect(unnamed.logs.lines('error')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /"projectItems" is not served: neither CosmosDBConnection nor CosmosDBConnection__accountEndpoint is set/,
        ),
      ]),
    );
    await unnamed.stop();
    const keyless = await startHost({ CosmosDBConnection__accountEndpoint: 'https://127.0.0.1:1/' });
    expect(keyless.logs.lines('error')).toEqual(
      expect.arrayContaining([expect.stringMatching(/"auditItems" is not served: .*needs a credential/)]),
    );
    await keyless.stop();
    const broken = await startHost({ CosmosDBConnection: 'AccountEndpoint=http://127.0.0.1:1/' });
    expect(broken.logs.lines('error')).toEqual(
      expect.arrayContaining([expect.stringMatching(/needs AccountEndpoint and AccountKey/)]),
    );
  });

  it('says once that a container cannot be read, keeps trying, and serves it once it exists', async () => {
    const { database: missing } = await client.databases.createIfNotExists({ id: 'not-yet-deployed' });
    const host = await startHost({ ...connection(), FIXTURE_DATABASE: 'not-yet-deployed' });
    await eventually(
      () => host.logs.lines('error').filter((l) => /projectItems cannot read/.test(l)).length === 1,
    );
    // Many polls later, still said once.
    let reads = 0;
    const count = (req: IncomingMessage) => {
      if (req.url?.startsWith('/dbs/not-yet-deployed/colls/items/docs')) reads++;
    };
    server.prependListener('request', count);
    await eventually(() => reads >= 5);
    server.off('request', count);
    expect(
      host.logs.lines('error').filter((l) => /projectItems cannot read not-yet-deployed\/items/.test(l)),
    ).toHaveLength(1);
    await missing.containers.createIfNotExists({ id: 'items', partitionKey: { paths: ['/pk'] } });
    await missing.container('items').items.create({ id: 'late', pk: 'p', seq: 1 });
    await eventually(() => delivered('projectItems').some((d) => d.id === 'late'));
    expect(
      host.logs
        .lines('info')
        .some((l) => /projectItems reads not-yet-deployed\/items on the account again/.test(l)),
    ).toBe(true);
  });

  it('refuses an unknown source', async () => {
    await expect(startHost({ LOCAL_HOST_COSMOS_TRIGGER: 'cloud' })).rejects.toThrow(
      "LOCAL_HOST_COSMOS_TRIGGER is 'local' or 'connection', not 'cloud'",
    );
  });

  it('signs in to a keyless account with the credential it is given, else the platform identity endpoint', async () => {
    const secure: Server = createHttpsServer();
    const authorizations: string[] = [];
    secure.prependListener('request', (req) => authorizations.push(String(req.headers.authorization)));
    const address = await listen(secure);
    // The test server's certificate is self-signed and expired: the agent trusts it.
    const agent = new Agent({ rejectUnauthorized: false });
    const secureClient = new CosmosClient({
      endpoint: `https://${address}/`,
      key: KEY,
      agent,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    try {
      const { database: db } = await secureClient.databases.createIfNotExists({ id: 'cardflow' });
      await provision(db);
      const scopes: string[] = [];
      const credential = {
        getToken: async (scope: string | string[]) => {
          scopes.push(...[scope].flat());
          return { token: 'host-token', expiresOnTimestamp: Date.now() + 3_600_000 };
        },
      };
      authorizations.length = 0;
      const host = await startHost(
        { CosmosDBConnection__accountEndpoint: `https://${address}/` },
        new CosmosDBTriggerService({ credential, agent }),
      );
      await db.container('items').items.create({ id: 'doc-1', pk: 'p', seq: 1 });
      await host.waitForIdle();
      expect(delivered('projectItems')).toEqual([{ id: 'doc-1', pk: 'p', seq: 1 }]);
      expect(scopes).toContain(`https://${address}/.default`);
      expect(authorizations.some((a) => decodeURIComponent(a) === 'type=aad&ver=1.0&sig=host-token')).toBe(
        true,
      );
      await hosts.pop()?.stop();

      // Without a credential given: the platform's managed identity, through its identity endpoint.
      const tokenRequests: Array<{ resource: string | null; clientId: string | null; secret: unknown }> = [];
      const identity = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        tokenRequests.push({
          resource: url.searchParams.get('resource'),
          clientId: url.searchParams.get('client_id'),
          secret: req.headers['x-identity-header'],
        });
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            access_token: 'platform-token',
            expires_on: String(Math.floor(Date.now() / 1000) + 3600),
          }),
        );
      });
      const identityAddress = await listen(identity);
      try {
        authorizations.length = 0;
        const platform = await startHost(
          {
            CosmosDBConnection__accountEndpoint: `https://${address}/`,
            CosmosDBConnection__clientId: 'the-identity-client-id',
            IDENTITY_ENDPOINT: `http://${identityAddress}/msi/token`,
            IDENTITY_HEADER: 'identity-secret',
          },
          new CosmosDBTriggerService({ agent }),
        );
        await db.container('items').items.create({ id: 'doc-2', pk: 'p', seq: 2 });
        await platform.waitForIdle();
        expect(delivered('projectItems').map((d) => d.id)).toEqual(
          expect.arrayContaining(['doc-1', 'doc-2']),
        );
        expect(tokenRequests[0]).toEqual({
          resource: `https://${address}`,
          clientId: 'the-identity-client-id',
          secret: 'identity-secret',
        });
        // One token, reused by every poll until it nears its expiry.
        expect(tokenRequests).toHaveLength(1);
        expect(
          authorizations.some((a) => decodeURIComponent(a) === 'type=aad&ver=1.0&sig=platform-token'),
        ).toBe(true);
      } finally {
        while (hosts.length > 0) await hosts.pop()?.stop();
        await new Promise((resolve) => identity.close(resolve));
      }
    } finally {
      secureClient.dispose();
      while (hosts.length > 0) await hosts.pop()?.stop();
      await new Promise((resolve) => secure.close(resolve));
    }
  });
});

describe('AccountChangeFeed', () => {
  it('starts from what the container holds when not from the beginning', async () => {
    const items = database.container('items');
    await items.items.create({ id: 'old', pk: 'p' });
    const feed = new AccountChangeFeed(items, { startFromBeginning: false, maxItems: 10 });
    expect(await feed.nextBatch()).toEqual([]);
    await items.items.create({ id: 'new', pk: 'p' });
    const batch = await feed.nextBatch();
    expect(batch.map((d) => d.id)).toEqual(['new']);
    // Not marked delivered: read again until it is.
    expect((await feed.nextBatch()).map((d) => d.id)).toEqual(['new']);
    feed.markDelivered(batch);
    expect(await feed.nextBatch()).toEqual([]);
  });
});

describe('platformIdentityCredential', () => {
  it('is absent without the identity endpoint, and fails saying why when the endpoint refuses or gives no token', async () => {
    expect(platformIdentityCredential({})).toBeUndefined();
    expect(platformIdentityCredential({ IDENTITY_ENDPOINT: 'http://127.0.0.1:1/msi/token' })).toBeUndefined();
    const answers = [
      { status: 401, body: { error: 'unauthorized' } },
      { status: 200, body: { expires_on: '1' } },
    ];
    const identity = createServer((req, res) => {
      const answer = answers.shift() ?? { status: 500, body: {} };
      res.statusCode = answer.status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer.body));
    });
    const address = await listen(identity);
    try {
      const credential = platformIdentityCredential(
        { IDENTITY_ENDPOINT: `http://${address}/msi/token`, IDENTITY_HEADER: 'secret' },
        'client',
      );
      await expect(credential?.getToken('https://account.example/.default')).rejects.toThrow(
        'the identity endpoint answered 401 for https://account.example',
      );
      await expect(credential?.getToken(['https://account.example/.default'])).rejects.toThrow(
        'the identity endpoint gave no token for https://account.example',
      );
    } finally {
      await new Promise((resolve) => identity.close(resolve));
    }
  });
});

describe('accountConnectionOf', () => {
  it('reads a connection string, else the identity-based endpoint, as Azure Functions resolves connections', () => {
    expect(
      accountConnectionOf('Conn', {
        Conn: 'AccountEndpoint=https://a.example/;AccountKey=k==;',
        Conn__accountEndpoint: 'https://b.example/',
      }),
    ).toEqual({ kind: 'key', endpoint: 'https://a.example/', key: 'k==' });
    expect(accountConnectionOf('Conn', { Conn: ' ', Conn__accountEndpoint: 'https://b.example/' })).toEqual({
      kind: 'identity',
      endpoint: 'https://b.example/',
    });
    expect(accountConnectionOf('Conn', {})).toBeUndefined();
    expect(() => accountConnectionOf('Conn', { Conn: 'AccountKey=k' })).toThrow(
      'the setting Conn needs AccountEndpoint and AccountKey',
    );
  });
});
