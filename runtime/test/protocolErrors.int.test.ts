/**
 * Requests Node's HTTP parser refuses, sent over raw sockets to a real host: each is answered with
 * problem+json (not Node's bare 400 / 431, or a closed connection) wherever an answer can be written.
 */
import { connect } from 'node:net';
import path from 'node:path';
import { createTestHost, type TestHost } from '../testHost';

const HTTP_APP = path.join(__dirname, 'fixtures', 'http-app');

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  problem: Record<string, unknown> | undefined;
  raw: string;
}

/** Writes `bytes` on a fresh connection and reads until the host closes it. */
function exchange(host: TestHost, bytes: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(host.port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (data: Buffer) => received.push(data));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(received).toString('utf8');
      const [head, ...rest] = raw.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      const body = rest.join('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0),
        headers,
        problem: /problem\+json/.test(headers['content-type'] ?? '')
          ? (JSON.parse(body) as Record<string, unknown>)
          : undefined,
        raw,
      });
    });
    socket.write(bytes);
  });
}

describe('protocol-level errors', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await createTestHost({ appRoot: HTTP_APP, services: [], users: false });
  });
  afterAll(async () => {
    await host.stop();
  });

  const expectProblem = (answer: RawAnswer, status: number, detail: RegExp): void => {
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(answer.headers.connection).toBe('close');
    expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(answer.problem)));
    expect(answer.problem).toMatchObject({ type: 'about:blank', status });
    expect(String(answer.problem?.detail)).toMatch(detail);
  };

  test('a Content-Length that is not a number: 400', async () => {
    const answer = await exchange(host, 'POST /api/hello HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n');
    expectProblem(answer, 400, /Content-Length header is not a valid length/);
    expect(answer.problem).toMatchObject({ title: 'Bad Request', parserError: 'HPE_INVALID_CONTENT_LENGTH' });
  });

  test('two different Content-Lengths: 400', async () => {
    const answer = await exchange(
      host,
      'POST /api/hello HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
    );
    expectProblem(answer, 400, /Content-Length/);
  });

  test('Content-Length together with Transfer-Encoding: chunked: 400', async () => {
    const answer = await exchange(
      host,
      'POST /api/hello HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expectProblem(answer, 400, /both Content-Length and Transfer-Encoding/);
  });

  test('a Transfer-Encoding that does not end in chunked: 400', async () => {
    const answer = await exchange(
      host,
      'POST /api/hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc',
    );
    expectProblem(answer, 400, /Transfer-Encoding header is not valid/);
  });

  test('a malformed chunk in a body the host is reading: 400, and the request is not invoked', async () => {
    const answer = await exchange(
      host,
      'POST /api/echo/files HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n',
    );
    expectProblem(answer, 400, /chunked request body is malformed/);
    expect(host.logs.lines('error')).toEqual([]);
    expect(host.logs.lines('info').some((l) => l.startsWith("Executed 'Functions.echo'"))).toBe(false);
  });

  test("headers over 32 KiB (Kestrel's limit): 431; under it they pass", async () => {
    const big = await exchange(
      host,
      `GET /api/hello HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(40 * 1024)}\r\n\r\n`,
    );
    expectProblem(big, 431, /headers are larger than the 32 KiB this host accepts/);
    expect(big.problem).toMatchObject({ title: 'Request Header Fields Too Large' });
    const fine = await exchange(
      host,
      `GET /api/hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: ${'b'.repeat(20 * 1024)}\r\n\r\n`,
    );
    expect(fine.status).toBe(200);
  });

  test('a method the parser does not know: 501 naming it', async () => {
    const answer = await exchange(host, 'FROBNICATE /api/hello HTTP/1.1\r\nHost: x\r\n\r\n');
    expectProblem(answer, 501, /^The method FROBNICATE is not one this host implements\.$/);
  });

  test('CONNECT: 501 (the host is no proxy), not a closed connection', async () => {
    const answer = await exchange(host, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expectProblem(answer, 501, /CONNECT is not served/);
    expect(answer.problem).toMatchObject({ instance: 'example.com:443' });
  });

  test('bytes that are not HTTP at all (a TLS hello on the plain port): 400', async () => {
    const answer = await exchange(host, Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc]));
    expectProblem(answer, 400, /not|HTTP/);
  });

  test('each refusal is logged at information level, and the host keeps serving', async () => {
    expect(
      host.logs.lines('info').some((l) => l.startsWith('Refused a request the HTTP parser could not read')),
    ).toBe(true);
    expect(host.logs.lines('error')).toEqual([]);
    expect((await host.fetch('/api/hello')).status).toBe(200);
  });
});
