/**
 * `context.df.callHttp` against a local HTTP server on loopback: the request runs durably as the
 * extension's BuiltIn::HttpActivity, its response is recorded in the history (a replay sends
 * nothing), the 202 + Location pattern is polled on the host clock, a 4xx/5xx is a result, and a
 * host restart in the middle of a request sends it again.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestHost } from '../../testHost';
import { createDurableService } from '../service';
import { advance, API, raise, start, startDurableHost, status } from './helpers';

const HTTP_APP = path.join(__dirname, '../../test/fixtures/durable-http-app');

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A small service: what it answers per path, and every request it received. */
class TestServer {
  readonly seen: Seen[] = [];
  private readonly held: ServerResponse[] = [];
  private server: Server | undefined;
  private jobPolls = 0;
  baseUrl = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () =>
        this.answer({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body }, res),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    this.baseUrl = `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  count(pathname: string): number {
    return this.seen.filter((s) => s.path === pathname).length;
  }

  private answer(request: Seen, res: ServerResponse): void {
    this.seen.push(request);
    switch (request.path) {
      case '/hello':
        res.writeHead(200, { 'content-type': 'text/plain', 'x-answer': '42' }).end('hello');
        return;
      case '/echo':
        res.writeHead(201, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            method: request.method,
            contentType: request.headers['content-type'],
            custom: request.headers['x-custom'],
            body: request.body,
          }),
        );
        return;
      case '/jobs':
        res.writeHead(202, { location: '/jobs/1/status', 'retry-after': '2' }).end();
        return;
      case '/jobs/1/status':
        this.jobPolls++;
        if (this.jobPolls < 2) res.writeHead(202, { location: '/jobs/1/status', 'retry-after': '3' }).end();
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{"job":"done"}');
        return;
      case '/busy':
        res.writeHead(503, { 'retry-after': '60' }).end('busy');
        return;
      case '/missing':
        res.writeHead(404).end('no such thing');
        return;
      case '/secure':
        res.writeHead(200).end(String(request.headers.authorization));
        return;
      case '/hold':
        // The first request never gets an answer (the host stops meanwhile); later ones do.
        if (this.count('/hold') === 1) this.held.push(res);
        else res.writeHead(200).end('resumed');
        return;
      default:
        res.writeHead(500).end('unexpected');
    }
  }
}

type CallResult = { statusCode: number; content: string; headers: Record<string, string | string[]> };

describe('context.df.callHttp', () => {
  let host: TestHost;
  const server = new TestServer();
  beforeAll(async () => {
    await server.start();
    host = await startDurableHost({
      appRoot: HTTP_APP,
      settings: { DURABLE_HTTP_TOKENS: JSON.stringify({ 'https://vault.azure.net': 'token-for-vault' }) },
    });
  });
  afterAll(async () => {
    await host.stop();
    await server.stop();
  });

  async function call(name: string, input: unknown): Promise<{ id: string; output: unknown }> {
    const id = await start(host, name, input);
    await host.waitForIdle();
    const s = await status(host, id);
    expect(s.runtimeStatus).toBe('Completed');
    return { id, output: s.output };
  }

  test('a plain GET: status, content and response headers reach the orchestration, recorded in the history', async () => {
    const { id, output } = await call('CallHttp', { method: 'GET', url: `${server.baseUrl}/hello` });
    const result = output as CallResult;
    expect(result).toMatchObject({ statusCode: 200, content: 'hello' });
    expect(result.headers['x-answer']).toBe('42');
    // As the extension: only response headers, not .NET's content headers.
    expect(result.headers['content-type']).toBeUndefined();
    const history = (await status(host, id, '?showHistory=true')).historyEvents as Array<
      Record<string, unknown>
    >;
    expect(history.map((e) => e.EventType)).toEqual([
      'ExecutionStarted',
      'TaskCompleted',
      'ExecutionCompleted',
    ]);
    expect(server.count('/hello')).toBe(1);
  });

  test('a POST with a body and headers is sent as given', async () => {
    const { output } = await call('CallHttp', {
      method: 'POST',
      url: `${server.baseUrl}/echo`,
      body: { amountCents: 1500 },
      headers: { 'content-type': 'application/json', 'x-custom': 'yes' },
    });
    const result = output as CallResult;
    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.content)).toEqual({
      method: 'POST',
      contentType: 'application/json',
      custom: 'yes',
      body: '{"amountCents":1500}',
    });
  });

  test('a body without a content type is sent as text/plain, as the extension does', async () => {
    const { output } = await call('CallHttp', {
      method: 'PUT',
      url: `${server.baseUrl}/echo`,
      body: 'plain words',
    });
    expect(JSON.parse((output as CallResult).content)).toMatchObject({
      method: 'PUT',
      contentType: 'text/plain',
      body: 'plain words',
    });
  });

  test('202 + Location is polled with GET after Retry-After on the host clock until a final answer', async () => {
    const id = await start(host, 'CallHttp', {
      method: 'POST',
      url: `${server.baseUrl}/jobs`,
      body: '{}',
      headers: { 'content-type': 'application/json', 'x-functions-key': 'function-key' },
    });
    await host.waitForIdle();
    expect((await status(host, id)).runtimeStatus).toBe('Running');
    expect(server.count('/jobs/1/status')).toBe(0);
    await advance(host, 1999);
    expect(server.count('/jobs/1/status')).toBe(0);
    await advance(host, 1);
    expect(server.count('/jobs/1/status')).toBe(1);
    await advance(host, 3000);
    expect(await status(host, id)).toMatchObject({
      runtimeStatus: 'Completed',
      output: { statusCode: 200, content: '{"job":"done"}' },
    });
    const polls = server.seen.filter((s) => s.path === '/jobs/1/status');
    expect(polls.map((p) => p.method)).toEqual(['GET', 'GET']);
    // The poll keeps the original headers except the function key.
    expect(polls[0].headers['x-functions-key']).toBeUndefined();
    expect(server.count('/jobs')).toBe(1);
  });

  test('asynchronousPatternEnabled: false returns the 202 itself', async () => {
    const before = server.count('/jobs/1/status');
    const { output } = await call('CallHttp', {
      method: 'POST',
      url: `${server.baseUrl}/jobs`,
      asynchronousPatternEnabled: false,
    });
    expect(output).toMatchObject({ statusCode: 202, headers: { location: '/jobs/1/status' } });
    expect(server.count('/jobs/1/status')).toBe(before);
  });

  test('4xx and 5xx are results the orchestration receives, not exceptions', async () => {
    expect((await call('CallHttp', { method: 'GET', url: `${server.baseUrl}/busy` })).output).toMatchObject({
      statusCode: 503,
      content: 'busy',
      headers: { 'retry-after': '60' },
    });
    expect(
      (await call('CallHttp', { method: 'GET', url: `${server.baseUrl}/missing` })).output,
    ).toMatchObject({
      statusCode: 404,
      content: 'no such thing',
    });
  });

  test('a request that gets no response fails the task: the orchestrator catches the error', async () => {
    const { output } = await call('CallHttpCatching', { method: 'GET', url: 'http://127.0.0.1:1/nothing' });
    expect((output as { error: string }).error).toContain('callHttp GET http://127.0.0.1:1/nothing failed');
  });

  test('a managed identity token comes from DURABLE_HTTP_TOKENS; a resource without one fails with a clear message', async () => {
    const { output } = await call('CallHttp', {
      method: 'GET',
      url: `${server.baseUrl}/secure`,
      tokenResource: 'https://vault.azure.net',
    });
    expect((output as CallResult).content).toBe('Bearer token-for-vault');
    const before = server.count('/secure');
    const missing = await call('CallHttpCatching', {
      method: 'GET',
      url: `${server.baseUrl}/secure`,
      tokenResource: 'https://management.azure.com/.default',
    });
    const error = (missing.output as { error: string }).error;
    expect(error).toContain(
      "callHttp: no token for the managed identity resource 'https://management.azure.com/.default'",
    );
    expect(error).toContain('name a token for the resource in the DURABLE_HTTP_TOKENS setting');
    expect(server.count('/secure')).toBe(before);
  });

  test('a replay does not send the request again', async () => {
    const before = server.count('/hello');
    const id = await start(host, 'CallHttpThenWait', { method: 'GET', url: `${server.baseUrl}/hello` });
    await host.waitForIdle();
    expect(server.count('/hello')).toBe(before + 1);
    expect(await raise(host, id, 'Go', 'later')).toBe(202);
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({
      runtimeStatus: 'Completed',
      output: { statusCode: 200, content: 'hello', event: 'later' },
    });
    expect(server.count('/hello')).toBe(before + 1);
  });

  test('a request that is not a URL fails the orchestration with what is wrong', async () => {
    const id = await start(host, 'CallHttp', { method: 'GET', url: 'not a url' });
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({
      runtimeStatus: 'Failed',
      output: expect.stringContaining("callHttp: 'not a url' is not an absolute URL"),
    });
  });
});

test('a DURABLE_HTTP_TOKENS that is not a JSON object of tokens stops the host at start, saying why', async () => {
  await expect(
    startDurableHost({ appRoot: HTTP_APP, settings: { DURABLE_HTTP_TOKENS: '["t"]' } }),
  ).rejects.toThrow('DURABLE_HTTP_TOKENS must be a JSON object of resource → token');
});

describe('callHttp across a host restart', () => {
  let dir: string;
  const server = new TestServer();
  beforeAll(async () => {
    await server.start();
    dir = mkdtempSync(path.join(tmpdir(), 'durable-http-'));
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a request in flight when the host stops is sent again by the next host on the same database', async () => {
    const dataFile = path.join(dir, 'durable.db');
    const first = await startDurableHost({
      appRoot: HTTP_APP,
      dataFile,
      services: [createDurableService({ drainTimeoutMs: 50 })],
    });
    const id = await start(first, 'CallHttp', { method: 'GET', url: `${server.baseUrl}/hold` });
    for (let i = 0; i < 400 && server.count('/hold') === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(server.count('/hold')).toBe(1);
    await first.stop();

    const second = await startDurableHost({ appRoot: HTTP_APP, dataFile });
    try {
      await second.waitForIdle();
      expect((await status(second, id)).runtimeStatus).toBe('Running');
      // The interrupted attempt counts as crashed: it is sent again after the crash backoff (1 s, host clock).
      await second.advance(1000);
      expect(await status(second, id)).toMatchObject({
        runtimeStatus: 'Completed',
        output: { statusCode: 200, content: 'resumed' },
      });
      expect(server.count('/hold')).toBe(2);
      const res = await second.fetch(`${API}/instances/${id}?showHistory=true`);
      const body = (await res.json()) as { historyEvents: Array<{ EventType: string }> };
      expect(body.historyEvents.filter((e) => e.EventType === 'TaskCompleted')).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});
