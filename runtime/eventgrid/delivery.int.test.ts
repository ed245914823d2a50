import { createTestHost, type TestHost } from '../testHost';
import type { CloudEventRecord } from './cloudEvents';
import { RETRY_DELAYS_MS } from './retrySchedule';
import type { SubscriptionInput } from './subscriptions';
import { EventGridTopicService, type DeadLetterRecord } from './topicService';
import { FIXTURE_APP, TOPIC_KEY, deliverUntil, fixtureState, resetFixture } from './test/drive';
import { TopicClient, type StreamEvent } from './test/topicClient';
import { startWebhook, type WebhookReceiver } from './test/webhookReceiver';

function approvalRequested(n: number, streamId = 'transfer-tr-001'): StreamEvent {
  return {
    id: `${streamId}:${n}`,
    streamId,
    version: n,
    type: 'TransferApprovalRequested',
    data: {
      transferId: streamId.slice('transfer-'.length),
      reason: 'amount',
      deadline: '2026-01-02T00:00:00.000Z',
    },
    metadata: { occurredAt: '2026-01-01T00:00:00.000Z' },
  };
}

let host: TestHost | undefined;
let topic: EventGridTopicService;
const webhooks: WebhookReceiver[] = [];

async function startWith(subscriptions: SubscriptionInput[], random?: () => number): Promise<TopicClient> {
  topic = new EventGridTopicService({ subscriptions, random });
  host = await createTestHost({
    appRoot: FIXTURE_APP,
    services: [topic],
    settings: { EVENTGRID_TOPIC_KEY: TOPIC_KEY },
  });
  return new TopicClient(`${host.baseUrl}/runtime/eventgrid/topics/cardflow/api/events`, TOPIC_KEY);
}

async function webhook(status?: (n: number) => number, allowHandshake = true): Promise<WebhookReceiver> {
  const receiver = await startWebhook({ status, allowHandshake, now: () => host?.clock.now() ?? 0 });
  webhooks.push(receiver);
  return receiver;
}

async function deadLetters(): Promise<DeadLetterRecord[]> {
  const res = await running().fetch('/runtime/eventgrid/deadletters');
  expect(res.status).toBe(200);
  return ((await res.json()) as { value: DeadLetterRecord[] }).value;
}

function running(): TestHost {
  if (!host) throw new Error('no host');
  return host;
}

beforeEach(() => resetFixture());

afterEach(async () => {
  await host?.stop();
  host = undefined;
  await Promise.all(webhooks.splice(0).map((w) => w.close()));
});

describe('webhook delivery', () => {
  it('delivers a published event as a CloudEvent to a webhook, after the validation handshake', async () => {
    const hook = await webhook();
    const publisher = await startWith([{ name: 'external', endpoint: hook.url }]);

    await publisher.publish([approvalRequested(2)]);
    await deliverUntil(running(), topic, () => hook.notifications().length === 1);

    expect(hook.calls.map((c) => c.method)).toEqual(['OPTIONS', 'POST']);
    expect(hook.calls[0].headers['webhook-request-origin']).toBe('eventgrid.azure.net');
    const [delivery] = hook.notifications();
    expect(delivery.headers['aeg-event-type']).toBe('Notification');
    expect(delivery.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(delivery.headers['aeg-subscription-name']).toBe('EXTERNAL');
    expect(delivery.headers['aeg-delivery-count']).toBe('0');
    const event = JSON.parse(delivery.body) as CloudEventRecord;
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'Cardflow.Transfer.TransferApprovalRequested',
      source: '/cardflow/transfer-tr-001',
      subject: 'transfer-tr-001',
      id: 'transfer-tr-001:2',
      time: '2026-01-01T00:00:00.000Z',
      datacontenttype: 'application/json',
      data: { transferId: 'tr-001', reason: 'amount', deadline: '2026-01-02T00:00:00.000Z' },
      streamversion: 2,
    });
  });

  it('stores accepted events before answering the publisher', async () => {
    const hook = await webhook();
    const publisher = await startWith([{ name: 'external', endpoint: hook.url }]);
    await publisher.publish([approvalRequested(1), approvalRequested(2)]);
    const rows = running().db.prepare('SELECT event_id FROM eg_events ORDER BY seq').all() as Array<{
      event_id: string;
    }>;
    expect(rows.map((r) => r.event_id)).toEqual(['transfer-tr-001:1', 'transfer-tr-001:2']);
  });

  it('delivers once after three failures, on Event Grid retry schedule with jitter', async () => {
    const hook = await webhook((n) => (n < 3 ? 503 : 200));
    const publisher = await startWith([{ name: 'external', endpoint: hook.url }]);
    const publishedAt = running().clock.now();

    await publisher.publish([approvalRequested(1)]);
    await deliverUntil(running(), topic, () => topic.isIdle() && topic.nextDueAt() === undefined);

    const posts = hook.notifications();
    expect(posts).toHaveLength(4);
    expect(posts.map((p) => p.headers['aeg-delivery-count'])).toEqual(['0', '1', '2', '3']);
    expect(new Set(posts.map((p) => (JSON.parse(p.body) as CloudEventRecord).id))).toEqual(
      new Set(['transfer-tr-001:1']),
    );
    const gaps = posts.slice(1).map((p, i) => p.at - posts[i].at);
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[i] * 0.9);
      expect(gap).toBeLessThanOrEqual(RETRY_DELAYS_MS[i] * 1.1);
    });
    expect(posts[0].at).toBe(publishedAt);
    expect(await deadLetters()).toEqual([]);
    // The handshake is done once per subscription endpoint, not per attempt.
    expect(hook.calls.filter((c) => c.method === 'OPTIONS')).toHaveLength(1);
  });

  it('dead-letters with MaxDeliveryAttemptsExceeded after the configured number of attempts', async () => {
    const hook = await webhook(() => 500);
    const publisher = await startWith(
      [{ name: 'external', endpoint: hook.url, retryPolicy: { maxDeliveryAttempts: 5 } }],
      () => 0.5,
    );
    await publisher.publish([approvalRequested(1)]);
    await deliverUntil(running(), topic, () => topic.nextDueAt() === undefined);

    expect(hook.notifications()).toHaveLength(5);
    const [record] = await deadLetters();
    const lastAttempt = hook.notifications()[4].at;
    expect(record).toMatchObject({
      subscriptionName: 'external',
      topic: 'cardflow',
      deadLetterReason: 'MaxDeliveryAttemptsExceeded',
      deliveryAttempts: 5,
      lastDeliveryOutcome: 'GenericError',
      lastHttpStatusCode: 500,
      publishTime: '2026-01-01T00:00:00.000Z',
      lastDeliveryAttemptTime: new Date(lastAttempt).toISOString(),
      event: { id: 'transfer-tr-001:1', type: 'Cardflow.Transfer.TransferApprovalRequested' },
    });
    // With jitter fixed at the middle, attempts sit exactly on the schedule: 0, 10 s, 40 s, 100 s, 400 s.
    expect(lastAttempt - Date.parse('2026-01-01T00:00:00.000Z')).toBe(400_000);
  });

  it.each([400, 401, 403, 413])(
    'dead-letters at once, without retrying, when the webhook answers %i',
    async (status) => {
      const hook = await webhook(() => status);
      const publisher = await startWith([{ name: 'external', endpoint: hook.url }]);
      await publisher.publish([approvalRequested(1)]);
      await running().waitForIdle();
      await running().advance(24 * 3600_000);

      expect(hook.notifications()).toHaveLength(1);
      const [record] = await deadLetters();
      expect(record.deliveryAttempts).toBe(1);
      expect(record.lastHttpStatusCode).toBe(status);
      expect(record.deadLetterReason).toMatch(/^UndeliverableDueToHttp/);
      if (status === 400)
        expect(record).toMatchObject({
          deadLetterReason: 'UndeliverableDueToHttpBadRequest',
          lastDeliveryOutcome: 'BadRequest',
        });
    },
  );

  it('drops instead of dead-lettering when dead-lettering is off', async () => {
    const hook = await webhook(() => 400);
    const publisher = await startWith([{ name: 'external', endpoint: hook.url, deadLetter: false }]);
    await publisher.publish([approvalRequested(1)]);
    await running().waitForIdle();
    expect(hook.notifications()).toHaveLength(1);
    expect(await deadLetters()).toEqual([]);
    expect(
      running().db.prepare('SELECT status, dead_letter_reason AS reason FROM eg_deliveries').all(),
    ).toEqual([{ status: 'dropped', reason: 'UndeliverableDueToHttpBadRequest' }]);
    expect(
      running()
        .logs.lines('warn')
        .some((l) => /dropped for external/.test(l)),
    ).toBe(true);
  });

  it('dead-letters with TimeToLiveExceeded when the time to live runs out first', async () => {
    const hook = await webhook(() => 503);
    const publisher = await startWith(
      [{ name: 'external', endpoint: hook.url, retryPolicy: { eventTimeToLiveInMinutes: 1 } }],
      () => 0.5,
    );
    await publisher.publish([approvalRequested(1)]);
    await deliverUntil(running(), topic, () => topic.nextDueAt() === undefined);

    // Attempts at 0, 10 s and 40 s; the next would be at 100 s, past the one-minute time to live.
    expect(hook.notifications().map((p) => p.at - Date.parse('2026-01-01T00:00:00.000Z'))).toEqual([
      0, 10_000, 40_000,
    ]);
    const [record] = await deadLetters();
    expect(record).toMatchObject({
      deadLetterReason: 'TimeToLiveExceeded',
      deliveryAttempts: 3,
      lastDeliveryOutcome: 'Busy',
      lastHttpStatusCode: 503,
    });
  });

  it('keeps retrying the handshake of a webhook that refuses it, and never posts to it', async () => {
    const hook = await webhook(() => 200, false);
    const publisher = await startWith([
      { name: 'external', endpoint: hook.url, retryPolicy: { maxDeliveryAttempts: 3 } },
    ]);
    await publisher.publish([approvalRequested(1)]);
    await deliverUntil(running(), topic, () => topic.nextDueAt() === undefined);

    expect(hook.calls.map((c) => c.method)).toEqual(['OPTIONS', 'OPTIONS', 'OPTIONS']);
    const [record] = await deadLetters();
    expect(record).toMatchObject({
      deadLetterReason: 'MaxDeliveryAttemptsExceeded',
      lastDeliveryOutcome: 'WebhookValidationFailed',
    });
  });

  it('redelivers a dead letter on request, once', async () => {
    let healthy = false;
    const hook = await webhook(() => (healthy ? 200 : 500));
    const publisher = await startWith([
      { name: 'external', endpoint: hook.url, retryPolicy: { maxDeliveryAttempts: 2 } },
    ]);
    await publisher.publish([approvalRequested(1)]);
    await deliverUntil(running(), topic, () => topic.nextDueAt() === undefined);
    const [record] = await deadLetters();

    healthy = true;
    const res = await running().fetch(`/runtime/eventgrid/deadletters/${record.id}/redeliver`, {
      method: 'POST',
    });
    expect(res.status).toBe(202);
    await running().waitForIdle();

    expect(hook.notifications().map((p) => p.headers['aeg-delivery-count'])).toEqual(['0', '1', '0']);
    expect(await deadLetters()).toEqual([]);
    const again = await running().fetch(`/runtime/eventgrid/deadletters/${record.id}/redeliver`, {
      method: 'POST',
    });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const unknown = await running().fetch('/runtime/eventgrid/deadletters/999/redeliver', { method: 'POST' });
    expect(unknown.status).toBe(404);
  });
});

describe('subscription filters', () => {
  it('delivers each subscription only the event types and subjects it asked for', async () => {
    const approvals = await webhook();
    const accounts = await webhook();
    const all = await webhook();
    const publisher = await startWith([
      {
        name: 'approvals',
        endpoint: approvals.url,
        includedEventTypes: ['Cardflow.Transfer.TransferApprovalRequested'],
      },
      { name: 'accounts', endpoint: accounts.url, subjectBeginsWith: 'account-', subjectEndsWith: '-vip' },
      { name: 'everything', endpoint: all.url },
    ]);
    const opened: StreamEvent = {
      id: 'account-ac-1-vip:1',
      streamId: 'account-ac-1-vip',
      version: 1,
      type: 'AccountOpened',
      data: { accountId: 'ac-1-vip' },
      metadata: { occurredAt: '2026-01-01T00:00:00.000Z' },
    };
    const other: StreamEvent = {
      ...opened,
      id: 'account-ac-2:1',
      streamId: 'account-ac-2',
      data: { accountId: 'ac-2' },
    };
    await publisher.publish([
      approvalRequested(1),
      opened,
      other,
      { ...approvalRequested(2), type: 'TransferApproved' },
    ]);
    await deliverUntil(running(), topic, () => all.notifications().length === 4);

    const ids = (hook: WebhookReceiver): string[] =>
      hook
        .notifications()
        .map((p) => (JSON.parse(p.body) as CloudEventRecord).id)
        .sort();
    expect(ids(approvals)).toEqual(['transfer-tr-001:1']);
    expect(ids(accounts)).toEqual(['account-ac-1-vip:1']);
    expect(ids(all)).toEqual([
      'account-ac-1-vip:1',
      'account-ac-2:1',
      'transfer-tr-001:1',
      'transfer-tr-001:2',
    ]);
  });
});

describe('app.eventGrid functions', () => {
  it('invokes an Event Grid trigger function once per event', async () => {
    const publisher = await startWith([{ name: 'audit', functionName: 'auditTrail' }]);
    await publisher.publish([approvalRequested(1), approvalRequested(2)]);
    await running().waitForIdle();

    const { received } = fixtureState();
    expect(received.auditTrail.map((r) => r.event.id).sort()).toEqual([
      'transfer-tr-001:1',
      'transfer-tr-001:2',
    ]);
    expect(received.auditTrail[0].event).toMatchObject({
      type: 'Cardflow.Transfer.TransferApprovalRequested',
      subject: 'transfer-tr-001',
    });
    expect(new Set(received.auditTrail.map((r) => r.invocationId)).size).toBe(2);
  });

  it('retries a failing function on the schedule until it succeeds', async () => {
    fixtureState().control.flakyFailuresLeft = 2;
    const publisher = await startWith([{ name: 'flaky-sub', functionName: 'flaky' }], () => 0.5);
    await publisher.publish([approvalRequested(1)]);
    await deliverUntil(running(), topic, () => fixtureState().received.flaky.length === 1);

    expect(fixtureState().control.flakyFailuresLeft).toBe(0);
    expect(running().clock.now() - Date.parse('2026-01-01T00:00:00.000Z')).toBe(40_000);
    expect(await deadLetters()).toEqual([]);
  });

  it('serves the Functions host Event Grid webhook for a function', async () => {
    await startWith([]);
    const url = '/runtime/webhooks/eventgrid?functionName=auditTrail';
    const handshake = await running().fetch(url, {
      method: 'OPTIONS',
      headers: { 'WebHook-Request-Origin': 'eventgrid.azure.net' },
    });
    expect(handshake.status).toBe(200);
    expect(handshake.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');

    const validation = await running().fetch(url, {
      method: 'POST',
      headers: { 'aeg-event-type': 'SubscriptionValidation', 'Content-Type': 'application/json' },
      body: JSON.stringify([
        {
          id: 'v1',
          eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
          data: { validationCode: 'abc-123' },
        },
      ]),
    });
    expect(await validation.json()).toEqual({ validationResponse: 'abc-123' });

    const event = {
      specversion: '1.0',
      id: 'e-1',
      source: '/cardflow/transfer-tr-9',
      type: 'Cardflow.Transfer.TransferCompleted',
      data: {},
    };
    const notification = await running().fetch(url, {
      method: 'POST',
      headers: {
        'aeg-event-type': 'Notification',
        'Content-Type': 'application/cloudevents+json; charset=utf-8',
      },
      body: JSON.stringify(event),
    });
    expect(notification.status).toBe(202);
    expect(fixtureState().received.auditTrail.map((r) => r.event)).toEqual([event]);

    const unknown = await running().fetch('/runtime/webhooks/eventgrid?functionName=nope', {
      method: 'OPTIONS',
    });
    expect(unknown.status).toBe(404);
    const noType = await running().fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '[]',
    });
    expect(noType.status).toBe(400);
  });
});
