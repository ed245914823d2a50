/**
 * Bindings the local host does not serve (blob, queue, Twilio, a Cosmos DB input): one warning at
 * start names each function and binding; the invocations run and say nothing more.
 */
import path from 'node:path';
import { createTestHost, type TestHost } from '../testHost';

const APP = path.join(__dirname, 'fixtures', 'bindings-app');

describe('bindings the host does not serve', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await createTestHost({ appRoot: APP, services: [], users: false });
  });
  afterAll(async () => {
    await host.stop();
  });

  test('are named in one warning at start, each with its function, binding and type', () => {
    const warnings = host.logs.lines('warn');
    expect(warnings).toHaveLength(1);
    const [warning] = warnings;
    expect(warning).toMatch(/^The local host drops the data of these output bindings: /);
    expect(warning).toMatch(/issueReceipt: "[^"]+" \(blob\)/);
    expect(warning).toMatch(/issueReceipt: "[^"]+" \(queue\)/);
    expect(warning).toMatch(/textHolder: "\$return" \(twilioSms\)/);
    expect(warning).toMatch(
      /The local host leaves these input bindings empty: showCard: "[^"]+" \(cosmosDB\)\./,
    );
    expect(warning).toContain('Served here: outputs http; inputs none');
    expect(warning).not.toContain('plain');
  });

  test('the functions still answer, their outputs dropped and inputs empty, with no further warning', async () => {
    const issued = await host.fetch('/api/issueReceipt', { method: 'POST', body: '{"card":"c-1"}' });
    expect(issued.status).toBe(201);
    expect(await issued.text()).toBe('receipt issued');
    expect(await (await host.fetch('/api/showCard?id=c-1')).json()).toEqual({ card: null });
    expect((await host.fetch('/api/plain')).status).toBe(200);
    expect(host.logs.lines('warn')).toHaveLength(1);
  });

  test('an app whose bindings are all served gets no warning', async () => {
    const clean = await createTestHost({
      appRoot: path.join(__dirname, 'fixtures', 'func-init-app'),
      services: [],
      users: false,
    });
    try {
      expect(clean.logs.lines('warn')).toEqual([]);
    } finally {
      await clean.stop();
    }
  });
});

describe('with the default services', () => {
  test('the warning names the served types as the services spell them', async () => {
    const host = await createTestHost({ appRoot: APP, users: false });
    try {
      const [warning] = host.logs.lines('warn');
      expect(warning).toContain('Served here: outputs http; inputs durableClient, orchestrationClient');
    } finally {
      await host.stop();
    }
  });
});
