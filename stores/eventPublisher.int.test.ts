import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventGridTopicService } from '@cardflow/local-host';
import type { CloudEventRecord } from '@cardflow/local-host';
import { createTestHost, type TestHost } from '@cardflow/local-host';
import {
  FIXTURE_APP,
  TOPIC_KEY,
  fixtureState,
  resetFixture,
} from '@cardflow/local-host/eventgrid/test/drive';
import { EventGridEventPublisher, eventPublisherFromSettings, type PublishableEvent } from './eventPublisher';

let host: TestHost;

beforeEach(async () => {
  resetFixture();
  host = await createTestHost({
    appRoot: FIXTURE_APP,
    services: [new EventGridTopicService({ subscriptions: [{ name: 'audit', functionName: 'auditTrail' }] })],
    settings: { EVENTGRID_TOPIC_KEY: TOPIC_KEY },
  });
});

afterEach(() => host.stop());

const loaded = (n: number, padding = 0): PublishableEvent => ({
  id: `account-ac-1:${n}`,
  streamId: 'account-ac-1',
  version: n,
  type: 'CreditsLoaded',
  data: {
    accountId: 'ac-1',
    loadId: `ld-${n}`,
    amount: 10_000,
    fee: 2,
    net: 9_998,
    note: 'x'.repeat(padding),
  },
  metadata: { occurredAt: '2026-01-01T00:00:00.000Z' },
});

describe('EventGridEventPublisher', () => {
  it('publishes through the SDK client to the topic in EVENTGRID_TOPIC_ENDPOINT', async () => {
    const publisher = eventPublisherFromSettings({
      EVENTGRID_TOPIC_ENDPOINT: `${host.baseUrl}/runtime/eventgrid/topics/cardflow`,
      EVENTGRID_TOPIC_KEY: TOPIC_KEY,
    });
    await publisher.publish([loaded(1), loaded(2)]);
    await host.waitForIdle();
    const events = fixtureState().received.auditTrail.map((r) => r.event as CloudEventRecord);
    expect(events.map((e) => [e.id, e.type, e.source, e.subject, e.streamversion]).sort()).toEqual([
      ['account-ac-1:1', 'Cardflow.Account.CreditsLoaded', '/cardflow/account-ac-1', 'account-ac-1', 1],
      ['account-ac-1:2', 'Cardflow.Account.CreditsLoaded', '/cardflow/account-ac-1', 'account-ac-1', 2],
    ]);
  });

  it('splits more than 1 MB of events into several requests, all accepted', async () => {
    const publisher = new EventGridEventPublisher({
      endpoint: `${host.baseUrl}/runtime/eventgrid/topics/cardflow`,
      key: TOPIC_KEY,
    });
    await publisher.publish([1, 2, 3, 4, 5].map((n) => loaded(n, 300_000)));
    const rows = host.db.prepare('SELECT event_id, publish_time FROM eg_events ORDER BY seq').all() as Array<{
      event_id: string;
    }>;
    expect(rows.map((r) => r.event_id)).toEqual([1, 2, 3, 4, 5].map((n) => `account-ac-1:${n}`));
  });

  it('rejects when the topic refuses the key, so the caller retries', async () => {
    const publisher = new EventGridEventPublisher({
      endpoint: `${host.baseUrl}/runtime/eventgrid/topics/cardflow`,
      key: 'wrong',
      maxRetries: 0,
    });
    await expect(publisher.publish([loaded(1)])).rejects.toMatchObject({ statusCode: 401 });
  });

  it('rejects when the topic cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const publisher = new EventGridEventPublisher({
      endpoint: `http://127.0.0.1:${port}/runtime/eventgrid/topics/cardflow`,
      key: TOPIC_KEY,
      maxRetries: 0,
    });
    await expect(publisher.publish([loaded(1)])).rejects.toThrow();
  });
});
