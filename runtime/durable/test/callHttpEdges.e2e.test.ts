/**
 * `context.df.callHttp` at its edges, against a loopback server: the backend polls exactly when the
 * SDK does (a 202 whose Location header is set), so the two never disagree about the hidden timer
 * and GET — an empty Location is a final answer, a Location that is no URL fails the call instead
 * of leaving the orchestration waiting forever — and a request the host cannot even build (a header
 * value with a line break) fails the call at once instead of failing in the backend again and again.
 * A host restart while the poll's timer waits keeps polling; a redirect is followed.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VirtualClock } from '../../clock';
import type { TestHost } from '../../testHost';
import { advance, start, startDurableHost, status } from './helpers';

const HTTP_APP = path.join(__dirname, '../../test/fixtures/durable-http-app');

let server: Server;
let baseUrl = '';
const hits = new Map<string, number>();
const count = (p: string) => hits.get(p) ?? 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const p = req.url ?? '';
    hits.set(p, count(p) + 1);
    req.resume();
    if (p === '/empty-location') res.writeHead(202, { location: '', 'retry-after': '1' }).end('queued');
    else if (p === '/bad-location')
      res.writeHead(202, { location: 'http://exa mple/x', 'retry-after': '1' }).end();
    else if (p === '/slow-job')
      res.writeHead(202, { location: '/slow-job/status', 'retry-after': '5' }).end();
    else if (p === '/slow-job/status') res.writeHead(200).end('finished');
    else if (p === '/endless') {
      // Writes until the client goes away: a response that never ends.
      const chunk = Buffer.alloc(64 * 1024, 'x');
      res.writeHead(200, { 'content-type': 'text/plain' });
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => hits.set('/endless closed', count('/endless closed') + 1));
      pump();
    } else if (p === '/moved') res.writeHead(302, { location: '/target' }).end();
    else if (p === '/target') res.writeHead(200).end(`arrived by ${req.method}`);
    else res.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  baseUrl = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('callHttp edges', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startDurableHost({ appRoot: HTTP_APP });
  });
  afterAll(() => host.stop());

  test('a 202 with an empty Location is the final answer (the SDK does not poll it), nothing more is sent', async () => {
    const id = await start(host, 'CallHttp', { method: 'POST', url: `${baseUrl}/empty-location` });
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({
      runtimeStatus: 'Completed',
      output: { statusCode: 202, content: 'queued' },
    });
    await advance(host, 60_000);
    expect(count('/empty-location')).toBe(1);
    expect(count('/')).toBe(0);
  });

  test('a 202 whose Location is not a URL fails the call with what is wrong, not a wait forever', async () => {
    const id = await start(host, 'CallHttpCatching', { method: 'POST', url: `${baseUrl}/bad-location` });
    await host.waitForIdle();
    await advance(host, 1000);
    const s = await status(host, id);
    expect(s).toMatchObject({ runtimeStatus: 'Completed' });
    expect((s.output as { error: string }).error).toContain("'http://exa mple/x' is not an absolute URL");
    expect(count('/bad-location')).toBe(1);
  });

  test('a header value with a line break fails the call, the orchestrator catches it, nothing is sent', async () => {
    const before = count('/');
    const id = await start(host, 'CallHttpCatching', {
      method: 'GET',
      url: `${baseUrl}/`,
      headers: { 'x-bad': 'one\r\nInjected: two' },
    });
    await host.waitForIdle();
    const s = await status(host, id);
    expect(s).toMatchObject({ runtimeStatus: 'Completed' });
    expect((s.output as { error: string }).error).toMatch(/callHttp GET .* failed/);
    expect(count('/')).toBe(before);
  });

  test('a response body past the limit fails the call (the host does not buffer without end), the connection is dropped', async () => {
    const id = await start(host, 'CallHttpCatching', { method: 'GET', url: `${baseUrl}/endless` });
    await host.waitForIdle();
    const s = await status(host, id);
    expect(s).toMatchObject({ runtimeStatus: 'Completed' });
    expect((s.output as { error: string }).error).toContain('the response body exceeds 16 MiB');
    for (let i = 0; i < 200 && count('/endless closed') === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(count('/endless closed')).toBe(1);
  });

  test('a redirect is followed, as the extension’s HttpClient does', async () => {
    const id = await start(host, 'CallHttp', { method: 'GET', url: `${baseUrl}/moved` });
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({
      runtimeStatus: 'Completed',
      output: { statusCode: 200, content: 'arrived by GET' },
    });
  });
});

describe('callHttp polling across a host restart', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'durable-http-poll-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a poll timer that waits when the host stops fires in the next host, which polls the Location', async () => {
    const dataFile = path.join(dir, 'durable.db');
    const first = await startDurableHost({ appRoot: HTTP_APP, dataFile });
    const id = await start(first, 'CallHttp', { method: 'POST', url: `${baseUrl}/slow-job` });
    await first.waitForIdle();
    expect(count('/slow-job')).toBe(1);
    const now = first.clock.now();
    await first.stop();

    const second = await startDurableHost({ appRoot: HTTP_APP, dataFile, clock: new VirtualClock(now) });
    try {
      await second.waitForIdle();
      expect((await status(second, id)).runtimeStatus).toBe('Running');
      await advance(second, 5000);
      expect(await status(second, id)).toMatchObject({
        runtimeStatus: 'Completed',
        output: { statusCode: 200, content: 'finished' },
      });
      expect(count('/slow-job')).toBe(1);
      expect(count('/slow-job/status')).toBe(1);
    } finally {
      await second.stop();
    }
  });
});
