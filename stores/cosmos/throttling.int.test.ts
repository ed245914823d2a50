import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CosmosClient } from '@azure/cosmos';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { isStoreError } from '../errors';
import type { StoredEvent } from '../ports';
import { createCosmosStores } from './cosmosStores';

/** A proxy in front of the test server that answers 429 to the next `throttle` document writes. */
interface ThrottlingProxy {
  url: string;
  throttle: number;
  throttled: number;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function startProxy(targetPort: number, retryAfterMs: number): Promise<ThrottlingProxy> {
  const proxy: ThrottlingProxy = { url: '', throttle: 0, throttled: 0, close: async () => undefined };
  const server = createServer((req, res) => {
    if (
      req.method === 'POST' &&
      /\/docs$/.test(req.url ?? '') &&
      !req.headers['x-ms-documentdb-isquery'] &&
      proxy.throttle > 0
    ) {
      proxy.throttle--;
      proxy.throttled++;
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json', 'x-ms-retry-after-ms': String(retryAfterMs) });
      res.end(JSON.stringify({ code: 'TooManyRequests', message: 'Request rate is large' }));
      return;
    }
    const upstream = request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  const port = await listen(server);
  proxy.url = `http://127.0.0.1:${port}`;
  proxy.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return proxy;
}

function event(streamId: string, version: number): StoredEvent {
  return {
    id: `${streamId}/e${version}`,
    streamId,
    version,
    type: 'Happened',
    data: {},
    metadata: {},
    schemaVersion: 1,
  };
}

describe('the Cosmos driver under throttling (429)', () => {
  let cosmos: Server;
  let proxy: ThrottlingProxy;
  const clients: CosmosClient[] = [];

  beforeEach(async () => {
    cosmos = createHttpServer();
    proxy = await startProxy(await listen(cosmos), 40);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.dispose();
    await proxy.close();
    await new Promise((resolve) => {
      cosmos.close(resolve);
      cosmos.closeAllConnections();
    });
  });

  function client(sdkRetries: number): CosmosClient {
    const created = new CosmosClient({
      endpoint: proxy.url,
      key: 'test-key',
      connectionPolicy: {
        enableEndpointDiscovery: false,
        retryOptions: {
          maxRetryAttemptCount: sdkRetries,
          fixedRetryIntervalInMilliseconds: 0,
          maxWaitTimeInSeconds: 30,
        },
      },
    });
    clients.push(created);
    return created;
  }

  it('retries throttled writes after the wait the server asked for, beyond the SDK own retries', async () => {
    const waits: number[] = [];
    const stores = createCosmosStores({
      client: client(0),
      databaseName: 'throttled',
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await stores.commands.get('warm-up'); // creates database and containers unthrottled
    proxy.throttle = 3;
    expect(await stores.commands.submit({ id: 'cmd-0', type: 'OpenAccount', data: {} })).toBe('created');
    expect(proxy.throttled).toBe(3);
    expect(waits).toEqual([40, 40, 40]);
  });

  it('retries a throttled event append (a batch, whose retry-after the SDK drops) once it is let through', async () => {
    const waits: number[] = [];
    const stores = createCosmosStores({
      client: client(0),
      databaseName: 'throttled',
      sleep: async (ms) => void waits.push(ms),
    });
    await stores.commands.get('warm-up');
    proxy.throttle = 2;
    expect(
      await stores.events.append('account-t1', 0, [event('account-t1', 1), event('account-t1', 2)] as never),
    ).toBe(2);
    expect(proxy.throttled).toBe(2);
    expect(waits).toEqual([1000, 1000]);
    expect((await stores.events.readStream('account-t1')).map((e) => e.version)).toEqual([1, 2]);
  });

  it('gives up with store_unavailable when throttling outlasts its retries, having written nothing', async () => {
    const stores = createCosmosStores({
      client: client(0),
      databaseName: 'throttled',
      throttleRetries: 2,
      sleep: async () => undefined,
    });
    await stores.commands.get('warm-up');
    proxy.throttle = 10;
    const error = await stores.commands
      .submit({ id: 'cmd-1', type: 'OpenAccount', data: {} })
      .catch((e: unknown) => e);
    expect(isStoreError(error, 'store_unavailable')).toBe(true);
    expect(error).toMatchObject({ status: 503 });
    expect(proxy.throttled).toBe(3);
    proxy.throttle = 0;
    expect(await stores.commands.get('cmd-1')).toBeUndefined();
  });

  it('lets the SDK honour retry-after first with its default policy', async () => {
    const waits: number[] = [];
    const stores = createCosmosStores({
      client: client(9),
      databaseName: 'throttled',
      sleep: async (ms) => void waits.push(ms),
    });
    await stores.commands.get('warm-up');
    proxy.throttle = 2;
    expect(await stores.commands.submit({ id: 'cmd-2', type: 'OpenAccount', data: {} })).toBe('created');
    expect(proxy.throttled).toBe(2);
    expect(waits).toEqual([]);
  });
});
