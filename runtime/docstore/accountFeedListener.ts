/**
 * One `cosmosDBTrigger` function served from a Cosmos DB account's container (see
 * accountChangeFeed.ts): polls every `pollDelayMs`, one batch at a time, retries a failed batch on
 * the host clock, and tells the host when it has caught up.
 *
 * Idle: no invocation runs, no failed batch is due, and a poll that began after the host started
 * asking found nothing new — the account is written by other processes' clients (the app's SDK),
 * which this host does not see, so only a poll begun after the question can answer it. A yes holds
 * for two event-loop turns (the host asks twice across a turn), then the next question needs a poll
 * of its own.
 */
import type { Container } from '@azure/cosmos';
import type { HostContext } from '../contracts';
import { AccountChangeFeed, type AccountDocument } from './accountChangeFeed';

export interface AccountListenerConfig {
  database: string;
  container: string;
  startFromBeginning: boolean;
  maxItems: number;
  pollDelayMs: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

export class AccountFeedListener {
  private readonly feed: AccountChangeFeed;
  private polling?: Promise<void>;
  private pollTimer?: NodeJS.Timeout;
  private retryAt?: number;
  private cancelRetry?: () => void;
  private failures = 0;
  private stopped = false;
  /** performance.now() when the last poll that found nothing began, if the last poll found nothing. */
  private caughtUpSince?: number;
  /** When the host's current question began (its first isIdle call not yet answered yes). */
  private askedAt?: number;
  private answeredYes = false;
  /** The last read failure said, until a read succeeds. */
  private readFailure?: string;

  constructor(
    private readonly functionName: string,
    private readonly config: AccountListenerConfig,
    container: Container,
    private readonly ctx: HostContext,
  ) {
    this.feed = new AccountChangeFeed(container, {
      startFromBeginning: config.startFromBeginning,
      maxItems: config.maxItems,
    });
  }

  describe(): string {
    return `${this.functionName} (${this.config.database}/${this.config.container} on the account)`;
  }

  start(): void {
    this.pollTimer = setInterval(() => this.poll(), this.config.pollDelayMs);
    this.pollTimer.unref();
    this.poll();
  }

  /** Writes in this process do not go through the host: nothing to notice. */
  notify(): void {}

  isIdle(): boolean {
    if (this.stopped || this.retryAt !== undefined) return true;
    if (this.answeredYes) return true;
    const now = performance.now();
    this.askedAt ??= now;
    if (
      this.polling === undefined &&
      this.caughtUpSince !== undefined &&
      this.caughtUpSince >= this.askedAt
    ) {
      this.askedAt = undefined;
      this.answeredYes = true;
      setImmediate(() => setImmediate(() => (this.answeredYes = false)));
      return true;
    }
    this.poll();
    return false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.cancelRetry?.();
    await this.polling;
  }

  /** Reads the next batch and delivers it, unless a poll runs or a retry waits. */
  private poll(): void {
    if (this.stopped || this.polling !== undefined || this.retryAt !== undefined) return;
    const startedAt = performance.now();
    this.polling = this.pollOnce(startedAt).finally(() => {
      this.polling = undefined;
    });
  }

  private async pollOnce(startedAt: number): Promise<void> {
    let batch: AccountDocument[];
    try {
      batch = await this.feed.nextBatch();
    } catch (error) {
      this.caughtUpSince = undefined;
      // Said once per kind of failure, not on every poll; the next poll tries again.
      const message = describe(error);
      if (!this.stopped && message !== this.readFailure)
        this.ctx.log.error(
          `cosmosDBTrigger: ${this.functionName} cannot read ${this.config.database}/${this.config.container} on the account (retried every poll): ${message}`,
        );
      this.readFailure = message;
      return;
    }
    if (this.readFailure !== undefined) {
      this.ctx.log.info(
        `cosmosDBTrigger: ${this.functionName} reads ${this.config.database}/${this.config.container} on the account again`,
      );
      this.readFailure = undefined;
    }
    if (batch.length === 0) {
      this.caughtUpSince = startedAt;
      return;
    }
    this.caughtUpSince = undefined;
    try {
      await this.ctx.invoke({
        functionName: this.functionName,
        triggerData: { json: JSON.stringify(batch) },
      });
    } catch (error) {
      this.failures++;
      const delay = Math.min(
        this.config.retryDelayMs * 2 ** (this.failures - 1),
        this.config.maxRetryDelayMs,
      );
      this.ctx.log.warn(
        `cosmosDBTrigger: ${this.functionName} failed on ${batch.length} change(s) of ${this.config.container} ` +
          `(attempt ${this.failures}); the batch is read and retried in ${delay} ms: ${describe(error)}`,
      );
      if (this.stopped) return;
      this.retryAt = this.ctx.clock.now() + delay;
      this.cancelRetry = this.ctx.clock.schedule(this.retryAt, () => {
        this.retryAt = undefined;
        this.cancelRetry = undefined;
        this.poll();
      });
      return;
    }
    this.failures = 0;
    this.feed.markDelivered(batch);
    // More may be waiting: read again at once.
    setImmediate(() => this.poll());
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
