/**
 * Group commit for the host's database. Every write of the host and of the app it runs joins one
 * open transaction (better-sqlite3's own transactions nest in it as savepoints), and that
 * transaction commits — with `synchronous = FULL`, fsynced — soon after somebody waits for
 * durability, and at the latest every `maxDelayMs`. Whatever tells the world outside the process
 * that something happened (an HTTP response, a webhook delivery) waits for {@link GroupCommit.durable}
 * first: nothing acknowledged is lost to a crash or a power cut, and the many small transactions of
 * one busy moment share one fsync instead of paying one each.
 *
 * A crash loses only work nobody was told about, and loses it whole: what the host had done since
 * the last commit (an activity's result, the events it appended, the change-feed checkpoint) is one
 * transaction, so after a restart the work is redone from a consistent state, as Azure redoes work
 * whose acknowledgement was lost.
 *
 * @example
 * const commits = new GroupCommit(db);
 * commits.start();
 * db.prepare('INSERT INTO t VALUES (1)').run();
 * await commits.durable(); // on disk now
 */
import type Database from 'better-sqlite3';

export interface GroupCommitOptions {
  /** The least time between two commits while answers wait (they share the fsync). Default 1 ms. */
  windowMs?: number;
  /** The most time writes stay uncommitted when nobody waits. Default 50 ms. */
  maxDelayMs?: number;
  /** Where a commit that fails is reported (it is tried again at the next turn). */
  onError?: (error: unknown) => void;
}

export class GroupCommit {
  private readonly windowMs: number;
  private readonly maxDelayMs: number;
  private readonly onError: (error: unknown) => void;
  private waiting: Array<() => void> = [];
  private next: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private background: NodeJS.Timeout | undefined;
  private lastCommitAt = 0;
  private running = false;

  constructor(
    private readonly db: Database.Database,
    options: GroupCommitOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 1;
    this.maxDelayMs = options.maxDelayMs ?? 50;
    this.onError = options.onError ?? (() => undefined);
  }

  /** Opens the first transaction; from here on every write joins the open one. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.begin();
    this.background = setInterval(() => this.commit(), this.maxDelayMs);
    this.background.unref();
  }

  /** Resolves once everything written before the call is committed (at once when not running). */
  durable(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  /** Commits what is open and stops grouping: writes after this commit on their own. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.background);
    this.cancelNext();
    this.commit();
  }

  /** Commits now: what is open goes to disk, the waiting answers go out, a new transaction opens. */
  commit(): void {
    this.cancelNext();
    const waiting = this.waiting;
    this.waiting = [];
    try {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    } catch (error) {
      // E.g. a statement still stepping: the writes stay in the open transaction for the next try.
      this.onError(error);
      this.waiting.unshift(...waiting);
      if (this.running) this.schedule();
      return;
    }
    this.lastCommitAt = Date.now();
    for (const resolve of waiting) resolve();
    if (this.running) this.begin();
  }

  private begin(): void {
    if (this.db.inTransaction || !this.db.open) return;
    this.db.exec('BEGIN');
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
