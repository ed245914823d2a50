/**
 * An answer held until the database commit (durableAnswers.ts), over real HTTP on loopback: it
 * goes out after the commit, and never when the commit reports the request's writes lost — the
 * client sees the connection end without an answer, as after a crash, not a success.
 */
import { Database } from '../sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GroupCommit } from '../groupCommit';
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
  let commit: (() => void) | undefined;
  durable = () => new Promise<void>((resolve) => (commit = resolve));
  const answer = call();
  while (!commit) await new Promise((resolve) => setTimeout(resolve, 5));
  let answered = false;
  void answer.then(() => (answered = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(answered).toBe(false);
  commit();
  await expect(answer).resolves.toEqual({ status: 202, body: '{"accepted":true}' });
});

it('sends no answer when the writes it acknowledges were lost', async () => {
  durable = () => Promise.reject(new Error('The database rolled back the open transaction'));
  const answer = await call();
  expect(answer).toEqual({ error: expect.stringMatching(/socket hang up|ECONNRESET/) });
});

describe('with the group commit of a real database', () => {
  let dir: string;
  let db: Database;
  let commits: GroupCommit;
  let loose: Server;
  /** Lets the request's handler go on (it "invokes a function" meanwhile). */
  let proceed!: () => void;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'durable-answers-'));
    db = new Database(path.join(dir, 'host.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (v TEXT)');
    commits = new GroupCommit(db, { windowMs: 1, maxDelayMs: 60_000 });
    commits.start();
    loose = createServer((req, res) => {
      holdUntilDurable(
        res,
        (since) => commits.durable(since),
        () => commits.mark(),
      );
      db.prepare('INSERT INTO t VALUES (?)').run('accepted');
      void new Promise<void>((resolve) => (proceed = resolve)).then(() => {
        res.writeHead(202).end('accepted');
      });
    });
    await new Promise<void>((resolve) => loose.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    commits.stop();
    db.close();
    loose.closeAllConnections();
    await new Promise((resolve) => loose.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends no answer for a request whose write was lost before it answered, the loss found by another', async () => {
    const { port } = loose.address() as AddressInfo;
    const answer = new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.statusCode)));
      });
      req.on('error', (error) => resolve(error.message));
      req.end();
    });
    while ((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n === 0)
      await new Promise((r) => setTimeout(r, 5));
    // While the request runs, another write fails with the disk full: SQLite ends the whole transaction.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    expect(() =>
      db.transaction(() => db.prepare('INSERT INTO t VALUES (?)').run('z'.repeat(40_000)))(),
    ).toThrow(/full/i);
    await expect(commits.durable()).rejects.toThrow(/rolled back/);
    db.pragma('max_page_count = 1073741823');
    proceed();
    await expect(answer).resolves.toMatch(/socket hang up|ECONNRESET/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 0 });
  });
});
