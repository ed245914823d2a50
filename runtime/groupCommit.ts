/**
 * Group commit for the host's database. Every write of the host and of the app it runs joins one
 * open transaction (`Database.transaction` calls nest in it as savepoints), and that
 * transaction commits soon after somebody waits for durability, and at the latest every
 * `maxDelayMs`. A commit is on disk once its {@link Syncer} has synced it (the host's: an
 * `fdatasync` of the write-ahead log off the event loop, see walSync.ts) — or, with no syncer, once
 * COMMIT returns (`synchronous = FULL` syncs inside it). Waiters are answered only then; the syncs
 * are grouped too: commits made while one sync runs share the next. Whatever tells the world outside the process
 * that something happened (an HTTP response, a webhook delivery) waits for {@link GroupCommit.durable}
 * first: nothing acknowledged is lost to a crash or a power cut, and the many small transactions of
 * one busy moment share one fsync instead of paying one each.
 *
 * A crash loses only work nobody was told about, and loses it whole: what the host had done since
 * the last commit (an activity's result, the events it appended, the change-feed checkpoint) is one
 * transaction, so after a restart the work is redone from a consistent state, as Azure redoes work
 * whose acknowledgement was lost.
 *
 * SQLite itself may end the open transaction: a statement failing with SQLITE_FULL, SQLITE_IOERR or
 * SQLITE_NOMEM rolls back the whole transaction, not only its own savepoint, and closing the
 * connection rolls back what is open. The writes of everyone in the group are then gone: their
 * waiters are refused with a {@link WritesLostError} (never told "durable"), and a new transaction
 * opens. Nothing else may COMMIT or ROLLBACK the group's transaction.
 *
 * @example
 * const commits = new GroupCommit(db);
 * commits.start();
 * db.prepare('INSERT INTO t VALUES (1)').run();
 * await commits.durable(); // on disk now
 */
import type { Database } from './sqlite';

export interface GroupCommitOptions {
  /** The least time between two commits while answers wait (they share the fsync). Default 1 ms. */
  windowMs?: number;
  /** The most time writes stay uncommitted when nobody waits. Default 50 ms. */
  maxDelayMs?: number;
  /** Where a commit that fails is reported (it is tried again at the next turn). */
  onError?: (error: unknown) => void;
  /** Puts committed writes on disk; without one, a commit counts as durable when COMMIT returns. */
  syncer?: Syncer;
}

/** What puts the writes committed so far on disk. */
export interface Syncer {
  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void>;
  /** The same, blocking (the last commit at stop). */
  syncNow(): void;
}

/** The open transaction ended without the group's COMMIT: what was written in it is not on disk. */
export class WritesLostError extends Error {
  constructor(detail: string) {
    super(`The database rolled back the open transaction (${detail}); its writes are not on disk.`);
    this.name = 'WritesLostError';
  }
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  /** The waiter's {@link GroupCommit.mark}, if it gave one. */
  since?: number;
}

export class GroupCommit {
  private readonly windowMs: number;
  private readonly maxDelayMs: number;
  private readonly onError: (error: unknown) => void;
  private waiting: Waiter[] = [];
  /** Whether the group's own transaction is open (begun and neither committed nor found lost). */
  private open = false;
  private next: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private background: NodeJS.Timeout | undefined;
  private lastCommitAt = 0;
  /** Transactions SQLite rolled back so far (see {@link mark}). */
  private losses = 0;
  /** Commits failed in a row (the retry waits longer each time). */
  private failures = 0;
  private running = false;
  /** Committed, waiting for a sync that begins after their commit. */
  private unsynced: Waiter[] = [];
  /** Waiting for the sync that runs now. */
  private syncing: Waiter[] | undefined;
  private readonly syncer: Syncer | undefined;
  /** The connection's write count ({@link Database.writes}) at the last commit. */
  private committedUpTo = 0;
  /** The write count the last sync covered (none yet: -1). */
  private syncedUpTo = -1;
  /** A sync that failed: from then on nothing is acknowledged (see {@link syncNext}). */
  private syncFailed: Error | undefined;

  constructor(
    private readonly db: Database,
    options: GroupCommitOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 1;
    this.maxDelayMs = options.maxDelayMs ?? 50;
    this.onError = options.onError ?? (() => undefined);
    this.syncer = options.syncer;
  }

  /** Opens the first transaction; from here on every write joins the open one. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.begin();
    this.background = setInterval(() => this.commit(), this.maxDelayMs);
    this.background.unref();
  }

  /**
   * A mark of this moment for {@link durable}: work that starts here (an HTTP request) and waits
   * later learns of a loss in between, though the loss was found before it waited.
   */
  mark(): number {
    return this.losses;
  }

  /**
   * Resolves once everything written before the call is committed (at once when not running);
   * rejects with a {@link WritesLostError} when SQLite rolled those writes back instead — or, given
   * `since` (a {@link mark}), when any transaction was lost after that mark.
   */
  durable(since?: number): Promise<void> {
    if (since !== undefined && this.losses > since) return Promise.reject(this.lostSince());
    if (this.syncFailed) return Promise.reject(this.syncFailed);
    // Not grouping: writes committed on their own, still to be synced.
    if (!this.running) return this.syncer?.sync() ?? Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject, since });
      // Found lost at once: the writes before this call may have been in the rolled-back transaction.
      if (this.lost()) this.commit();
      else this.schedule();
    });
  }

  /** Commits what is open and stops grouping: writes after this commit on their own. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.background);
    this.cancelNext();
    this.commit();
    // A last commit that failed is not tried again (the connection is about to close): refused.
    this.refuse(new WritesLostError('the last commit before stopping failed'));
    // What waits for a sync is synced now, blocking: no turn of the event loop may follow.
    const unsynced = [...(this.syncing ?? []), ...this.unsynced];
    this.syncing = undefined;
    this.unsynced = [];
    if (unsynced.length === 0) return;
    if (this.syncFailed) return this.refuseAll(unsynced, this.syncFailed);
    try {
      this.syncer?.syncNow();
    } catch (error) {
      this.onError(error);
      return this.refuseAll(unsynced, error as Error);
    }
    this.answer(unsynced);
  }

  /** Commits now: what is open goes to disk, the waiting answers go out, a new transaction opens. */
  commit(): void {
    this.cancelNext();
    if (this.lost()) {
      this.open = false;
      this.losses++;
      const error = new WritesLostError(this.db.open ? 'a statement failed' : 'the connection closed');
      this.onError(error);
      this.refuse(error);
      if (this.running) this.begin();
      return;
    }
    const waiting = this.waiting;
    this.waiting = [];
    try {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    } catch (error) {
      // E.g. a statement still stepping: the writes stay in the open transaction for the next try,
      // after a wait that doubles while the commits keep failing (not a busy loop of tries and logs).
      this.onError(error);
      this.waiting.unshift(...waiting);
      this.failures++;
      if (this.running) this.retryLater(Math.min(this.maxDelayMs, 2 ** this.failures));
      return;
    }
    this.failures = 0;
    this.open = false;
    this.lastCommitAt = Date.now();
    // Nothing is open now: the count is what is committed (taken later, it would count writes
    // of the next transaction, not yet committed, as covered by the sync).
    if (this.syncer && this.db.open) this.committedUpTo = this.db.writes();
    if (this.running) this.begin();
    if (!this.syncer) this.answer(waiting);
    else if (waiting.length > 0) {
      this.unsynced.push(...waiting);
      this.syncNext();
    }
  }

  /**
   * Starts a sync for what is committed and unsynced, unless one runs (its end starts the next).
   * When nothing was committed since the last sync (the waiters only read), they are answered at once.
   *
   * A sync that fails ends acknowledging for good: after an fsync error Linux may drop the pages it
   * could not write and report the next sync fine, and the log's later frames chain their checksums
   * to the lost ones, so recovery would drop acknowledged commits after them too. Every waiter from
   * then on is refused with the error (the host must be restarted, which recovers from the file).
   */
  private syncNext(): void {
    if (this.syncing || this.unsynced.length === 0 || !this.syncer || !this.running) return;
    const batch = this.unsynced;
    this.unsynced = [];
    if (this.syncFailed) return this.refuseAll(batch, this.syncFailed);
    if (!this.db.open)
      return this.refuseAll(batch, new WritesLostError('the connection closed before a sync'));
    const upTo = this.committedUpTo;
    if (upTo === this.syncedUpTo) return this.answer(batch);
    this.syncing = batch;
    this.syncer.sync().then(
      () => {
        if (this.syncing !== batch) return; // stop() answered it already
        this.syncing = undefined;
        this.syncedUpTo = upTo;
        this.answer(batch);
        this.syncNext();
      },
      (error: unknown) => {
        if (this.syncing !== batch) return;
        this.syncing = undefined;
        // Not known to be on disk: nobody is told it is, work begun before is refused, and so is
        // everything after (see above).
        this.losses++;
        this.syncFailed = error instanceof Error ? error : new Error(String(error));
        this.onError(error);
        this.refuseAll([...batch, ...this.unsynced.splice(0)], this.syncFailed);
      },
    );
  }

  private refuseAll(waiting: readonly Waiter[], error: Error): void {
    for (const { reject } of waiting) reject(error);
  }

  private answer(waiting: readonly Waiter[]): void {
    for (const waiter of waiting) {
      if (waiter.since !== undefined && this.losses > waiter.since) waiter.reject(this.lostSince());
      else waiter.resolve();
    }
  }

  /** Whether the group's transaction ended without its COMMIT (SQLite rolled it back, or the connection closed). */
  private lost(): boolean {
    return this.open && !(this.db.open && this.db.inTransaction);
  }

  private lostSince(): WritesLostError {
    return new WritesLostError('a transaction was lost after the work began');
  }

  /** Refuses everyone waiting for a commit. */
  private refuse(error: Error): void {
    const waiting = this.waiting;
    this.waiting = [];
    this.refuseAll(waiting, error);
  }

  private begin(): void {
    if (!this.db.open) return;
    if (!this.db.inTransaction) this.db.exec('BEGIN');
    this.open = true;
  }

  private retryLater(ms: number): void {
    this.cancelNext();
    this.next = setTimeout(() => this.commit(), ms);
  }

  private schedule(): void {
    if (this.next) return;
    const wait = this.lastCommitAt + this.windowMs - Date.now();
    // Answers that arrive in the same turn of the event loop share the commit after it.
    this.next = wait > 0 ? setTimeout(() => this.commit(), wait) : setImmediate(() => this.commit());
  }

  private cancelNext(): void {
    if (!this.next) return;
    clearTimeout(this.next as NodeJS.Timeout);
    clearImmediate(this.next as NodeJS.Immediate);
    this.next = undefined;
  }
}
