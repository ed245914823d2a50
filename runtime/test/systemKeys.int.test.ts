import path from 'node:path';
import { AzureKeyCredential, EventGridPublisherClient } from '@azure/eventgrid';
import { createDurableService } from '../durable';
import { EventGridTopicService } from '../eventgrid';
import { FIXTURE_APP as EVENTGRID_APP, TOPIC_KEY, fixtureState, resetFixture } from '../eventgrid/test/drive';
import { createTestHost, type TestHost } from '../testHost';

const DURABLE_APP = path.join(__dirname, 'fixtures', 'durable-app');
const MASTER_KEY = 'master-key-7f3a';
const FUNCTION_KEY = 'function-key-19c2';
const keys = { functionKeys: [FUNCTION_KEY], masterKey: MASTER_KEY };

interface Call {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** The status once the key is accepted. */
  ok: number;
}

const withCode = (p: string, code: string): string => `${p}${p.includes('?') ? '&' : '?'}code=${code}`;

async function call(host: TestHost, c: Call, path = c.path, headers: Record<string, string> = {}) {
  const res = await host.fetch(path, {
    method: c.method,
    headers: { ...c.headers, ...headers },
    body: c.body,
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text };
}

/** Every family of host routes refuses a request without the master key and takes it as ?code= or header. */
async function expectSystemKeyRequired(host: TestHost, calls: Call[]): Promise<void> {
  for (const c of calls) {
    for (const refused of [
      await call(host, c),
      await call(host, c, withCode(c.path, 'wrong')),
      // A function key is not a system key.
      await call(host, c, withCode(c.path, FUNCTION_KEY)),
      await call(host, c, c.path, { 'x-functions-key': FUNCTION_KEY }),
    ]) {
      expect({ call: `${c.method} ${c.path}`, status: refused.status }).toEqual({
        call: `${c.method} ${c.path}`,
        status: 401,
      });
      expect(refused.type).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(refused.text)).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
    const byQuery = await call(host, c, withCode(c.path, MASTER_KEY));
    expect({ call: `${c.method} ${c.path} ?code=`, status: byQuery.status }).toEqual({
      call: `${c.method} ${c.path} ?code=`,
      status: c.ok,
    });
    const byHeader = await call(host, c, c.path, { 'x-functions-key': MASTER_KEY });
    expect({ call: `${c.method} ${c.path} header`, status: byHeader.status }).toEqual({
      call: `${c.method} ${c.path} header`,
      status: c.ok,
    });
  }
}

describe('host routes with keys configured: the durable backend', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await createTestHost({ appRoot: DURABLE_APP, services: [createDurableService()], ...keys });
  });
  afterAll(() => host.stop());

  test('the public Durable HTTP API needs the master key', async () => {
    await expectSystemKeyRequired(host, [
      { method: 'GET', path: '/runtime/webhooks/durabletask/instances', ok: 200 },
      { method: 'GET', path: '/runtime/webhooks/durabletask/instances/nobody', ok: 404 },
      { method: 'GET', path: '/runtime/webhooks/durabletask/entities', ok: 200 },
      {
        method: 'POST',
        path: '/runtime/webhooks/durabletask/orchestrators/HelloCities',
        body: '["Oslo"]',
        ok: 202,
      },
    ]);
  });

  test('an instance started through the public API answers management URLs that carry the key and work as given', async () => {
    const res = await host.fetch(
      `/runtime/webhooks/durabletask/orchestrators/HelloCities?code=${MASTER_KEY}`,
      {
        method: 'POST',
        body: JSON.stringify(['Lima']),
      },
    );
    expect(res.status).toBe(202);
    const urls = (await res.json()) as Record<string, string>;
    for (const [name, value] of Object.entries(urls)) {
      if (name !== 'id')
        expect(new URL(value.replace(/[{}]/g, '')).searchParams.get('code')).toBe(MASTER_KEY);
    }
    await host.waitForIdle();
    const final = await fetch(urls.statusQueryGetUri);
    expect(final.status).toBe(200);
    expect(await final.json()).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello Lima!'] });
  });

  test("the SDK's DurableClient in an app function starts, queries, raises and lists without the caller giving a key", async () => {
    const started = await host.fetch('/api/start/HelloCities', {
      method: 'POST',
      body: JSON.stringify(['Paris', 'Quito']),
    });
    expect(started.status).toBe(202);
    const payload = (await started.json()) as {
      id: string;
      statusQueryGetUri: string;
      sendEventPostUri: string;
    };
    expect(payload.statusQueryGetUri).toBe(
      `${host.baseUrl}/runtime/webhooks/durabletask/instances/${payload.id}?taskHub=FixtureHub&connection=Storage&code=${MASTER_KEY}`,
    );
    expect(started.headers.get('location')).toBe(payload.statusQueryGetUri);
    await host.waitForIdle();
    // The check-status URL works exactly as the starter returned it.
    const polled = await fetch(payload.statusQueryGetUri);
    expect(polled.status).toBe(200);
    expect(await polled.json()).toMatchObject({
      instanceId: payload.id,
      runtimeStatus: 'Completed',
      output: ['Hello Paris!', 'Hello Quito!'],
    });
    // Without the code it is refused: the key in the URL is what lets it through.
    expect((await fetch(payload.statusQueryGetUri.replace(`&code=${MASTER_KEY}`, ''))).status).toBe(401);

    expect((await host.fetch('/api/start/Status/keyed-client', { method: 'POST' })).status).toBe(202);
    await host.waitForIdle();
    const client = async (operation: string, args: unknown) => {
      const res = await host.fetch(`/api/client/${operation}/keyed-client`, {
        method: 'POST',
        body: JSON.stringify(args),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
    };
    expect(await client('status', {})).toMatchObject({
      status: 200,
      body: { instanceId: 'keyed-client', runtimeStatus: 'Running' },
    });
    const listed = await client('list', { runtimeStatus: ['Running'] });
    expect((listed.body as Array<{ instanceId: string }>).map((s) => s.instanceId)).toContain('keyed-client');
    expect((await client('raise', { name: 'Go', data: { via: 'keyed client' } })).status).toBe(202);
    await host.waitForIdle();
    expect(await client('status', {})).toMatchObject({
      status: 200,
      body: { runtimeStatus: 'Completed', output: { via: 'keyed client' } },
    });
  });

  test('the RPC base for the SDK needs no key from this machine', async () => {
    const res = await host.fetch('/runtime/durabletask-rpc/instances');
    expect(res.status).toBe(200);
    expect(Array.isArray(await res.json())).toBe(true);
  });
});

describe('host routes with keys configured: the local Event Grid topic', () => {
  let host: TestHost;
  beforeAll(async () => {
    resetFixture();
    host = await createTestHost({
      appRoot: EVENTGRID_APP,
      services: [new EventGridTopicService({ keys: [TOPIC_KEY] })],
      ...keys,
    });
  });
  afterAll(() => host.stop());

  const cloudEvent = {
    specversion: '1.0',
    id: 'direct-1',
    source: '/cardflow/account-ac-9',
    type: 'Cardflow.Account.AccountOpened',
    data: { accountId: 'ac-9' },
  };

  test('the function webhook and the management routes need the master key', async () => {
    await expectSystemKeyRequired(host, [
      {
        method: 'OPTIONS',
        path: '/runtime/webhooks/eventgrid?functionName=auditTrail',
        headers: { 'webhook-request-origin': 'eventgrid.azure.net' },
        ok: 200,
      },
      {
        method: 'POST',
        path: '/runtime/webhooks/eventgrid?functionName=auditTrail',
        headers: { 'content-type': 'application/cloudevents+json', 'aeg-event-type': 'Notification' },
        body: JSON.stringify(cloudEvent),
        ok: 202,
      },
      { method: 'GET', path: '/runtime/eventgrid/deadletters', ok: 200 },
      { method: 'GET', path: '/runtime/eventgrid/deadletters?subscription=audit-trail', ok: 200 },
      { method: 'POST', path: '/runtime/eventgrid/deadletters/424242/redeliver', ok: 404 },
      { method: 'GET', path: '/runtime/eventgrid/subscriptions', ok: 200 },
    ]);
    // Only the two accepted webhook POSTs reached the function.
    expect(fixtureState().received.auditTrail.map((r) => r.event.id)).toEqual(['direct-1', 'direct-1']);
  });

  test('publishing to the topic takes only the aeg-sas-key, no function key', async () => {
    resetFixture();
    const publisher = new EventGridPublisherClient(
      `${host.baseUrl}/runtime/eventgrid/topics/cardflow/api/events`,
      'CloudEvent',
      new AzureKeyCredential(TOPIC_KEY),
      { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
    );
    await publisher.send([
      { id: 'published-1', source: cloudEvent.source, type: cloudEvent.type, data: cloudEvent.data },
    ]);
    await host.waitForIdle();
    expect(fixtureState().received.auditTrail.map((r) => r.event.id)).toEqual(['published-1']);
    // The topic's own check still applies: without its key the publish is refused.
    const refused = await host.fetch(
      `/runtime/eventgrid/topics/cardflow/api/events?api-version=2018-01-01&code=${MASTER_KEY}`,
      { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: '[]' },
    );
    expect(refused.status).toBe(401);
  });
});

test("with function keys but no master key, the host routes stay closed and the app's durable client still works", async () => {
  const host = await createTestHost({
    appRoot: DURABLE_APP,
    services: [createDurableService()],
    functionKeys: [FUNCTION_KEY],
  });
  try {
    expect((await host.fetch(`/runtime/webhooks/durabletask/instances?code=${FUNCTION_KEY}`)).status).toBe(
      401,
    );
    const started = await host.fetch('/api/start/Status/fn-keys-only', { method: 'POST' });
    expect(started.status).toBe(202);
    expect(((await started.json()) as { statusQueryGetUri: string }).statusQueryGetUri).not.toMatch(/code=/);
    await host.waitForIdle();
    const res = await host.fetch('/api/client/status/fn-keys-only', { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ instanceId: 'fn-keys-only', runtimeStatus: 'Running' });
  } finally {
    await host.stop();
  }
});

describe('host routes in dev mode (no keys)', () => {
  test('the Durable HTTP API and its check-status URLs need no key, as before', async () => {
    const host = await createTestHost({ appRoot: DURABLE_APP, services: [createDurableService()] });
    try {
      expect((await host.fetch('/runtime/webhooks/durabletask/instances')).status).toBe(200);
      const started = await host.fetch('/api/start/HelloCities', { method: 'POST', body: '["Rome"]' });
      expect(started.status).toBe(202);
      const payload = (await started.json()) as { statusQueryGetUri: string };
      expect(payload.statusQueryGetUri).not.toMatch(/code=/);
      await host.waitForIdle();
      expect((await fetch(payload.statusQueryGetUri)).status).toBe(200);
    } finally {
      await host.stop();
    }
  });

  test('the Event Grid routes need no key, as before', async () => {
    const host = await createTestHost({
      appRoot: EVENTGRID_APP,
      services: [new EventGridTopicService({ keys: [TOPIC_KEY] })],
    });
    try {
      expect((await host.fetch('/runtime/eventgrid/deadletters')).status).toBe(200);
      expect((await host.fetch('/runtime/eventgrid/subscriptions')).status).toBe(200);
      const handshake = await host.fetch('/runtime/webhooks/eventgrid?functionName=auditTrail', {
        method: 'OPTIONS',
        headers: { 'webhook-request-origin': 'eventgrid.azure.net' },
      });
      expect(handshake.status).toBe(200);
    } finally {
      await host.stop();
    }
  });
});
