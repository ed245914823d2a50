import {
  AzureKeyCredential,
  AzureSASCredential,
  EventGridPublisherClient,
  generateSharedAccessSignature,
  type CloudEvent,
} from '@azure/eventgrid';
import { createTestHost, type TestHost } from '../testHost';
import { EventGridTopicService } from './topicService';
import { FIXTURE_APP, TOPIC_KEY } from './test/drive';

let host: TestHost;
let endpoint: string;

beforeEach(async () => {
  host = await createTestHost({
    appRoot: FIXTURE_APP,
    services: [new EventGridTopicService({ subscriptions: [] })],
    settings: { EVENTGRID_TOPIC_KEY: TOPIC_KEY },
  });
  endpoint = `${host.baseUrl}/runtime/eventgrid/topics/cardflow/api/events`;
});

afterEach(() => host.stop());

const event: CloudEvent<unknown> = {
  type: 'Cardflow.Account.AccountOpened',
  source: '/cardflow/account-ac-1',
  id: 'e-1',
  data: { accountId: 'ac-1' },
};

function client(credential: AzureKeyCredential | AzureSASCredential): EventGridPublisherClient<'CloudEvent'> {
  return new EventGridPublisherClient(endpoint, 'CloudEvent', credential, {
    allowInsecureConnection: true,
    retryOptions: { maxRetries: 0 },
  });
}

function storedEventIds(): string[] {
  return (
    host.db.prepare('SELECT event_id FROM eg_events ORDER BY seq').all() as Array<{ event_id: string }>
  ).map((r) => r.event_id);
}

async function post(
  body: string,
  headers: Record<string, string>,
  url = `${endpoint}?api-version=2018-01-01`,
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'aeg-sas-key': TOPIC_KEY,
      'Content-Type': 'application/cloudevents-batch+json; charset=utf-8',
      ...headers,
    },
    body,
  });
}

async function errorOf(
  res: Response,
): Promise<{ code: string; message: string; details: Array<{ code: string }> }> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (
    (await res.json()) as { error: { code: string; message: string; details: Array<{ code: string }> } }
  ).error;
}

describe('publishing to the local topic', () => {
  it('accepts the SDK client with the topic key, at the topic URL with or without /api/events', async () => {
    await client(new AzureKeyCredential(TOPIC_KEY)).send([event]);
    endpoint = `${host.baseUrl}/runtime/eventgrid/topics/cardflow`;
    await client(new AzureKeyCredential(TOPIC_KEY)).send([{ ...event, id: 'e-2' }]);
    expect(storedEventIds()).toEqual(['e-1', 'e-2']);
  });

  it('refuses a wrong key with 401 and stores nothing', async () => {
    await expect(client(new AzureKeyCredential('not-the-key')).send([event])).rejects.toMatchObject({
      statusCode: 401,
    });
    const res = await post(JSON.stringify([]), { 'aeg-sas-key': 'wrong' });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('Unauthorized');
    const anonymous = await fetch(`${endpoint}?api-version=2018-01-01`, { method: 'POST', body: '[]' });
    expect(anonymous.status).toBe(401);
    expect(storedEventIds()).toEqual([]);
  });

  it('accepts a SAS token made by generateSharedAccessSignature', async () => {
    const expiresOn = new Date(host.clock.now() + 3600_000);
    const token = await generateSharedAccessSignature(endpoint, new AzureKeyCredential(TOPIC_KEY), expiresOn);
    await client(new AzureSASCredential(token)).send([event]);
    expect(storedEventIds()).toEqual(['e-1']);
  });

  it('refuses an expired SAS token, one signed with another key, and one issued for another topic', async () => {
    const key = new AzureKeyCredential(TOPIC_KEY);
    const expired = await generateSharedAccessSignature(endpoint, key, new Date(host.clock.now() - 1000));
    const otherKey = await generateSharedAccessSignature(
      endpoint,
      new AzureKeyCredential('b3RoZXIta2V5'),
      new Date(host.clock.now() + 3600_000),
    );
    const otherTopic = await generateSharedAccessSignature(
      `${host.baseUrl}/runtime/eventgrid/topics/another/api/events`,
      key,
      new Date(host.clock.now() + 3600_000),
    );
    for (const token of [expired, otherKey, otherTopic]) {
      await expect(client(new AzureSASCredential(token)).send([event])).rejects.toMatchObject({
        statusCode: 401,
      });
    }
    const reasons: string[] = [];
    for (const token of [expired, otherKey, otherTopic]) {
      const res = await fetch(`${endpoint}?api-version=2018-01-01`, {
        method: 'POST',
        headers: { 'aeg-sas-token': token, 'Content-Type': 'application/cloudevents-batch+json' },
        body: JSON.stringify([{ specversion: '1.0', id: 'x', source: '/s', type: 't' }]),
      });
      expect(res.status).toBe(401);
      reasons.push((await errorOf(res)).message);
    }
    expect(reasons[0]).toMatch(/expired/);
    expect(reasons[1]).toMatch(/signature/);
    expect(reasons[2]).toMatch(/issued for/);
    expect(storedEventIds()).toEqual([]);
  });

  it('answers 413 to a batch over 1 MB, from the SDK client too', async () => {
    const big = { ...event, data: { blob: 'x'.repeat(1024 * 1024) } };
    await expect(client(new AzureKeyCredential(TOPIC_KEY)).send([big])).rejects.toMatchObject({
      statusCode: 413,
    });
    const res = await post(' '.repeat(1024 * 1024 + 1), {});
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('RequestEntityTooLarge');
    expect(storedEventIds()).toEqual([]);
  });

  it.each([
    [
      'a content type that is not CloudEvents',
      '[]',
      { 'Content-Type': 'application/json' },
      'InvalidContentType',
    ],
    ['a body that is not JSON', '[{', {}, 'InputJsonInvalid'],
    [
      'a batch that is not an array',
      JSON.stringify({ ...event, specversion: '1.0' }),
      {},
      'InputJsonInvalid',
    ],
    ['an empty batch', '[]', {}, 'InputJsonInvalid'],
    [
      'an event without id',
      JSON.stringify([{ specversion: '1.0', source: '/s', type: 't' }]),
      {},
      'MissingRequiredProperty',
    ],
    [
      'an event without source',
      JSON.stringify([{ specversion: '1.0', id: 'i', type: 't' }]),
      {},
      'MissingRequiredProperty',
    ],
    [
      'an event without type',
      JSON.stringify([{ specversion: '1.0', id: 'i', source: '/s' }]),
      {},
      'MissingRequiredProperty',
    ],
    [
      'an event of another specversion',
      JSON.stringify([{ specversion: '0.3', id: 'i', source: '/s', type: 't' }]),
      {},
      'InvalidSpecVersion',
    ],
    [
      'an event with a bad time',
      JSON.stringify([{ specversion: '1.0', id: 'i', source: '/s', type: 't', time: 'yesterday' }]),
      {},
      'InvalidPropertyValue',
    ],
  ])('answers 400 with a reason to %s', async (_case, body, headers, detailCode) => {
    const res = await post(body, headers as Record<string, string>);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('BadRequest');
    expect(error.details[0].code).toBe(detailCode);
    expect(error.message.length).toBeGreaterThan(10);
    expect(storedEventIds()).toEqual([]);
  });

  it('rejects a whole batch when one event is invalid', async () => {
    const valid = { specversion: '1.0', id: 'ok', source: '/s', type: 't' };
    const res = await post(JSON.stringify([valid, { ...valid, id: '' }]), {});
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/index 1/);
    expect(storedEventIds()).toEqual([]);
  });

  it('accepts a single structured event, and requires api-version', async () => {
    const single = JSON.stringify({ specversion: '1.0', id: 'one', source: '/s', type: 't' });
    expect((await post(single, { 'Content-Type': 'application/cloudevents+json' })).status).toBe(200);
    const noVersion = await post(single, { 'Content-Type': 'application/cloudevents+json' }, endpoint);
    expect(noVersion.status).toBe(400);
    expect(storedEventIds()).toEqual(['one']);
  });

  it('answers unknown runtime routes with 404 and wrong methods with 405, as problem details', async () => {
    const missing = await host.fetch('/runtime/eventgrid/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const wrongMethod = await host.fetch('/runtime/eventgrid/topics/cardflow/api/events', { method: 'GET' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });
});
