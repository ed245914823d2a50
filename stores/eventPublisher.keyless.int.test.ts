/**
 * Keyless publishing, as infra/ deploys it (no EVENTGRID_TOPIC_KEY, the identity holds EventGrid
 * Data Sender): the publisher signs in with a token credential — @azure/identity's real
 * ManagedIdentityCredential against the App Service managed-identity endpoint protocol on loopback —
 * and sends the CloudEvents with `Authorization: Bearer`, for Event Grid's scope, to a topic endpoint
 * over https (a loopback server here, speaking Event Grid's publish answer). A token never travels
 * over http.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { Agent, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ManagedIdentityCredential } from '@azure/identity';
import { eventGridSettingsOf, eventGridTarget } from './appEventPublisher';
import { EventGridEventPublisher, eventPublisherFromSettings } from './eventPublisher';

// A certificate for the loopback topic (the Cosmos test server's, self-signed and expired: the
// agent trusts it; what is under test is the credential, not TLS).
const CERTS = path.dirname(require.resolve('@vercel/cosmosdb-server/package.json'));
const agent = new Agent({ rejectUnauthorized: false });
const received: Array<{ authorization?: string; contentType?: string; body: unknown }> = [];
const tokenRequests: Array<string | null> = [];
let topic: Server;
let identity: Server;
let topicEndpoint: string;
const environment = { ...process.env };

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  topic = createHttpsServer(
    { cert: readFileSync(path.join(CERTS, 'cert.pem')), key: readFileSync(path.join(CERTS, 'key.pem')) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
        });
        res.statusCode = 200;
        res.end();
      });
    },
  );
  topicEndpoint = `https://127.0.0.1:${await listen(topic)}/api/events`;
  identity = createHttpServer((req, res) => {
    const resource = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('resource');
    tokenRequests.push(resource);
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        access_token: 'event-grid-token',
        expires_on: String(Math.floor(Date.now() / 1000) + 3600),
        resource,
        token_type: 'Bearer',
      }),
    );
  });
  process.env.IDENTITY_ENDPOINT = `http://127.0.0.1:${await listen(identity)}/msi/token`;
  process.env.IDENTITY_HEADER = 'identity-header-secret';
});

afterAll(async () => {
  process.env = environment;
  await new Promise((resolve) => topic.close(resolve));
  await new Promise((resolve) => identity.close(resolve));
});

const event = {
  id: 'transfer-t1/e1',
  streamId: 'transfer-t1',
  version: 1,
  type: 'TransferRequested',
  data: { transferId: 't1', amount: 500 },
  metadata: { occurredAt: '2026-01-01T00:00:00.000Z' },
};

describe('keyless Event Grid publishing', () => {
  it('sends the CloudEvents with a bearer token of the managed identity, for Event Grid’s scope', async () => {
    const publisher = new EventGridEventPublisher({
      endpoint: topicEndpoint,
      credential: new ManagedIdentityCredential(),
      agent,
      maxRetries: 0,
    });
    await publisher.publish([event]);
    expect(tokenRequests).toEqual(['https://eventgrid.azure.net']);
    expect(received).toHaveLength(1);
    expect(received[0].authorization).toBe('Bearer event-grid-token');
    expect(received[0].contentType).toMatch(/^application\/cloudevents-batch\+json/);
    expect(received[0].body).toEqual([
      expect.objectContaining({
        specversion: '1.0',
        id: 'transfer-t1/e1',
        type: 'Cardflow.Transfer.TransferRequested',
        source: '/cardflow/transfer-t1',
        subject: 'transfer-t1',
        data: { transferId: 't1', amount: 500 },
      }),
    ]);
  });

  it('is what the app chooses with the Cosmos store and no key; the local store keeps the local topic’s key', () => {
    expect(
      eventGridTarget(
        eventGridSettingsOf({ CARDFLOW_STORE: 'cosmos', EVENTGRID_TOPIC_ENDPOINT: topicEndpoint }),
      ),
    ).toEqual({ endpoint: topicEndpoint });
    expect(
      eventGridTarget(
        eventGridSettingsOf({
          CARDFLOW_STORE: 'cosmos',
          EVENTGRID_TOPIC_ENDPOINT: topicEndpoint,
          EVENTGRID_TOPIC_KEY: 'k',
        }),
      ),
    ).toEqual({ endpoint: topicEndpoint, key: 'k' });
    expect(
      eventGridTarget(eventGridSettingsOf({ EVENTGRID_TOPIC_ENDPOINT: 'http://127.0.0.1:7071/t' })),
    ).toEqual({
      endpoint: 'http://127.0.0.1:7071/t',
      key: 'local-dev-key',
    });
  });

  it('refuses a token over http, and a publisher with neither key nor credential', () => {
    expect(
      () =>
        new EventGridEventPublisher({
          endpoint: 'http://127.0.0.1:7071/api/events',
          credential: new ManagedIdentityCredential(),
        }),
    ).toThrow('needs an https endpoint');
    expect(() => new EventGridEventPublisher({ endpoint: topicEndpoint })).toThrow(
      'the topic key or a token credential',
    );
    expect(() => eventPublisherFromSettings({ EVENTGRID_TOPIC_ENDPOINT: topicEndpoint })).toThrow(
      'set EVENTGRID_TOPIC_KEY',
    );
    expect(
      eventPublisherFromSettings(
        { EVENTGRID_TOPIC_ENDPOINT: topicEndpoint },
        new ManagedIdentityCredential(),
      ),
    ).toBeInstanceOf(EventGridEventPublisher);
  });
});
