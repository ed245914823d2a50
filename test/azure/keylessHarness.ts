/**
 * The app in its keyless Azure configuration, as infra/ deploys it, on the local host run as its
 * own process (`dist/runtime/cli.js` on the deployable package), with no key anywhere in its
 * settings:
 *
 * - Cosmos DB: `CosmosDBConnection__accountEndpoint` (+ `__credential`, `__clientId`) to
 *   @vercel/cosmosdb-server over https, holding the containers infra/ declares (the app creates
 *   none). The server ignores what a token says; the process trusts its loopback certificate
 *   through `NODE_EXTRA_CA_CERTS`, as one trusts the Cosmos DB emulator's.
 * - The managed identity: the App Service / Flex Consumption identity endpoint protocol
 *   (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`), served here on loopback; the app's
 *   `DefaultAzureCredential` and the host's Cosmos DB trigger both sign in through it.
 * - Event Grid: `EVENTGRID_TOPIC_ENDPOINT` without a key, an https endpoint standing in for
 *   Event Grid's Entra ID check — it accepts only `Authorization: Bearer` with the identity's token
 *   for `https://eventgrid.azure.net` — and hands each publish to the host's own topic, which
 *   delivers to the secondary handlers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Agent, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import { createHttpsServer as createCosmosServer } from '@vercel/cosmosdb-server';
import { freePort, packageFromBuild, provision, REPO } from './azureHarness';
import { eventually, type AzureConfiguredApp, type Role } from './transferFlow';

const FIXTURES = path.join(__dirname, 'fixtures');
const CERT_FILE = path.join(FIXTURES, 'loopback.cert.pem');
const tls = { cert: readFileSync(CERT_FILE), key: readFileSync(path.join(FIXTURES, 'loopback.key.pem')) };
export const CLIENT_ID = '5f0c2d6e-1b7a-4c39-9e8d-2a4b6c8d0e1f';
const IDENTITY_SECRET = 'identity-header-of-this-run';
const TOPIC_KEY = 'key-between-the-front-and-the-local-topic';
const EVENT_GRID = 'https://eventgrid.azure.net';
const USERS: Array<[string, Role]> = [
  ['alice', 'customer'],
  ['bob', 'customer'],
  ['ada', 'approver'],
  ['ops', 'operator'],
];

export interface KeylessApp extends AzureConfiguredApp {
  /** What the identity endpoint was asked for: resource and client id. */
  tokenRequests: Array<{ resource: string | null; clientId: string | null }>;
  /** The Authorization headers the Cosmos server received (the test's own key client aside). */
  cosmosAuthorizations: string[];
  /** Publishes the Event Grid front took, and those it refused. */
  publishes: { accepted: number; refused: string[] };
  /** The settings the host process ran with. */
  settings: Record<string, string>;
  /** The host's output so far. */
  output(): string;
  stop(): Promise<void>;
}

async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const tokenFor = (resource: string) => `token-for-${resource}`;

export async function startKeylessApp(): Promise<KeylessApp> {
  const servers: Server[] = [];
  const root = mkdtempSync(path.join(os.tmpdir(), 'cardflow-keyless-'));
  let host: ChildProcess | undefined;
  let output = '';
  const close = async () => {
    if (host && host.exitCode === null) {
      const exited = new Promise((resolve) => host?.once('exit', resolve));
      host.kill('SIGTERM');
      await exited;
    }
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    // Cosmos DB over https; the test's own client (a key) provisions what infra/ declares.
    const cosmosAuthorizations: string[] = [];
    const cosmosServer = createCosmosServer(tls);
    cosmosServer.prependListener('request', (req: IncomingMessage) => {
      const authorization = decodeURIComponent(String(req.headers.authorization));
      if (!authorization.startsWith('type=master')) cosmosAuthorizations.push(authorization);
    });
    servers.push(cosmosServer);
    const cosmosEndpoint = `https://127.0.0.1:${await listen(cosmosServer)}/`;
    const cosmos = new CosmosClient({
      endpoint: cosmosEndpoint,
      key: 'dGVzdA==',
      agent: new Agent({ ca: tls.cert }),
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    await provision(cosmos);

    // The platform's identity endpoint.
    const tokenRequests: KeylessApp['tokenRequests'] = [];
    const identity = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const resource = url.searchParams.get('resource');
      tokenRequests.push({ resource, clientId: url.searchParams.get('client_id') });
      res.setHeader('content-type', 'application/json');
      if (req.headers['x-identity-header'] !== IDENTITY_SECRET || !resource) {
        res.statusCode = 401;
        res.end(JSON.stringify({ error: 'unauthorized' }));
        return;
      }
      res.end(
        JSON.stringify({
          access_token: tokenFor(resource),
          expires_on: String(Math.floor(Date.now() / 1000) + 3600),
          resource,
          token_type: 'Bearer',
        }),
      );
    });
    servers.push(identity);
    const identityEndpoint = `http://127.0.0.1:${await listen(identity)}/msi/token`;

    // Event Grid's Entra ID check in front of the host's topic.
    const port = await freePort();
    const publishes: KeylessApp['publishes'] = { accepted: 0, refused: [] };
    const front = createHttpsServer(tls, (req, res) => {
      void (async () => {
        const body = await read(req);
        if (req.headers.authorization !== `Bearer ${tokenFor(EVENT_GRID)}`) {
          publishes.refused.push(String(req.headers.authorization));
          res.statusCode = 401;
          res.end();
          return;
        }
        const query = new URL(req.url ?? '/', 'https://127.0.0.1').search;
        const answer = await fetch(`http://127.0.0.1:${port}/runtime/eventgrid/topics/cardflow${query}`, {
          method: 'POST',
          headers: { 'content-type': String(req.headers['content-type']), 'aeg-sas-key': TOPIC_KEY },
          body: new Uint8Array(body),
        });
        if (answer.ok) publishes.accepted++;
        res.statusCode = answer.status;
        res.end(await answer.text());
      })().catch((error: unknown) => {
        res.statusCode = 502;
        res.end(String(error));
      });
    });
    servers.push(front);
    const topicEndpoint = `https://127.0.0.1:${await listen(front)}/api/events`;

    const out = packageFromBuild(root);
    const authFile = path.join(root, 'users.json');
    const token = (id: string) => `keyless-${id}-0123456789abcdef`;
    writeFileSync(
      authFile,
      JSON.stringify({
        users: USERS.map(([id, role]) => ({ id, name: id, roles: [role], token: token(id) })),
      }),
    );
    const dataDir = path.join(root, 'data');
    mkdirSync(dataDir);
    // What infra/app/functionApp.bicep sets (no key), and what the platform provides.
    const settings = {
      CARDFLOW_STORE: 'cosmos',
      CosmosDBConnection__accountEndpoint: cosmosEndpoint,
      CosmosDBConnection__credential: 'managedidentity',
      CosmosDBConnection__clientId: CLIENT_ID,
      COSMOS_DATABASE: 'cardflow',
      EVENTGRID_TOPIC_ENDPOINT: topicEndpoint,
      AZURE_CLIENT_ID: CLIENT_ID,
      IDENTITY_ENDPOINT: identityEndpoint,
      IDENTITY_HEADER: IDENTITY_SECRET,
      // The local host's own: its trigger reads the account, its topic takes the front's key (a
      // second key, which the app does not read), its users.
      LOCAL_HOST_COSMOS_TRIGGER: 'connection',
      EVENTGRID_TOPIC_KEY2: TOPIC_KEY,
      EVENTGRID_SUBSCRIPTIONS_FILE: path.join(REPO, 'eventgrid.local.json'),
      CARDFLOW_AUTH_FILE: authFile,
    };
    host = spawn(
      process.execPath,
      [path.join(REPO, 'dist/runtime/cli.js'), '--app', out, '--port', String(port), '--data-dir', dataDir],
      {
        cwd: out,
        env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: CERT_FILE, ...settings },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    host.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    host.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const baseUrl = `http://127.0.0.1:${port}`;
    await eventually(
      () =>
        fetch(`${baseUrl}/api/health/live`).then(
          (r) => r.status,
          () => (host?.exitCode !== null ? -1 : 0),
        ),
      (status) => status === 200 || status === -1,
      'the host to answer',
    ).then((status) => {
      if (status !== 200) throw new Error(`the host exited:\n${output}`);
    });

    const answer = async (response: Response) => {
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    };
    return {
      as: (id) => ({ authorization: `Bearer ${token(id)}` }),
      cosmos,
      post: async (route, body, headers) =>
        answer(
          await fetch(`${baseUrl}${route}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body: JSON.stringify(body),
          }),
        ),
      get: async (route, headers) => answer(await fetch(`${baseUrl}${route}`, { headers })),
      eventually,
      tokenRequests,
      cosmosAuthorizations,
      publishes,
      settings,
      output: () => output,
      async stop() {
        cosmos.dispose();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
