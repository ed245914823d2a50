/**
 * Puts the host database's committed writes on disk without holding the event loop: an
 * `fdatasync` of the write-ahead log on libuv's thread pool.
 *
 * The database runs in WAL mode, where a commit appends its pages to the `-wal` file and SQLite's
 * `synchronous = FULL` syncs that file on the connection's thread, in COMMIT, while nothing else
 * of the host can run. With `synchronous = NORMAL` SQLite does everything else as with FULL (it
 * still syncs the log's header when it starts the log again, syncs the log before every checkpoint
 * copies it into the database, and the database after) but leaves the per-commit sync out; this
 * class is that sync, taken off the event loop. Once it resolves, every frame committed before the
 * call is on disk: the state a power cut would find with FULL. Its caller ({@link GroupCommit})
 * acknowledges nothing before.
 *
 * The log is the one SQLite itself uses (`PRAGMA database_list` names the database file after
 * symlinks and URIs), opened when the class is made, so a log that is not where it should be stops
 * the host at start instead of leaving every sync with nothing to do. Only the last connection to
 * close deletes the log, and the host keeps its own open while it runs, so the file this syncs is
 * the log for the host's whole life. An fd on the `-wal` file holds no SQLite lock (WAL mode locks
 * the `-shm` file and the database file), so closing it releases none.
 */
import fs from 'node:fs';
import type { Database } from './sqlite';

export class WalFileSync {
  private fd: number | undefined;
  private running = 0;
  private closing = false;

  /** The log of `db`'s main database (in WAL mode; the log exists once the connection has read). */
  static of(db: Database): WalFileSync {
    db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get();
    const main = (db.pragma('database_list') as Array<{ name: string; file: string }>).find(
      (d) => d.name === 'main',
    );
    if (!main?.file) throw new Error('The database has no file: it has no write-ahead log to sync.');
    return new WalFileSync(`${main.file}-wal`);
  }

  /** Opens `walFile` (read-write: Windows syncs only a handle that may write). */
  constructor(readonly walFile: string) {
    try {
      this.fd = fs.openSync(walFile, 'r+');
    } catch (error) {
      throw new WalSyncError(walFile, error as NodeJS.ErrnoException);
    }
  }

  /** Resolves once every frame committed before the call is on disk; rejects with the sync's error. */
  sync(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) return Promise.reject(this.closedError());
    this.running++;
    return new Promise<void>((resolve, reject) =>
      fs.fdatasync(fd, (error) => {
        this.running--;
        if (this.closing && this.running === 0) this.closeNow();
        if (error) reject(new WalSyncError(this.walFile, error));
        else resolve();
      }),
    );
  }

  /** The same, blocking: for the last commit at stop, when no turn of the event loop follows. */
  syncNow(): void {
    if (this.fd === undefined) throw this.closedError();
    try {
      fs.fdatasyncSync(this.fd);
    } catch (error) {
      throw new WalSyncError(this.walFile, error as NodeJS.ErrnoException);
    }
  }

  /**
   * Closes the fd (after the database connection has closed): at once, or when the syncs still
   * running on the thread pool end (closed under them, their fd number could name another file).
   */
  close(): void {
    this.closing = true;
    if (this.running === 0) this.closeNow();
  }

  private closeNow(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private closedError(): WalSyncError {
    return new WalSyncError(this.walFile, Object.assign(new Error('closed'), { code: 'EBADF' }));
  }
}

/** The write-ahead log could not be synced: what was committed since the last sync may not be on disk. */
export class WalSyncError extends Error {
  readonly code: string | undefined;

  constructor(walFile: string, cause: NodeJS.ErrnoException) {
    super(
      `The database's write-ahead log ${walFile} could not be synced to disk (${cause.code ?? cause.message}).`,
      {
        cause,
      },
    );
    this.name = 'WalSyncError';
    this.code = cause.code;
  }
}
