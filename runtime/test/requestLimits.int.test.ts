/**
 * The host's request body limit (`FUNCTIONS_REQUEST_BODY_SIZE_LIMIT`) over real HTTP: refused while
 * reading, memory flat while large bodies are refused; and a client that aborts is logged as that.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import { createTestHost, type TestHost } from '../testHost';

const HTTP_APP = path.join(__dirname, 'fixtures', 'http-app');
const MiB = 1024 * 1024;

/**
 * Sends `total` bytes in 1 MiB writes (declared by Content-Length, or chunked) and stops writing once
 * the host answers, as a client does; resolves with the answer and what was written by then.
 */
function sendBody(
  host: TestHost,
  route: string,
  total: number,
  framing: 'content-length' | 'chunked',
): Promise<{ status: number; body: string; contentType: string | undefined; written: number }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> =
      framing === 'chunked' ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(total) };
    const req = request(`${host.baseUrl}${route}`, { method: 'POST', headers });
    const chunk = Buffer.alloc(MiB, 'a');
    let written = 0;
    let answered = false;
    const pump = (): void => {
      while (!answered && written < total) {
        written += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => (body += text));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body, contentType: res.headers['content-type'], written });
        req.destroy();
      });
    });
    req.on('error', (err) => (answered ? undefined : reject(err)));
    pump();
  });
}

describe('FUNCTIONS_REQUEST_BODY_SIZE_LIMIT', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await createTestHost({
      appRoot: HTTP_APP,
      services: [],
      users: false,
      settings: { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(MiB) },
    });
  });
  afterAll(async () => {
    await host.stop();
  });

  test('a body within the limit reaches the function whole', async () => {
    const res = await host.fetch('/api/echo/files', { method: 'POST', body: 'x'.repeat(MiB) });
    expect(res.status).toBe(200);
    const echoed = (await res.json()) as { bodyBase64: string };
    expect(Buffer.from(echoed.bodyBase64, 'base64').length).toBe(MiB);
  });

  test('a Content-Length over it is answered 413 problem+json before the body is read', async () => {
    const answer = await sendBody(host, '/api/echo/files', 60 * MiB, 'content-length');
    expect(answer.status).toBe(413);
    expect(answer.contentType).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(answer.body)).toMatchObject({
      status: 413,
      title: 'Content Too Large',
      detail:
        'The request body is larger than the 1 MiB this host accepts (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT).',
      limit: MiB,
    });
    expect(answer.written).toBeLessThan(30 * MiB);
  });

  test('a chunked body is answered 413 as soon as it passes the limit', async () => {
    const answer = await sendBody(host, '/api/echo/files', 60 * MiB, 'chunked');
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 413, limit: MiB });
    expect(answer.written).toBeLessThan(30 * MiB);
  });

  test("applies to the host's own routes the Functions host serves, before their keys or routes are looked at", async () => {
    const answer = await sendBody(host, '/runtime/webhooks/durabletask/instances', 2 * MiB, 'content-length');
    expect(answer.status).toBe(413);
  });

  test('memory stays flat while several 60 MB bodies are refused', async () => {
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 4; i++) {
      const answer = await sendBody(
        host,
        '/api/echo/files',
        60 * MiB,
        i % 2 === 0 ? 'chunked' : 'content-length',
      );
      expect(answer.status).toBe(413);
    }
    const grownMiB = (process.memoryUsage().rss - before) / MiB;
    // 240 MB were offered; buffering even one body would show as 60 MB.
    expect(grownMiB).toBeLessThan(40);
    expect(host.logs.lines('error')).toEqual([]);
    // The host still answers.
    expect((await host.fetch('/api/hello')).status).toBe(200);
  });
});

describe('the limit setting', () => {
  test("Azure's default (100 MiB) when unset or not a number, the latter said at start", async () => {
    const host = await createTestHost({
      appRoot: HTTP_APP,
      services: [],
      users: false,
      settings: { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '1MB' },
    });
    try {
      expect(host.logs.lines('warn')).toContainEqual(
        expect.stringContaining('FUNCTIONS_REQUEST_BODY_SIZE_LIMIT is "1MB", not a number of bytes'),
      );
      const answer = await sendBody(host, '/api/echo/files', 101 * MiB, 'content-length');
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ limit: 104_857_600 });
      expect(
        (await host.fetch('/api/echo/files', { method: 'POST', body: 'x'.repeat(2 * MiB) })).status,
      ).toBe(200);
    } finally {
      await host.stop();
    }
  });
});

describe('a client that aborts its request', () => {
  test('is logged at information level as what it is, not as a failure', async () => {
    const host = await createTestHost({ appRoot: HTTP_APP, services: [], users: false });
    try {
      await new Promise<void>((resolve) => {
        const req = request(`${host.baseUrl}/api/echo/files`, {
          method: 'POST',
          headers: { 'content-length': '1000' },
        });
        req.on('error', () => resolve());
        req.write('the first part only', () => setTimeout(() => req.destroy(), 20));
      });
      let line: string | undefined;
      for (let i = 0; i < 200 && !line; i++) {
        line = host.logs.lines('info').find((l) => l.includes('closed the connection'));
        if (!line) await new Promise((r) => setTimeout(r, 5));
      }
      expect(line).toBe(
        'Request aborted: the client closed the connection before its request POST /api/echo/files was complete; nothing was invoked.',
      );
      expect(host.logs.lines('error')).toEqual([]);
      expect(host.logs.lines('info').some((l) => l.startsWith("Executed 'Functions.echo'"))).toBe(false);
    } finally {
      await host.stop();
    }
  });
});

describe('Expect: 100-continue', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await createTestHost({
      appRoot: HTTP_APP,
      services: [],
      users: false,
      settings: { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(MiB) },
    });
  });
  afterAll(async () => {
    await host.stop();
  });

  /** Sends the head only, then the body once the host says 100 Continue; what the host answered, in order. */
  const expectContinue = (length: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const socket = connect(host.port, '127.0.0.1');
      let answer = '';
      socket.on('data', (data: Buffer) => {
        const first = answer === '';
        answer += data.toString('latin1');
        if (first && answer.startsWith('HTTP/1.1 100 Continue')) socket.write('x'.repeat(length));
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(answer));
      socket.write(
        `POST /api/echo/files HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: ${length}\r\n\r\n`,
      );
    });

  test('a body over the limit is not asked for: 413 instead of 100', async () => {
    const answer = await expectContinue(10 * MiB);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).not.toContain('100 Continue');
  });

  test('a body within it is asked for and reaches the function', async () => {
    const answer = await expectContinue(1000);
    expect(answer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
  });
});
