import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { capRequestBody, closeWhenBodyUnread, readBody, RequestAbortedError } from './body';

describe('readBody', () => {
  let server: Server;
  let url: string;
  let port: number;
  const outcomes: string[] = [];
  const bytesRead: number[] = [];

  beforeAll(async () => {
    // Echoes the body's length, or 413 when it is over 1 KiB (or over the cap a `cap` query sets).
    server = createServer((req, res) => {
      closeWhenBodyUnread(req, res, 300);
      if (/^\/(stream|declared)/.test(req.url ?? ''))
        req.socket.once('close', () => bytesRead.push(req.socket.bytesRead));
      const cap = /[?&]cap=(\d+)/.exec(req.url ?? '')?.[1];
      if (cap) capRequestBody(req, Number(cap));
      readBody(req, 1024).then(
        (read) => {
          if (read.tooLarge) res.writeHead(413).end(`too large: ${read.limit}`);
          else res.writeHead(200).end(String(read.body.length));
        },
        (err: unknown) => outcomes.push(err instanceof RequestAbortedError ? err.message : String(err)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('buffers a body up to the limit', async () => {
    const res = await fetch(url, { method: 'POST', body: 'x'.repeat(1024) });
    expect(await res.text()).toBe('1024');
    expect(await (await fetch(url)).text()).toBe('0');
  });

  test('says tooLarge past the limit, and the client still reads the answer', async () => {
    const res = await fetch(url, { method: 'POST', body: 'x'.repeat(512 * 1024) });
    expect(res.status).toBe(413);
    expect(await res.text()).toBe('too large: 1024');
  });

  /** Waits until the server side of the one connection has closed (its bytesRead recorded). */
  const serverClosed = async (): Promise<void> => {
    for (let i = 0; i < 200 && bytesRead.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(bytesRead).toHaveLength(1);
  };

  /**
   * A client that sends 64 MiB in 64 KiB writes whatever the server answers meanwhile (only a closed
   * connection stops it): resolves with the answer's status once the connection is gone.
   */
  const sendRegardless = (path: string, header: string): Promise<number> =>
    new Promise((resolve) => {
      const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      let answer = '';
      let written = 0;
      const data = Buffer.alloc(64 * 1024, 'z');
      const chunk = header.startsWith('Transfer-Encoding')
        ? Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')])
        : data;
      const pump = (): void => {
        while (written < 64 * 1024 * 1024 && !socket.destroyed) {
          written += chunk.length;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      socket.on('data', (data: Buffer) => (answer += data.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
      socket.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\n${header}\r\n\r\n`);
      pump();
    });

  test('a streamed body is refused once it passes the limit, the rest left unread', async () => {
    bytesRead.length = 0;
    expect(await sendRegardless('/stream', 'Transfer-Encoding: chunked')).toBe(413);
    // What the server took off the socket: what its buffers hold, never the 64 MiB sent at it.
    await serverClosed();
    expect(bytesRead[0]).toBeLessThan(4 * 1024 * 1024);
  });

  test('a Content-Length over the limit is refused before the body is read', async () => {
    bytesRead.length = 0;
    expect(await sendRegardless('/declared', `Content-Length: ${64 * 1024 * 1024}`)).toBe(413);
    await serverClosed();
    expect(bytesRead[0]).toBeLessThan(4 * 1024 * 1024);
  });

  test('keeps serving after oversize bodies (each on a connection of its own)', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await fetch(url, { method: 'POST', body: 'y'.repeat(4096) })).status).toBe(413);
      expect(await (await fetch(url, { method: 'POST', body: 'ok' })).text()).toBe('2');
    }
  });

  test("a host-wide cap below the reader's own limit wins", async () => {
    const res = await fetch(`${url}/?cap=10`, { method: 'POST', body: 'x'.repeat(11) });
    expect(res.status).toBe(413);
    expect(await res.text()).toBe('too large: 10');
    expect(await (await fetch(`${url}/?cap=10`, { method: 'POST', body: 'x'.repeat(10) })).text()).toBe('10');
  });

  test('rejects with RequestAbortedError when the client goes away mid-body', async () => {
    outcomes.length = 0;
    await new Promise<void>((resolve) => {
      const req = request(`${url}/aborting`, { method: 'POST', headers: { 'content-length': '100' } });
      req.on('error', () => resolve());
      req.write('only part of it', () => setTimeout(() => req.destroy(), 20));
    });
    for (let i = 0; i < 100 && outcomes.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(outcomes).toEqual([
      'the client closed the connection before its request POST /aborting was complete',
    ]);
  });
});
