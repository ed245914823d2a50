/**
 * An answer held until the database commit (durableAnswers.ts), over real HTTP on loopback: it
 * goes out after the commit, and never when the commit reports the request's writes lost — the
 * client sees the connection end without an answer, as after a crash, not a success.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { holdUntilDurable } from './durableAnswers';

let server: Server;
let durable: () => Promise<void>;

beforeEach(async () => {
  server = createServer((req, res) => {
    holdUntilDurable(res, () => durable());
    res.writeHead(202, { 'content-type': 'application/json' });
    res.write('{"accepted":');
    res.end('true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function call(): Promise<{ status: number; body: string } | { error: string }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (error) => resolve({ error: error.message }));
    });
    req.on('error', (error) => resolve({ error: error.message }));
    req.end();
  });
}

it('sends the answer, in order, once the commit settles', async () => {
  let commit!: () => void;
  durable = () => new Promise<void>((resolve) => (commit = resolve));
  const answer = call();
  await new Promise((resolve) => setTimeout(resolve, 20));
  commit();
  await expect(answer).resolves.toEqual({ status: 202, body: '{"accepted":true}' });
});

it('sends no answer when the writes it acknowledges were lost', async () => {
  durable = () => Promise.reject(new Error('The database rolled back the open transaction'));
  const answer = await call();
  expect(answer).toEqual({ error: expect.stringMatching(/socket hang up|ECONNRESET/) });
});
