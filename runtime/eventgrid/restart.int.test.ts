import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../clock';
import { createTestHost, type TestHost } from '../testHost';
import type { CloudEventRecord } from './cloudEvents';
import type { SubscriptionInput } from './subscriptions';
import { EventGridTopicService } from './topicService';
import { FIXTURE_APP, TOPIC_KEY, deliverUntil } from './test/drive';
import { TopicClient } from './test/topicClient';
import { HANG, startWebhook, type WebhookReceiver } from './test/webhookReceiver';

let dir: string;
let hook: WebhookReceiver;
let failing = true;
let clock = new VirtualClock();

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cardflow-eventgrid-'));
  failing = true;
  clock = new VirtualClock();
  hook = await startWebhook({ status: () => (failing ? 503 : 200), now: () => clock.now() });
});

afterEach(async () => {
  await hook.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startHostOnDisk(
  subscriptions: SubscriptionInput[],
): Promise<{ host: TestHost; topic: EventGridTopicService }> {
  const topic = new EventGridTopicService({ subscriptions, random: () => 0.5 });
  const host = await createTestHost({
    appRoot: FIXTURE_APP,
    services: [topic],
    clock,
    dataFile: join(dir, 'cardflow.db'),
    settings: { EVENTGRID_TOPIC_KEY: TOPIC_KEY },
  });
  return { host, topic };
}

describe('a host restart in the middle of retries', () => {
  it('keeps the retry state and delivers after the restart', async () => {
    const subscriptions = [{ name: 'external', endpoint: hook.url }];
    const first = await startHostOnDisk(subscriptions);
    const publisher = new TopicClient(`${first.host.baseUrl}/runtime/eventgrid/topics/cardflow`, TOPIC_KEY);
    await publisher.publish([
      {
        id: 'transfer-tr-7:1',
        streamId: 'transfer-tr-7',
        version: 1,
        type: 'TransferRequested',
        data: { transferId: 'tr-7' },
        metadata: { occurredAt: '2026-01-01T00:00:00.000Z' },
      },
    ]);
    await deliverUntil(first.host, first.topic, () => hook.notifications().length === 2);
    const retryDueAt = first.topic.nextDueAt();
    await first.host.stop();

    // The host was down for a while; the retry that fell due meanwhile runs at start, on the clock of the new host.
    clock = new VirtualClock(clock.now() + 45_000);
    failing = false;
    const second = await startHostOnDisk(subscriptions);
    expect(second.topic.nextDueAt()).toBe(retryDueAt);
    await deliverUntil(second.host, second.topic, () => second.topic.nextDueAt() === undefined);
    await second.host.stop();

    const posts = hook.notifications();
    expect(
      posts.map((p) => [p.headers['aeg-delivery-count'], (JSON.parse(p.body) as CloudEventRecord).id]),
    ).toEqual([
      ['0', 'transfer-tr-7:1'],
      ['1', 'transfer-tr-7:1'],
      ['2', 'transfer-tr-7:1'],
    ]);
    expect(posts[2].at).toBe(clock.now());
    // The validated endpoint is remembered: no second handshake after the restart.
    expect(hook.calls.filter((c) => c.method === 'OPTIONS')).toHaveLength(1);
  });

  it('resumes a retry that is not yet due at its scheduled time', async () => {
    const subscriptions = [{ name: 'external', endpoint: hook.url }];
    const first = await startHostOnDisk(subscriptions);
    const publisher = new TopicClient(`${first.host.baseUrl}/runtime/eventgrid/topics/cardflow`, TOPIC_KEY);
    await publisher.publish([
      {
        id: 'account-ac-7:1',
        streamId: 'account-ac-7',
        version: 1,
        type: 'AccountOpened',
        data: { accountId: 'ac-7' },
        metadata: { occurredAt: '2026-01-01T00:00:00.000Z' },
      },
    ]);
    await first.host.waitForIdle();
    await first.host.stop();

    failing = false;
    const second = await startHostOnDisk(subscriptions);
    await second.host.waitForIdle();
    expect(hook.notifications()).toHaveLength(1);
    await second.host.advance(10_000);
    expect(hook.notifications()).toHaveLength(2);
    expect(hook.notifications()[1].at - hook.notifications()[0].at).toBe(10_000);
    await second.host.stop();
  });
});

describe('a delivery that never gets an answer', () => {
  const opened = {
    id: 'account-ac-8:1',
    streamId: 'account-ac-8',
    version: 1,
    type: 'AccountOpened',
    data: { accountId: 'ac-8' },
    metadata: { occurredAt: '2026-01-01T00:00:00.000Z' },
  };

  async function untilTrue(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  it('counts as a failed attempt once the delivery timeout passes', async () => {
    const slow = await startWebhook({ status: () => HANG, now: () => clock.now() });
    const topic = new EventGridTopicService({
      subscriptions: [{ name: 'slow', endpoint: slow.url }],
      deliveryTimeoutMs: 100,
    });
    const host = await createTestHost({
      appRoot: FIXTURE_APP,
      services: [topic],
      clock,
      settings: { EVENTGRID_TOPIC_KEY: TOPIC_KEY },
    });
    try {
      const publisher = new TopicClient(`${host.baseUrl}/runtime/eventgrid/topics/cardflow`, TOPIC_KEY);
      await publisher.publish([opened]);
      await host.waitForIdle();
      expect(
        host.db
          .prepare(
            'SELECT status, attempts, last_outcome AS outcome, last_http_status AS code FROM eg_deliveries',
          )
          .all(),
      ).toEqual([{ status: 'pending', attempts: 1, outcome: 'TimedOut', code: null }]);
    } finally {
      await host.stop();
      await slow.close();
    }
  });

  it('is cut short by a host stop, and made again after the restart', async () => {
    let hanging = true;
    const slow = await startWebhook({ status: () => (hanging ? HANG : 200), now: () => clock.now() });
    try {
      const subscriptions = [{ name: 'slow', endpoint: slow.url }];
      const first = await startHostOnDisk(subscriptions);
      const publisher = new TopicClient(`${first.host.baseUrl}/runtime/eventgrid/topics/cardflow`, TOPIC_KEY);
      await publisher.publish([opened]);
      await untilTrue(() => slow.notifications().length === 1);
      await first.host.stop(); // aborts the request in flight; the attempt is not recorded
      hanging = false;

      const second = await startHostOnDisk(subscriptions);
      await second.host.waitForIdle();
      await second.host.stop();
      expect(slow.notifications().map((p) => p.headers['aeg-delivery-count'])).toEqual(['0', '0']);
    } finally {
      await slow.close();
    }
  });
});
