/**
 * Puts the host database's committed writes on disk without holding the event loop: an
 * `fdatasync` of the write-ahead log on libuv's thread pool.
 *
 * The database runs in WAL mode, where a commit appends its pages to the `-wal` file and SQLite's
 * `synchronous = FULL` syncs that file on the connection's thread, in COMMIT, while nothing else
 * of the host can run. With `synchronous = NORMAL` SQLite does everything else as with FULL (it
 * still syncs the log before every checkpoint copies it into the database, and the database after)
 * but leaves the per-commit sync out; this class is that sync, taken off the event loop. Once it
 * resolves, every frame committed before the call is on disk: the same state a power cut would
 * find with FULL. Its caller ({@link GroupCommit}) acknowledges nothing before.
 *
 * Only the host's own connection may delete the log (the last connection to close deletes it):
 * the host keeps that connection open while it runs, so the file this syncs is the log for the
 * host's whole life. An fd on the `-wal` file holds no SQLite lock (WAL mode locks the `-shm`
 * file and the database file), so opening and closing it here releases none.
 */
import fs from 'node:fs';

export class WalFileSync {
  private fd: number | undefined;
  private closed = false;

  /** `databaseFile`: the SQLite file; its log is `${databaseFile}-wal`. */
  constructor(private readonly databaseFile: string) {}

  get walFile(): string {
    return `${this.databaseFile}-wal`;
  }

  /** Resolves once every frame committed before the call is on disk; rejects with the sync's error. */
  sync(): Promise<void> {
    let fd: number | undefined;
    try {
      fd = this.open();
    } catch (error) {
      return Promise.reject(new WalSyncError(this.walFile, error as NodeJS.ErrnoException));
    }
    if (fd === undefined) return Promise.resolve();
    return new Promise((resolve, reject) =>
      fs.fdatasync(fd, (error) => (error ? reject(new WalSyncError(this.walFile, error)) : resolve())),
    );
  }

  /** The same, blocking: for the last commit at stop, when no turn of the event loop follows. */
  syncNow(): void {
    try {
      const fd = this.open();
      if (fd !== undefined) fs.fdatasyncSync(fd);
    } catch (error) {
      throw new WalSyncError(this.walFile, error as NodeJS.ErrnoException);
    }
  }

  /** Closes the fd (after the database connection has closed); later syncs have nothing to do. */
  close(): void {
    this.closed = true;
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }

  /**
   * The log's fd, opened at the first sync. SQLite creates the file when the connection first reads
   * the database: while there is none, nothing was committed to a log, and there is nothing to sync.
   */
  private open(): number | undefined {
    if (this.closed) return undefined;
    if (this.fd === undefined) {
      try {
        this.fd = fs.openSync(this.walFile, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    }
    return this.fd;
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
