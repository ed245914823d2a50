/**
 * Serves the app's `app.cosmosDB(...)` functions (trigger type `cosmosDBTrigger`) from the local
 * document store's change feed, as the Cosmos DB trigger does in Azure:
 *
 * - each function reads its container's feed under its own lease (lease container, default
 *   `leases`; lease id = `leaseContainerPrefix` + database + container), so several functions on
 *   one container each see every change;
 * - batches of at most `maxItemsPerInvocation` (default 100) documents, latest version of each, in
 *   change order (hence in order within every partition), one batch at a time per function;
 * - the lease is checkpointed only after the invocation succeeded (at-least-once); a failed batch
 *   is retried, the same batch, after a backoff on the host clock (1 s, doubling up to 1 min), and
 *   never skipped;
 * - new changes are noticed at once when written in this process (an in-process notification)
 *   and otherwise by polling every `feedPollDelay` ms of the binding, or `pollIntervalMs`
 *   (default 25 ms) when the binding sets none.
 *
 * From a Cosmos DB account instead (`source: 'connection'`, or the app setting
 * `LOCAL_HOST_COSMOS_TRIGGER=connection`): each function reads the account its binding's
 * `connection` names — the setting as a connection string, or `{connection}__accountEndpoint` with
 * the service's `credential`, else the platform's identity endpoint (`IDENTITY_ENDPOINT`, as on App
 * Service) — by polling the container (accountChangeFeed.ts). That is how an app
 * in its Azure configuration (Cosmos SDK writes) runs here.
 *
 * Binding values may name app settings as `%NAME%`. `startFromBeginning` applies only when the
 * lease does not exist yet. The lease container is created when missing whatever
 * `createLeaseContainerIfNotExists` says. Not served (logged): `changeFeedMode:
 * AllVersionsAndDeletes`. `startFromTime` is ignored (logged).
 */
import { hostname } from 'node:os';
import type { CosmosClient } from '@azure/cosmos';
import type { HostContext, HostService, FunctionRegistration } from '../contracts';
import {
  accountClientOf,
  accountConnectionOf,
  platformIdentityCredential,
  type AccountClientOptions,
} from './accountChangeFeed';
import { AccountFeedListener } from './accountFeedListener';
import { ChangeFeedReader } from './changeFeed';
import { LocalDocumentStore, onDocumentChange } from './documentStore';
import { documentDatabaseOf } from './localDatabase';

/** Where the triggers read: the local document store, or the account the binding's connection names. */
export type CosmosTriggerSource = 'local' | 'connection';

/** The app setting choosing the source when the options do not. */
export const COSMOS_TRIGGER_SOURCE_SETTING = 'LOCAL_HOST_COSMOS_TRIGGER';

export interface CosmosTriggerOptions extends AccountClientOptions {
  /** Default: the setting LOCAL_HOST_COSMOS_TRIGGER, else `local`. */
  source?: CosmosTriggerSource;
  /** Poll interval (real ms) for functions whose binding sets no `feedPollDelay`; default 25. */
  pollIntervalMs?: number;
  /** First retry delay after a failed invocation (host-clock ms); doubles per failure. Default 1000. */
  retryDelayMs?: number;
  /** Longest retry delay (host-clock ms). Default 60 000. */
  maxRetryDelayMs?: number;
}

/** The lease container when the binding names none (as in Azure). */
const DEFAULT_LEASE_CONTAINER = 'leases';
const DEFAULT_MAX_ITEMS = 100;
/** How often an idle function renews its lease (Azure's leaseRenewInterval default). */
const LEASE_RENEW_MS = 17_000;

interface TriggerConfig {
  /** The binding's connection setting name (default CosmosDBConnection). */
  connection: string;
  database: string;
  container: string;
  leaseDatabase: string;
  leaseContainer: string;
  leasePrefix: string;
  startFromBeginning: boolean;
  maxItems: number;
  pollDelayMs: number;
  leaseExpirationMs?: number;
}

export class CosmosDBTriggerService implements HostService {
  readonly name = 'cosmosDBTrigger';
  private readonly listeners: Array<ChangeFeedListener | AccountFeedListener> = [];
  private readonly clients = new Map<string, CosmosClient>();
  private unsubscribe?: () => void;

  constructor(private readonly options: CosmosTriggerOptions = {}) {}

  start(ctx: HostContext): void {
    const source = this.options.source ?? ctx.settings[COSMOS_TRIGGER_SOURCE_SETTING]?.trim() ?? 'local';
    if (source !== 'local' && source !== 'connection')
      throw new Error(`${COSMOS_TRIGGER_SOURCE_SETTING} is 'local' or 'connection', not '${source}'`);
    // The documents live where LocalDocumentStoreService put them: the host's database by default.
    const db = documentDatabaseOf(ctx.db);
    const store = new LocalDocumentStore(db, { clock: ctx.clock });
    for (const fn of ctx.registry.byTriggerType('cosmosDBTrigger')) {
      const config = this.configure(fn, ctx);
      if (!config) continue;
      if (source === 'local')
        this.listeners.push(new ChangeFeedListener(fn.name, config, store, ctx, this.options));
      else {
        const listener = this.accountListener(fn, config, ctx);
        if (listener) this.listeners.push(listener);
      }
    }
    this.unsubscribe = onDocumentChange(db, (database, container) => {
      for (const listener of this.listeners) listener.notify(database, container);
    });
    for (const listener of this.listeners) listener.start();
    if (this.listeners.length > 0) {
      ctx.log.info(
        `cosmosDBTrigger: serving ${this.listeners.map((l) => l.describe()).join(', ')} from ${
          source === 'local' ? 'the local document store' : 'the Cosmos DB account of each connection'
        }`,
      );
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all(this.listeners.map((listener) => listener.stop()));
    this.listeners.length = 0;
    for (const client of this.clients.values()) client.dispose();
    this.clients.clear();
  }

  /** A listener on the account the binding's connection names; undefined (logged) when it names none. */
  private accountListener(
    fn: FunctionRegistration,
    config: TriggerConfig,
    ctx: HostContext,
  ): AccountFeedListener | undefined {
    try {
      const connection = accountConnectionOf(config.connection, ctx.settings);
      if (!connection)
        throw new Error(
          `neither ${config.connection} nor ${config.connection}__accountEndpoint is set (${COSMOS_TRIGGER_SOURCE_SETTING}=connection)`,
        );
      const clientKey = JSON.stringify(connection);
      let client = this.clients.get(clientKey);
      if (!client) {
        const credential =
          this.options.credential ??
          platformIdentityCredential(ctx.settings, ctx.settings[`${config.connection}__clientId`]?.trim());
        client = accountClientOf(connection, { ...this.options, credential });
        this.clients.set(clientKey, client);
      }
      return new AccountFeedListener(
        fn.name,
        {
          database: config.database,
          container: config.container,
          startFromBeginning: config.startFromBeginning,
          maxItems: config.maxItems,
          pollDelayMs: config.pollDelayMs,
          retryDelayMs: this.options.retryDelayMs ?? 1000,
          maxRetryDelayMs: this.options.maxRetryDelayMs ?? 60_000,
        },
        client.database(config.database).container(config.container),
        ctx,
      );
    } catch (error) {
      ctx.log.error(`cosmosDBTrigger: function "${fn.name}" is not served: ${describe(error)}`);
      return undefined;
    }
  }

  isIdle(): boolean {
    return this.listeners.every((listener) => listener.isIdle());
  }

  private configure(fn: FunctionRegistration, ctx: HostContext): TriggerConfig | undefined {
    const trigger = fn.trigger;
    const fail = (message: string): undefined => {
      ctx.log.error(`cosmosDBTrigger: function "${fn.name}" is not served: ${message}`);
      return undefined;
    };
    try {
      const text = (key: string, fallback?: string): string | undefined => {
        const value = trigger[key];
        if (value === undefined || value === null || value === '') return fallback;
        return resolveSettings(String(value), ctx.settings);
      };
      const database = text('databaseName');
      const container = text('containerName');
      if (!database || !container) return fail('databaseName and containerName are required');
      const mode = text('changeFeedMode');
      if (mode !== undefined && mode !== 'LatestVersion')
        return fail(`changeFeedMode ${mode} is not supported locally`);
      if (trigger.startFromTime !== undefined) {
        ctx.log.warn(
          `cosmosDBTrigger: function "${fn.name}": startFromTime is not supported locally and is ignored`,
        );
      }
      const number = (key: string): number | undefined => {
        const value = text(key);
        if (value === undefined) return undefined;
        const n = Number(value);
        if (!Number.isFinite(n) || n < 0)
          throw new Error(`${key} must be a non-negative number, not ${value}`);
        return n;
      };
      const maxItems = number('maxItemsPerInvocation') ?? DEFAULT_MAX_ITEMS;
      return {
        connection: text('connection', 'CosmosDBConnection') as string,
        database,
        container,
        leaseDatabase: text('leaseDatabaseName') ?? database,
        leaseContainer: text('leaseContainerName', DEFAULT_LEASE_CONTAINER) as string,
        leasePrefix: text('leaseContainerPrefix') ?? '',
        startFromBeginning: text('startFromBeginning') === 'true',
        maxItems: Math.max(1, Math.floor(maxItems)),
        pollDelayMs: number('feedPollDelay') ?? this.options.pollIntervalMs ?? 25,
        leaseExpirationMs: number('leaseExpirationInterval'),
      };
    } catch (error) {
      return fail(error instanceof Error ? error.message : String(error));
    }
  }
}

/** Replaces `%NAME%` with the app setting NAME (as binding expressions do in Azure). */
function resolveSettings(value: string, settings: HostContext['settings']): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const setting = settings[name];
    if (setting === undefined) throw new Error(`the app setting ${name} (in %${name}%) is not set`);
    return setting;
  });
}

/** One function's change feed processor. */
class ChangeFeedListener {
  private readonly reader: ChangeFeedReader;
  private invoking?: Promise<void>;
  private retryAt?: number;
  private cancelRetry?: () => void;
  private failures = 0;
  private pollTimer?: NodeJS.Timeout;
  private pumpQueued = false;
  private stopped = false;
  private lastRenewal = 0;

  constructor(
    private readonly functionName: string,
    private readonly config: TriggerConfig,
    store: LocalDocumentStore,
    private readonly ctx: HostContext,
    private readonly options: CosmosTriggerOptions,
  ) {
    this.reader = new ChangeFeedReader(store, {
      database: config.database,
      container: config.container,
      leaseDatabase: config.leaseDatabase,
      leaseContainer: config.leaseContainer,
      leasePrefix: config.leasePrefix,
      startFromBeginning: config.startFromBeginning,
      maxItemsPerBatch: config.maxItems,
      leaseExpirationMs: config.leaseExpirationMs,
      // The same machine on the same database file is the same host: after a crash it takes its
      // leases back at once instead of waiting for them to expire.
      owner: `${hostname()}:${store.db.name}`,
    });
  }

  describe(): string {
    return `${this.functionName} (${this.config.database}/${this.config.container}, lease ${this.reader.leaseId})`;
  }

  start(): void {
    this.reader.acquire();
    this.pollTimer = setInterval(() => this.schedulePump(), this.config.pollDelayMs);
    this.pollTimer.unref();
    this.schedulePump();
  }

  notify(database: string, container: string): void {
    if (database === this.config.database && container === this.config.container) this.schedulePump();
  }

  isIdle(): boolean {
    if (this.stopped) return true;
    if (this.invoking) return false;
    // A failed batch waits for its retry on the host clock: nothing is due now.
    if (this.retryAt !== undefined) return true;
    // Another live host holds the lease: its work, not ours.
    if (!this.reader.holdsLease) return true;
    try {
      return this.reader.caughtUp();
    } catch {
      return true;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.cancelRetry?.();
    await this.invoking;
    try {
      this.reader.release();
    } catch (error) {
      this.ctx.log.warn(
        `cosmosDBTrigger: ${this.functionName} could not release its lease: ${String(error)}`,
      );
    }
  }

  private schedulePump(): void {
    if (this.pumpQueued || this.stopped) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Delivers the next batch if this function is free to. */
  private pump(): void {
    if (this.stopped || this.invoking || this.retryAt !== undefined) return;
    let batch;
    try {
      if (!this.reader.acquire()) return; // another host holds the lease; try again on the next poll
      batch = this.reader.nextBatch();
      if (batch.length === 0) {
        this.renewIfDue();
        return;
      }
    } catch (error) {
      this.ctx.log.error(
        `cosmosDBTrigger: ${this.functionName} cannot read the change feed: ${describe(error)}`,
      );
      return;
    }
    const lastLsn = batch[batch.length - 1]._lsn;
    const documents = batch;
    this.invoking = this.deliver(documents, lastLsn).finally(() => {
      this.invoking = undefined;
      this.schedulePump();
    });
  }

  private async deliver(documents: Array<{ _lsn: number }>, lastLsn: number): Promise<void> {
    try {
      await this.ctx.invoke({
        functionName: this.functionName,
        triggerData: { json: JSON.stringify(documents) },
      });
    } catch (error) {
      this.failures++;
      const base = this.options.retryDelayMs ?? 1000;
      const delay = Math.min(base * 2 ** (this.failures - 1), this.options.maxRetryDelayMs ?? 60_000);
      this.ctx.log.warn(
        `cosmosDBTrigger: ${this.functionName} failed on ${documents.length} change(s) of ${this.config.container} ` +
          `(attempt ${this.failures}); the same batch is retried in ${delay} ms: ${describe(error)}`,
      );
      if (this.stopped) return;
      this.retryAt = this.ctx.clock.now() + delay;
      this.cancelRetry = this.ctx.clock.schedule(this.retryAt, () => {
        this.retryAt = undefined;
        this.cancelRetry = undefined;
        this.schedulePump();
      });
      return;
    }
    this.failures = 0;
    try {
      this.reader.checkpoint(lastLsn);
      this.lastRenewal = Date.now();
    } catch (error) {
      // The lease was lost (taken over or deleted): whoever holds it now redelivers this batch.
      this.ctx.log.warn(
        `cosmosDBTrigger: ${this.functionName} could not checkpoint its lease: ${describe(error)}`,
      );
    }
  }

  private renewIfDue(): void {
    const now = Date.now();
    if (now - this.lastRenewal < LEASE_RENEW_MS) return;
    this.lastRenewal = now;
    this.reader.checkpoint(this.reader.continuation, now);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
