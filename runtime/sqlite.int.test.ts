import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Database, SqliteError } from './sqlite';

let dir: string;
let db: Database;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sqlite-'));
  db = new Database(path.join(dir, 'test.db'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER)');
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = (): string[] =>
  db
    .prepare('SELECT id FROM t ORDER BY id')
    .all<{ id: string }>()
    .map((r) => r.id);

describe('statements', () => {
  test('bind positional and named values and return plain rows', () => {
    const insert = db.prepare('INSERT INTO t (id, n) VALUES (?, ?)');
    expect(insert.run('a', 1)).toEqual({ changes: 1, lastInsertRowid: 1 });
    db.prepare('INSERT INTO t (id, n) VALUES ($id, $n)').run({ id: 'b', n: 2 });
    expect(db.prepare('SELECT id, n FROM t WHERE id = ?').get('b')).toEqual({ id: 'b', n: 2 });
    expect(db.prepare('SELECT id FROM t WHERE id = ?').get('none')).toBeUndefined();
    expect([...db.prepare('SELECT n FROM t ORDER BY n').iterate<{ n: number }>()].map((r) => r.n)).toEqual([
      1, 2,
    ]);
  });

  test('bind undefined as NULL', () => {
    db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run('a', undefined);
    expect(db.prepare('SELECT n FROM t').get()).toEqual({ n: null });
  });

  test('pragma returns rows, or with simple the first value', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('cache_size')).toEqual([{ cache_size: -16000 }]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(4000);
  });
});

describe('errors name SQLite result codes', () => {
  test('a duplicate key is SQLITE_CONSTRAINT_PRIMARYKEY', () => {
    db.prepare('INSERT INTO t (id) VALUES (?)').run('a');
    const error = captured(() => db.prepare('INSERT INTO t (id) VALUES (?)').run('a'));
    expect(error).toBeInstanceOf(SqliteError);
    expect(error).toMatchObject({
      code: 'SQLITE_CONSTRAINT_PRIMARYKEY',
      message: expect.stringMatching(/UNIQUE/),
    });
  });

  test('bad SQL is SQLITE_ERROR', () => {
    expect(captured(() => db.prepare('SELEKT 1'))).toMatchObject({ code: 'SQLITE_ERROR' });
  });

  test('a write locked out by another connection is SQLITE_BUSY after the timeout', () => {
    const other = new Database(path.join(dir, 'test.db'), { timeout: 20 });
    try {
      db.exec('BEGIN IMMEDIATE');
      const began = Date.now();
      expect(captured(() => other.prepare('INSERT INTO t (id) VALUES (?)').run('x'))).toMatchObject({
        code: 'SQLITE_BUSY',
      });
      expect(Date.now() - began).toBeGreaterThanOrEqual(15);
      db.exec('ROLLBACK');
    } finally {
      other.close();
    }
  });

  test('a write on a read-only connection is SQLITE_READONLY', () => {
    const reader = new Database(path.join(dir, 'test.db'), { readonly: true });
    try {
      expect(captured(() => reader.prepare('INSERT INTO t (id) VALUES (?)').run('x'))).toMatchObject({
        code: 'SQLITE_READONLY',
      });
    } finally {
      reader.close();
    }
  });

  test('any call on a closed connection is SQLITE_CLOSED', () => {
    const statement = db.prepare('SELECT 1');
    db.close();
    for (const call of [() => statement.get(), () => db.prepare('SELECT 1'), () => db.transaction(() => 1)()])
      expect(captured(call)).toMatchObject({ name: 'SqliteError', code: 'SQLITE_CLOSED' });
    expect(db.open).toBe(false);
    expect(db.inTransaction).toBe(false);
  });
});

describe('transactions', () => {
  const insert = (id: string): void => {
    db.prepare('INSERT INTO t (id) VALUES (?)').run(id);
  };

  test('commit what the function wrote, and roll all of it back when it throws', () => {
    db.transaction(() => {
      insert('a');
      insert('b');
    })();
    expect(() =>
      db.transaction(() => {
        insert('c');
        throw new Error('changed my mind');
      })(),
    ).toThrow('changed my mind');
    expect(ids()).toEqual(['a', 'b']);
    expect(db.inTransaction).toBe(false);
  });

  test('pass arguments through and return the result', () => {
    const add = db.transaction(
      (id: string, n: number) => db.prepare('INSERT INTO t VALUES (?, ?)').run(id, n).changes,
    );
    expect(add('a', 7)).toBe(1);
    expect(db.prepare('SELECT n FROM t').get()).toEqual({ n: 7 });
  });

  test('nest as savepoints: an inner failure undoes only the inner writes', () => {
    db.transaction(() => {
      insert('outer');
      expect(() =>
        db.transaction(() => {
          insert('inner');
          insert('outer'); // duplicate: the inner call fails
        })(),
      ).toThrow(SqliteError);
      expect(db.inTransaction).toBe(true);
      insert('after');
    })();
    expect(ids()).toEqual(['after', 'outer']);
  });

  test('join a transaction opened with BEGIN, leaving its commit to whoever opened it', () => {
    db.exec('BEGIN');
    db.transaction(() => insert('a'))();
    expect(db.inTransaction).toBe(true);
    db.exec('ROLLBACK');
    expect(ids()).toEqual([]);
  });

  test('refuse a function that returns a promise, and write nothing', () => {
    expect(() =>
      db.transaction(() => {
        insert('a');
        return Promise.resolve();
      })(),
    ).toThrow(/cannot return a promise/);
    expect(ids()).toEqual([]);
  });

  test('rethrow when SQLite itself already ended the transaction', () => {
    db.exec('INSERT INTO t (id) VALUES (1)');
    const error = captured(() =>
      db.transaction(() => {
        insert('a');
        db.exec('ROLLBACK'); // as SQLite does on SQLITE_FULL
        throw new Error('disk full');
      })(),
    );
    expect(error).toEqual(new Error('disk full'));
    expect(db.inTransaction).toBe(false);
    expect(ids()).toEqual(['1']);
  });
});

function captured(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
