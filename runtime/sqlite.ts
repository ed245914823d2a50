/**
 * The local host's SQLite connection: synchronous, prepared statements, transactions that nest as
 * savepoints, and errors that name SQLite's result code (`SQLITE_BUSY`, `SQLITE_FULL`, ...).
 *
 * It runs on `@photostructure/sqlite`, which has node:sqlite's API (`DatabaseSync`) and ships its
 * binaries inside its npm package, so a fresh `npm ci` compiles nothing. This module is the only
 * place that knows the driver; everything else opens a {@link Database}.
 *
 * Settings the driver leaves at SQLite's defaults are set the way the host needs them:
 * - a busy timeout of 5 s (SQLite's default is to fail at once when another connection writes);
 * - a 16 MiB page cache (SQLite's default 2 MiB makes scans of a few megabytes re-read pages);
 * - foreign keys enforced, double-quoted strings never taken as literals;
 * - in WAL mode, a checkpoint every 4 000 pages (16 MiB of log) instead of 1 000: each checkpoint
 *   copies the latest version of every page it finds and syncs the database file, so a quarter as
 *   many of them write fewer pages in all (appends +13 %, 10-event appends +19 % in bench:store).
 */
import { DatabaseSync, type DatabaseSyncInstance, type StatementSyncInstance } from '@photostructure/sqlite';

export interface DatabaseOptions {
  /** Open for reading only. */
  readonly?: boolean;
  /** Milliseconds to wait for a lock held by another connection before failing with SQLITE_BUSY. */
  timeout?: number;
}

/** What a statement that writes reports. */
export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/** A value SQLite binds: a number, string, bigint, byte array or null (undefined binds null). */
export type BindValue = number | string | bigint | Uint8Array | null | undefined;
/** Positional values, or one object of named values (`$name`, `:name` or `@name` in the SQL). */
export type BindParameters = BindValue[] | [Record<string, BindValue>];

/**
 * An error from SQLite, with its result code's name as `code` (for example `SQLITE_BUSY`), or
 * `SQLITE_CLOSED` (not one of SQLite's codes) for a call on a connection that was closed.
 */
export class SqliteError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'SqliteError';
    this.code = code;
  }
}

/** Extended result codes whose names callers may test for; the rest are named by their primary code. */
const EXTENDED_CODES: Record<number, string> = {
  275: 'SQLITE_CONSTRAINT_CHECK',
  787: 'SQLITE_CONSTRAINT_FOREIGNKEY',
  1299: 'SQLITE_CONSTRAINT_NOTNULL',
  1555: 'SQLITE_CONSTRAINT_PRIMARYKEY',
  2067: 'SQLITE_CONSTRAINT_UNIQUE',
  517: 'SQLITE_BUSY_SNAPSHOT',
  262: 'SQLITE_LOCKED_SHAREDCACHE',
};

interface DriverError {
  message: string;
  code?: string;
  errcode?: number;
  sqliteCodeName?: string;
}

function sqliteError(error: unknown): unknown {
  const driverError = error as DriverError | null;
  let code: string;
  if (typeof driverError?.errcode === 'number')
    code = EXTENDED_CODES[driverError.errcode] ?? driverError.sqliteCodeName ?? 'SQLITE_ERROR';
  else if (driverError?.code === 'ERR_INVALID_STATE' && /not open|closed/i.test(driverError.message))
    code = 'SQLITE_CLOSED';
  else return error;
  const translated = new SqliteError(driverError.message, code);
  translated.stack = (error as Error).stack;
  return translated;
}

function bindable(parameters: BindParameters): BindParameters {
  for (let i = 0; i < parameters.length; i++) {
    if (parameters[i] === undefined)
      return parameters.map((value) => (value === undefined ? null : value)) as BindParameters;
  }
  return parameters;
}

/** A prepared statement. Rows come back as plain objects keyed by column name. */
export class Statement {
  constructor(
    private readonly statement: StatementSyncInstance,
    readonly source: string,
  ) {}

  run(...parameters: BindParameters): RunResult {
    try {
      return this.statement.run(...bindable(parameters)) as RunResult;
    } catch (error) {
      throw sqliteError(error);
    }
  }

  get<Row = unknown>(...parameters: BindParameters): Row | undefined {
    try {
      return this.statement.get(...bindable(parameters)) as Row | undefined;
    } catch (error) {
      throw sqliteError(error);
    }
  }

  all<Row = unknown>(...parameters: BindParameters): Row[] {
    try {
      return this.statement.all(...bindable(parameters)) as Row[];
    } catch (error) {
      throw sqliteError(error);
    }
  }

  *iterate<Row = unknown>(...parameters: BindParameters): IterableIterator<Row> {
    try {
      for (const row of this.statement.iterate(...bindable(parameters))) yield row as Row;
    } catch (error) {
      throw sqliteError(error);
    }
  }
}

const SAVEPOINT = '"cardflow.savepoint"';
const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|END|ROLLBACK)\s*;?\s*$/i;

export class Database {
  private readonly db: DatabaseSyncInstance;
  private readonly begin: Statement;
  private readonly commit: Statement;
  private readonly rollback: Statement;
  private readonly savepoint: Statement;
  private readonly release: Statement;
  private readonly rollbackTo: Statement;
  private changesSoFar: Statement | undefined;
  private otherWrites = 0;

  constructor(
    readonly name: string,
    options: DatabaseOptions = {},
  ) {
    try {
      this.db = new DatabaseSync(name, {
        readOnly: options.readonly ?? false,
        timeout: options.timeout ?? 5000,
        enableForeignKeyConstraints: true,
        enableDoubleQuotedStringLiterals: false,
      });
    } catch (error) {
      throw sqliteError(error);
    }
    this.pragma('cache_size = -16000');
    this.pragma('wal_autocheckpoint = 4000');
    this.begin = this.prepare('BEGIN');
    this.commit = this.prepare('COMMIT');
    this.rollback = this.prepare('ROLLBACK');
    this.savepoint = this.prepare(`SAVEPOINT ${SAVEPOINT}`);
    this.release = this.prepare(`RELEASE ${SAVEPOINT}`);
    this.rollbackTo = this.prepare(`ROLLBACK TO ${SAVEPOINT}`);
  }

  /** Whether a transaction is open (SQLite may end one itself, after SQLITE_FULL for example). */
  get inTransaction(): boolean {
    return this.db.isOpen && this.db.isTransaction;
  }

  get open(): boolean {
    return this.db.isOpen;
  }

  prepare(source: string): Statement {
    try {
      return new Statement(this.db.prepare(source), source);
    } catch (error) {
      throw sqliteError(error);
    }
  }

  /**
   * A count that grows with every write on this connection: the rows inserted, updated or deleted
   * (SQLite's `total_changes()`, writes through RETURNING included) plus the statements run by
   * {@link exec} and the pragmas that set a value (schema changes and settings, which
   * `total_changes()` does not count). Transaction control (BEGIN, COMMIT, ROLLBACK) writes nothing.
   */
  writes(): number {
    const rows = (this.changesSoFar ??= this.prepare('SELECT total_changes() AS n')).get<{ n: number }>()!.n;
    return rows + this.otherWrites;
  }

  /** Runs one or more statements that take no parameters and return nothing. */
  exec(source: string): this {
    if (!TRANSACTION_CONTROL.test(source)) this.otherWrites++;
    try {
      this.db.exec(source);
    } catch (error) {
      throw sqliteError(error);
    }
    return this;
  }

  /**
   * Runs `PRAGMA source`: the rows it returns, or with `simple` the first column of the first row.
   */
  pragma(source: string, options: { simple?: boolean } = {}): unknown {
    if (source.includes('=')) this.otherWrites++;
    const rows = this.prepare(`PRAGMA ${source}`).all<Record<string, unknown>>();
    if (!options.simple) return rows;
    const first = rows[0];
    return first === undefined ? undefined : Object.values(first)[0];
  }

  /**
   * Wraps `fn` so that each call runs in a transaction: BEGIN … COMMIT, or inside an open
   * transaction a savepoint, so that a call that throws undoes its own writes and nothing else.
   */
  transaction<Args extends unknown[], Result>(fn: (...args: Args) => Result): (...args: Args) => Result {
    return (...args: Args): Result => {
      const nested = this.inTransaction;
      const [before, after, undo] = nested
        ? [this.savepoint, this.release, this.rollbackTo]
        : [this.begin, this.commit, this.rollback];
      before.run();
      try {
        const result = fn(...args);
        if (result instanceof Promise) throw new TypeError('a transaction function cannot return a promise');
        after.run();
        return result;
      } catch (error) {
        // SQLite may have rolled the whole transaction back already (SQLITE_FULL, SQLITE_IOERR).
        if (this.inTransaction) {
          undo.run();
          if (nested) after.run();
        }
        throw error;
      }
    };
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
