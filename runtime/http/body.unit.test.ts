import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './body';

describe('readBody', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    // Echoes the body's length, or 413 when it is over 1 KiB.
    server = createServer((req, res) => {
      void readBody(req, 1024).then((read) => {
        if (read.tooLarge) res.writeHead(413).end('too large');
        else res.writeHead(200).end(String(read.body.length));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
    expect(await res.text()).toBe('too large');
  });

  test('keeps the connection usable after an oversize body', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await fetch(url, { method: 'POST', body: 'y'.repeat(4096) })).status).toBe(413);
      expect(await (await fetch(url, { method: 'POST', body: 'ok' })).text()).toBe('2');
    }
  });
});
