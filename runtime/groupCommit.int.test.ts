/**
 * Group commit on a real SQLite file: writes join one open transaction, a second connection (what
 * another process, or the file after a crash, would see) sees them only once `durable()` settles,
 * many waiters share one commit, nested transactions stay savepoints, and stop commits what is open.
 */
import { Database } from './sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GroupCommit } from './groupCommit';

let dir: string;
let db: Database;
let outside: Database;
let commits: GroupCommit;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'group-commit-'));
  const file = path.join(dir, 'host.db');
  db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)');
  outside = new Database(file, { readonly: true });
  commits = new GroupCommit(db, { windowMs: 1, maxDelayMs: 60_000 });
  commits.start();
});

afterEach(() => {
  commits.stop();
  outside.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const seenInside = () => (db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;
const seenOutside = () => (outside.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;
const insert = (v: string) => db.prepare('INSERT INTO t (v) VALUES (?)').run(v);

it('keeps writes in the open transaction until somebody waits for them, then commits them', async () => {
  insert('a');
  insert('b');
  expect(db.inTransaction).toBe(true);
  expect(seenInside()).toBe(2);
  expect(seenOutside()).toBe(0);
  await commits.durable();
  expect(seenOutside()).toBe(2);
  // A new transaction is open again for what comes next.
  insert('c');
  expect(seenOutside()).toBe(2);
  await commits.durable();
  expect(seenOutside()).toBe(3);
});

it('answers every waiter of one moment with one commit', async () => {
  const exec = jest.spyOn(db, 'exec');
  const waits = Array.from({ length: 50 }, (_, i) => {
    insert(`w${i}`);
    return commits.durable();
  });
  await Promise.all(waits);
  expect(exec.mock.calls.filter(([sql]) => sql === 'COMMIT')).toHaveLength(1);
  expect(seenOutside()).toBe(50);
});

it('keeps a failed nested transaction a savepoint: only its own writes roll back', async () => {
  insert('kept');
  const failing = db.transaction(() => {
    insert('undone');
    insert('kept'); // UNIQUE violation
  });
  expect(() => failing()).toThrow(/UNIQUE/);
  expect(db.inTransaction).toBe(true);
  await commits.durable();
  expect(outside.prepare('SELECT v FROM t ORDER BY id').all()).toEqual([{ v: 'kept' }]);
});

it('commits on its own within maxDelayMs when nobody waits', async () => {
  commits.stop();
  commits = new GroupCommit(db, { maxDelayMs: 20 });
  commits.start();
  insert('background');
  const began = Date.now();
  while (seenOutside() === 0 && Date.now() - began < 5_000) await new Promise((r) => setTimeout(r, 5));
  expect(seenOutside()).toBe(1);
});

it('commits what is open when stopped, and lets later writes commit on their own', async () => {
  insert('before stop');
  commits.stop();
  expect(db.inTransaction).toBe(false);
  expect(seenOutside()).toBe(1);
  insert('after stop');
  expect(seenOutside()).toBe(2);
  await expect(commits.durable()).resolves.toBeUndefined();
});

it('tries a failed commit again and holds its waiters until it succeeds', async () => {
  const errors: unknown[] = [];
  commits.stop();
  commits = new GroupCommit(db, { windowMs: 1, maxDelayMs: 60_000, onError: (e) => errors.push(e) });
  commits.start();
  insert('x');
  const realExec = db.exec.bind(db);
  let failures = 2;
  jest.spyOn(db, 'exec').mockImplementation((sql: string) => {
    if (sql === 'COMMIT' && failures-- > 0) throw new Error('SQLITE_BUSY (staged)');
    return realExec(sql);
  });
  let settled = false;
  const waited = commits.durable().then(() => (settled = true));
  await new Promise((r) => setImmediate(r));
  expect(settled).toBe(false);
  await waited;
  expect(errors).toHaveLength(2);
  expect(seenOutside()).toBe(1);
});

describe('when SQLite rolls the open transaction back (disk full, I/O error)', () => {
  /** Makes the database unable to grow: the next statement that needs a page fails SQLITE_FULL. */
  const fillTheDisk = () =>
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  it('does not report the lost writes durable: their waiters are refused, later writes commit again', async () => {
    const errors: unknown[] = [];
    commits.stop();
    commits = new GroupCommit(db, { windowMs: 1, maxDelayMs: 60_000, onError: (e) => errors.push(e) });
    commits.start();
    insert('acknowledged?');
    const waited = commits.durable();
    fillTheDisk();
    // Another piece of work in the same group fails: SQLite ends the whole transaction, not its savepoint.
    const huge = db.transaction(() => {
      for (let i = 0; i < 50; i++) insert(`${i}:${'x'.repeat(4000)}`);
    });
    expect(() => huge()).toThrow(/full/i);
    expect(db.inTransaction).toBe(false);
    // A waiter that comes after the loss (its writes may have been in it) is not told "durable" either.
    const late = commits.durable();
    await expect(waited).rejects.toThrow(/rolled back/);
    await expect(late).rejects.toThrow(/rolled back/);
    expect(seenOutside()).toBe(0);
    expect(errors.length).toBeGreaterThan(0);
    // Room again: grouping goes on with a new transaction.
    db.pragma('max_page_count = 1073741823');
    insert('after');
    expect(db.inTransaction).toBe(true);
    await commits.durable();
    expect(outside.prepare('SELECT v FROM t').all()).toEqual([{ v: 'after' }]);
  });

  it('refuses work that began before a loss though the loss was found before it waited (its mark)', async () => {
    commits.stop();
    commits = new GroupCommit(db, { windowMs: 1, maxDelayMs: 60_000 });
    commits.start();
    const since = commits.mark(); // a request arrives
    insert('written by the request'); // ... writes, then waits for its invocation
    fillTheDisk();
    expect(() => db.transaction(() => insert('y'.repeat(40_000)))()).toThrow(/full/i);
    // Somebody else's wait finds the loss first.
    await expect(commits.durable()).rejects.toThrow(/rolled back/);
    db.pragma('max_page_count = 1073741823');
    // The request's answer waits now: with its mark it is refused, without one it would be told "durable".
    await expect(commits.durable(since)).rejects.toThrow(/lost after the work began/);
    await expect(commits.durable()).resolves.toBeUndefined();
    // Work that began after the loss is told as usual.
    const later = commits.mark();
    insert('after');
    await expect(commits.durable(later)).resolves.toBeUndefined();
    expect(outside.prepare('SELECT v FROM t').all()).toEqual([{ v: 'after' }]);
  });

  it('does not report writes durable that a closed connection threw away', async () => {
    insert('open when closed');
    const waited = commits.durable();
    db.close();
    await expect(waited).rejects.toThrow(/rolled back|not open/);
    db = new Database(path.join(dir, 'host.db'));
    expect(seenOutside()).toBe(0);
  });
});

it('backs off while commits keep failing instead of trying again back to back', async () => {
  const errors: unknown[] = [];
  commits.stop();
  commits = new GroupCommit(db, { windowMs: 1, maxDelayMs: 50, onError: (e) => errors.push(e) });
  commits.start();
  insert('x');
  const realExec = db.exec.bind(db);
  let failing = true;
  jest.spyOn(db, 'exec').mockImplementation((sql: string) => {
    if (sql === 'COMMIT' && failing)
      throw new Error('cannot commit transaction - SQL statements in progress');
    return realExec(sql);
  });
  const waited = commits.durable();
  await new Promise((r) => setTimeout(r, 200));
  // Back to back this would be thousands of tries (and as many log lines) in 200 ms.
  expect(errors.length).toBeGreaterThan(1);
  expect(errors.length).toBeLessThan(20);
  failing = false;
  await waited;
  expect(seenOutside()).toBe(1);
  jest.restoreAllMocks();
});
