import { connect } from 'node:net';
import path from 'node:path';
import type { HostService, OutputConsumer } from '../contracts';
import { createTestHost, type TestHost } from '../testHost';

const HTTP_APP = path.join(__dirname, 'fixtures/http-app');

/** Collects what functions write to `testQueue` outputs and fills `testConfig` inputs. */
function queueService(received: unknown[]): HostService {
  const consume: OutputConsumer = ({ data }) => {
    received.push(JSON.parse(String(data?.json ?? data?.string)));
  };
  return {
    name: 'test-queue',
    start: (ctx) => {
      ctx.consumeOutput('testQueue', consume);
      ctx.provideInput('testConfig', (binding, fn) => ({
        json: JSON.stringify({ region: 'eu', fn: fn.name, type: binding.type }),
      }));
    },
    stop: () => undefined,
  };
}

let host: TestHost;
const queued: unknown[] = [];

beforeAll(async () => {
  host = await createTestHost({ appRoot: HTTP_APP, services: [queueService(queued)] });
});

afterAll(async () => {
  await host.stop();
});

/**
 * Sends raw bytes (for request targets fetch would normalize) and resolves with the status line.
 * The socket stays open for writing: a client that half-closes first lets Node's server abort the
 * request before an asynchronous answer is written; `Connection: close` makes the host close it.
 */
function rawRequest(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(raw));
    socket.on('data', (chunk) => (received += String(chunk)));
    socket.on('close', () => resolve(received.split('\r\n')[0]));
    socket.on('error', reject);
  });
}

async function problemOf(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await res.json()) as Record<string, unknown>;
}

describe('routing', () => {
  test('serves a function at /api/{function name} when it has no route', async () => {
    const res = await host.fetch('/api/hello?name=Ada');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Hello, Ada!');
  });

  test('matches literals case-insensitively, like Azure', async () => {
    const res = await host.fetch('/API/Hello');
    expect(await res.text()).toBe('Hello, world!');
  });

  test('passes route parameters, query, headers and the body bytes to the library', async () => {
    const body = Buffer.from([0, 1, 2, 250, 255]);
    const res = await host.fetch('/api/echo/books/7?tag=a&tag=b&q=x%20y', {
      method: 'PUT',
      body,
      headers: { 'x-custom': 'yes', 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(200);
    const echoed = (await res.json()) as Record<string, unknown>;
    expect(echoed).toMatchObject({
      method: 'PUT',
      params: { category: 'books', id: '7' },
      // Repeated query values arrive joined with a comma, as from the Functions host.
      query: { tag: 'a,b', q: 'x y' },
      header: 'yes',
      contentType: 'application/octet-stream',
      bodyBase64: body.toString('base64'),
    });
    expect(echoed.url).toBe(`${host.baseUrl}/api/echo/books/7?tag=a&tag=b&q=x%20y`);
  });

  test('leaves an optional parameter out when the path omits it', async () => {
    const res = await host.fetch('/api/echo/books');
    expect(((await res.json()) as { params: unknown }).params).toEqual({ category: 'books' });
  });

  test('answers 404 when a constraint rejects a segment', async () => {
    expect((await host.fetch('/api/echo/books/seven')).status).toBe(404);
    expect((await host.fetch('/api/echo/b00ks/7')).status).toBe(404);
  });

  test('decodes JSON bodies and answers with status, JSON and headers', async () => {
    const res = await host.fetch('/api/things', {
      method: 'POST',
      body: JSON.stringify({ id: 'card-1', cents: 1250 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/api/things/card-1');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ received: { id: 'card-1', cents: 1250 } });
  });

  test('prefers a literal route over a catch-all and passes the rest of the path', async () => {
    expect(await (await host.fetch('/api/files/index')).text()).toBe('the literal route wins');
    expect(await (await host.fetch('/api/files/a/b%20c/d.txt')).json()).toEqual({ path: 'a/b c/d.txt' });
    expect(await (await host.fetch('/api/files')).json()).toEqual({ path: null });
  });

  test('answers an unknown route with 404 problem+json', async () => {
    const res = await host.fetch('/api/no-such-function');
    expect(res.status).toBe(404);
    expect(await problemOf(res)).toMatchObject({ status: 404, title: 'Not Found' });
    expect((await host.fetch('/elsewhere')).status).toBe(404);
  });

  test('answers a known route with the wrong method with 405 problem+json and Allow', async () => {
    const res = await host.fetch('/api/things', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await problemOf(res)).toMatchObject({ status: 405, title: 'Method Not Allowed' });
  });

  test('reads a request target that starts with // as a path, and answers an unparsable one with 400, never 500', async () => {
    const statusOf = async (target: string, hostHeader = 'localhost'): Promise<number> => {
      const head = await rawRequest(
        host.port,
        `GET ${target} HTTP/1.1\r\nHost: ${hostHeader}\r\nConnection: close\r\n\r\n`,
      );
      return Number(head.split(' ')[1]);
    };
    expect(await statusOf('//a%20b')).toBe(404);
    expect(await statusOf('//[/api/hello')).toBe(404);
    // A path (the route matcher skips empty segments), not a host named "api".
    expect(await statusOf('//api/hello', '[not-a-host')).toBe(200);
    expect(await statusOf('http://[::1')).toBe(400);
    expect(await statusOf('/api/hello?name=Ada', '[not-a-host')).toBe(200);
  });
});

describe('responses', () => {
  test('writes status, headers and cookies of an HttpResponse', async () => {
    const res = await host.fetch('/api/session');
    expect(res.status).toBe(202);
    expect(res.headers.get('x-trace')).toBe('abc');
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.getSetCookie()).toEqual([
      'session=s1; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Strict',
      'theme=dark; Expires=Tue, 01 Jan 2030 00:00:00 GMT',
    ]);
    expect(await res.text()).toBe('accepted');
  });

  test('answers 204 when the function returns nothing', async () => {
    const res = await host.fetch('/api/nothing');
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  test('uses an http output binding that is not the return value', async () => {
    const res = await host.fetch('/api/named-output');
    expect(res.status).toBe(203);
    expect(await res.text()).toBe('from the named output');
  });

  test('hands extra outputs to the consumer registered for their binding type', async () => {
    const res = await host.fetch('/api/enqueue', { method: 'POST', body: JSON.stringify({ cardId: 'c-9' }) });
    expect(res.status).toBe(202);
    expect(queued).toEqual([{ cardId: 'c-9' }]);
  });

  test('turns a throwing handler into 500 problem+json, logs it, and keeps serving', async () => {
    const res = await host.fetch('/api/boom');
    expect(res.status).toBe(500);
    const problem = await problemOf(res);
    expect(problem).toMatchObject({ status: 500, title: 'Internal Server Error' });
    expect(JSON.stringify(problem)).not.toContain('blew up');
    const failure = host.logs.lines('error').find((l) => l.includes(`Id=${String(problem.invocationId)}`));
    expect(failure).toMatch(
      /^Executed 'Functions\.boom' \(Failed, Id=.*, Duration=\d+ms\): the handler blew up$/,
    );
    expect((await host.fetch('/api/hello')).status).toBe(200);
  });
});

describe('input bindings', () => {
  test('fills an input binding from the provider registered for its type', async () => {
    const res = await host.fetch('/api/with-input');
    expect(await res.json()).toEqual({ config: { region: 'eu', fn: 'withInput', type: 'testConfig' } });
  });

  test('leaves an input without a provider empty, drops an output without a consumer, and warns once at start', async () => {
    const bare = await createTestHost({ appRoot: HTTP_APP, services: [] });
    try {
      expect(bare.logs.lines('warn')).toEqual([
        expect.stringMatching(
          /output bindings: enqueue: "[^"]+" \(testQueue\).*input bindings empty: withInput: "[^"]+" \(testConfig\)/,
        ),
      ]);
      expect(await (await bare.fetch('/api/with-input')).json()).toEqual({ config: null });
      await bare.fetch('/api/with-input');
      expect((await bare.fetch('/api/enqueue', { method: 'POST', body: '{}' })).status).toBe(202);
      expect(bare.logs.lines('warn')).toHaveLength(1);
    } finally {
      await bare.stop();
    }
  });
});

describe('invocation log', () => {
  test('logs one line per invocation with name, id, duration and outcome, and the function’s own logs', async () => {
    const before = host.logs.entries.length;
    await host.fetch('/api/hello?name=Log');
    const lines = host.logs.entries.slice(before).map((e) => e.message);
    expect(lines).toContain('[Functions.hello] hello for Log');
    expect(lines.filter((l) => l.startsWith('Executed '))).toEqual([
      expect.stringMatching(/^Executed 'Functions\.hello' \(Succeeded, Id=[0-9a-f-]{36}, Duration=\d+ms\)$/),
    ]);
  });
});

describe('invoker', () => {
  test('invokes a function directly through the programming model', async () => {
    const result = await host.invoke({
      functionName: 'hello',
      triggerData: {
        http: {
          method: 'GET',
          url: 'http://local/api/hello?name=Direct',
          headers: {},
          query: { name: 'Direct' },
          params: {},
        },
      },
    });
    const http = result.returnValue?.http as { statusCode: string; body: { bytes: Uint8Array } };
    expect(http.statusCode).toBe('200');
    expect(Buffer.from(http.body.bytes).toString()).toBe('Hello, Direct!');
  });

  test('rejects an unknown function name', async () => {
    await expect(host.invoke({ functionName: 'nope', triggerData: {} })).rejects.toThrow(
      'No function named "nope"',
    );
  });
});
