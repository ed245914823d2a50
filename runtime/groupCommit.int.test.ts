/**
 * Group commit on a real SQLite file: writes join one open transaction, a second connection (what
 * another process, or the file after a crash, would see) sees them only once `durable()` settles,
 * many waiters share one commit, nested transactions stay savepoints, and stop commits what is open.
 */
import { Database } from './sqlite';
import fs, { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GroupCommit } from './groupCommit';
import { holdDiskSyncs, type HeldDiskSyncs } from './test/heldDiskSyncs';
import { WalFileSync, WalSyncError } from './walSync';

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

describe('with the write-ahead log synced off the event loop (the host default)', () => {
  let walSync: WalFileSync;
  /** fs.fdatasync held until released: what a slow disk does. */
  let pending: HeldDiskSyncs['held'];

  beforeEach(() => {
    commits.stop();
    db.pragma('synchronous = NORMAL');
    walSync = WalFileSync.of(db);
    pending = holdDiskSyncs().held;
  });

  afterEach(() => {
    commits.stop();
    jest.restoreAllMocks();
    walSync.close();
  });

  const grouped = (onError?: (e: unknown) => void) => {
    commits = new GroupCommit(db, { windowMs: 1, maxDelayMs: 60_000, syncer: walSync, onError });
    commits.start();
  };
  // Past the commit window (1 ms): whatever was scheduled has run.
  const turn = () => new Promise((r) => setTimeout(r, 5));
  /** Two of them: a commit scheduled in the first, and the sync it starts, have both run. */
  const settle = async () => {
    await turn();
    await turn();
  };
  const settledYet = (promise: Promise<unknown>) => {
    let settled = false;
    void promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    return () => settled;
  };

  it('answers a waiter only once the log that holds its commit is synced', async () => {
    grouped();
    insert('a');
    const waited = commits.durable();
    const settled = settledYet(waited);
    await settle();
    // Committed (another connection sees it) and the sync asked for, of the -wal file itself.
    expect(seenOutside()).toBe(1);
    expect(pending).toHaveLength(1);
    expect(readlinkSync(`/proc/self/fd/${pending[0].fd}`)).toBe(path.join(dir, 'host.db-wal'));
    expect(settled()).toBe(false);
    pending[0].done(null);
    await expect(waited).resolves.toBeUndefined();
  });

  it('groups the syncs too: commits made while one sync runs share the next one', async () => {
    grouped();
    insert('a');
    const first = commits.durable();
    await settle();
    expect(pending).toHaveLength(1);
    insert('b');
    const second = commits.durable();
    await turn();
    insert('c');
    const third = commits.durable();
    await settle();
    // Committed both, but no second sync while the first runs: it could not cover them.
    expect(seenOutside()).toBe(3);
    expect(pending).toHaveLength(1);
    const laterOnes = settledYet(Promise.all([second, third]));
    pending[0].done(null);
    await first;
    await turn();
    expect(laterOnes()).toBe(false);
    expect(pending).toHaveLength(2);
    pending[1].done(null);
    await expect(Promise.all([second, third])).resolves.toEqual([undefined, undefined]);
  });

  it('refuses the waiters of a sync that failed, work begun before it, and every waiter after it (nothing is acknowledged until a restart)', async () => {
    const errors: unknown[] = [];
    grouped((e) => errors.push(e));
    const since = commits.mark();
    insert('a');
    const failed = commits.durable();
    await settle();
    insert('b');
    const queued = commits.durable();
    await turn();
    pending[0].done(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(failed).rejects.toThrow(/could not be synced to disk \(EIO\)/);
    // Committed while the failed sync ran: its frames chain to the ones that may be lost.
    await expect(queued).rejects.toThrow(/could not be synced to disk \(EIO\)/);
    expect(errors).toEqual([expect.any(WalSyncError)]);
    await expect(commits.durable(since)).rejects.toThrow(/lost after the work began/);
    // A later sync would report success (Linux may have dropped the failed pages): none is even asked.
    insert('c');
    await expect(commits.durable(commits.mark())).rejects.toThrow(/could not be synced to disk \(EIO\)/);
    await turn();
    expect(pending).toHaveLength(1);
  });

  it('never counts writes of the open transaction as synced by a sync that began before their commit', async () => {
    grouped();
    insert('a');
    const first = commits.durable();
    await settle();
    insert('b');
    const second = commits.durable();
    await turn();
    // Written, not waited for: still in the open transaction when the first sync ends and the second begins.
    insert('c');
    pending[0].done(null);
    await first;
    await turn();
    expect(pending).toHaveLength(2);
    pending[1].done(null);
    await second;
    // 'c' commits now: the syncs so far began before, so it needs one of its own.
    const third = commits.durable();
    const thirdSettled = settledYet(third);
    await settle();
    expect(thirdSettled()).toBe(false);
    expect(pending).toHaveLength(3);
    pending[2].done(null);
    await expect(third).resolves.toBeUndefined();
  });

  it('syncs a commit that only changed the schema or a setting (SQLite counts no rows for those)', async () => {
    grouped();
    insert('a');
    const first = commits.durable();
    await settle();
    pending[0].done(null);
    await first;
    db.exec('CREATE TABLE migrated (id INTEGER PRIMARY KEY)');
    db.pragma('user_version = 2');
    const migrated = commits.durable();
    await settle();
    expect(pending).toHaveLength(2);
    pending[1].done(null);
    await expect(migrated).resolves.toBeUndefined();
  });

  it('refuses, not forgets, waiters whose connection closed before their sync', async () => {
    grouped();
    insert('a');
    const first = commits.durable();
    await settle();
    insert('b');
    const second = commits.durable();
    await turn();
    db.close();
    pending[0].done(null);
    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toThrow(/closed/);
    await expect(commits.durable()).rejects.toThrow(/closed/);
    db = new Database(path.join(dir, 'host.db'));
  });

  it('answers a waiter that wrote nothing new at once, but not while writes it may have read wait for their sync', async () => {
    grouped();
    insert('a');
    const writer = commits.durable();
    await settle();
    expect(pending).toHaveLength(1);
    // A reader of the same moment (it could have read 'a'): answered with the writer, not before.
    const reader = commits.durable();
    const readerSettled = settledYet(reader);
    await settle();
    expect(readerSettled()).toBe(false);
    pending[0].done(null);
    await Promise.all([writer, reader]);
    // Nothing written since that sync: a reader now needs no sync of its own.
    await expect(commits.durable()).resolves.toBeUndefined();
    expect(pending).toHaveLength(1);
  });

  it('syncs what still waits when stopped, blocking, and answers it', async () => {
    const syncNow = jest.spyOn(fs, 'fdatasyncSync');
    grouped();
    insert('a');
    const waiting = commits.durable();
    await settle();
    expect(pending).toHaveLength(1);
    insert('b');
    const open = commits.durable();
    commits.stop();
    expect(syncNow).toHaveBeenCalledTimes(1);
    await expect(Promise.all([waiting, open])).resolves.toEqual([undefined, undefined]);
    expect(seenOutside()).toBe(2);
    // The sync that was running ends later and answers nobody twice.
    pending[0].done(null);
    await turn();
  });

  it('syncs writes that committed on their own (not grouping) before telling them durable', async () => {
    commits = new GroupCommit(db, { syncer: walSync }); // never started
    insert('alone');
    const waited = commits.durable();
    await turn();
    expect(pending).toHaveLength(1);
    const settled = settledYet(waited);
    await turn();
    expect(settled()).toBe(false);
    pending[0].done(null);
    await expect(waited).resolves.toBeUndefined();
  });
});

it('WalFileSync really syncs the log of the database (fdatasync on the thread pool), and refuses once closed', async () => {
  insert('x');
  await commits.durable();
  const walSync = WalFileSync.of(db);
  expect(walSync.walFile).toBe(path.join(dir, 'host.db-wal'));
  const sync = jest.spyOn(fs, 'fdatasync');
  await expect(walSync.sync()).resolves.toBeUndefined();
  expect(() => walSync.syncNow()).not.toThrow();
  expect(sync).toHaveBeenCalledTimes(1);
  walSync.close();
  await expect(walSync.sync()).rejects.toThrow(/EBADF/);
  expect(sync).toHaveBeenCalledTimes(1);
  jest.restoreAllMocks();
});

it('WalFileSync finds the log SQLite uses (through a symlink), and refuses a log that is not there', () => {
  const real = path.join(dir, 'real');
  fs.mkdirSync(real);
  fs.symlinkSync(path.join(real, 'a.db'), path.join(dir, 'link.db'));
  const linked = new Database(path.join(dir, 'link.db'));
  linked.pragma('journal_mode = WAL');
  const walSync = WalFileSync.of(linked);
  expect(walSync.walFile).toBe(path.join(real, 'a.db-wal'));
  walSync.close();
  linked.close();
  expect(() => new WalFileSync(path.join(dir, 'never-opened.db-wal'))).toThrow(WalSyncError);
  expect(() => new WalFileSync(path.join(dir, 'never-opened.db-wal'))).toThrow(/\(ENOENT\)/);
  expect(() => new WalFileSync(path.join(dir, 'host.db', 'x.db-wal'))).toThrow(/\(ENOTDIR\)/);
  const memory = new Database(':memory:');
  expect(() => WalFileSync.of(memory)).toThrow(/no file/);
  memory.close();
});
