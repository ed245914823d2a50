/**
 * Reading a container's change feed under a lease, as Cosmos DB's change feed processor does: the
 * lease is a document in a lease container (partitioned by `/id`) named by lease prefix + monitored
 * container, holding the continuation (the last `_lsn` handled) and its owner. A reader takes the
 * lease, reads batches from the continuation and checkpoints only what its handler finished, so a
 * crash or a failed handler re-reads the same batch (at-least-once, nothing skipped).
 */
import { randomUUID } from 'node:crypto';
import { DocumentStoreError } from './errors';
import type { LocalContainer, LocalDocumentStore, StoredDocument } from './documentStore';

export interface LeaseDocument {
  id: string;
  /** The last `_lsn` whose document was handled; the feed resumes after it. */
  continuation: number;
  /** Host instance that holds the lease, or null when released. */
  owner: string | null;
  /** When the owner last renewed the lease (epoch ms, real time). */
  renewedAt: number;
  database: string;
  container: string;
}

export interface ChangeFeedReaderOptions {
  database: string;
  container: string;
  leaseDatabase: string;
  leaseContainer: string;
  leasePrefix: string;
  /** Without a lease yet: read from the first change (true) or only changes from now on (false). */
  startFromBeginning: boolean;
  maxItemsPerBatch: number;
  /** A lease whose owner has not renewed it for this long may be taken over (ms). */
  leaseExpirationMs?: number;
  /** Identifies this reader as lease owner (default: a random id). */
  owner?: string;
}

const DEFAULT_LEASE_EXPIRATION_MS = 60_000;

export class ChangeFeedReader {
  readonly leaseId: string;
  readonly owner: string;
  private lease?: LeaseDocument & { _etag: string };
  private readonly leases: LocalContainer;

  constructor(
    private readonly store: LocalDocumentStore,
    private readonly options: ChangeFeedReaderOptions,
  ) {
    this.owner = options.owner ?? randomUUID();
    this.leaseId = `${options.leasePrefix}${options.database}.${options.container}`;
    this.leases = store.container(options.leaseDatabase, options.leaseContainer, { partitionKeyPath: '/id' });
  }

  /** The monitored container, once it exists (the app may create it after the host starts). */
  private monitored(): LocalContainer | undefined {
    return this.store.findContainer(this.options.database, this.options.container);
  }

  /** True once this reader holds the lease. Takes it when free, released or expired. */
  acquire(now: number = Date.now()): boolean {
    if (this.lease) return true;
    const current = this.leases.read(this.leaseId, this.leaseId) as unknown as
      (LeaseDocument & { _etag: string }) | undefined;
    try {
      if (!current) {
        const continuation = this.options.startFromBeginning ? 0 : (this.monitored()?.lastLsn() ?? 0);
        this.lease = this.leases.create(this.leaseDocument(continuation, now)) as unknown as LeaseDocument & {
          _etag: string;
        };
        return true;
      }
      const expired =
        now - current.renewedAt > (this.options.leaseExpirationMs ?? DEFAULT_LEASE_EXPIRATION_MS);
      if (current.owner !== null && current.owner !== this.owner && !expired) return false;
      this.lease = this.leases.replace(this.leaseDocument(current.continuation, now), {
        ifMatch: current._etag,
      }) as unknown as LeaseDocument & { _etag: string };
      return true;
    } catch (error) {
      // Another reader created or took the lease between our read and write.
      if (error instanceof DocumentStoreError && (error.status === 409 || error.status === 412)) return false;
      throw error;
    }
  }

  /** True while this reader holds its lease. */
  get holdsLease(): boolean {
    return this.lease !== undefined;
  }

  /** The continuation of the held lease. */
  get continuation(): number {
    if (!this.lease) throw new Error(`lease ${this.leaseId} is not held`);
    return this.lease.continuation;
  }

  /** The next batch after the continuation (does not advance it). */
  nextBatch(): StoredDocument[] {
    return this.monitored()?.readChanges(this.continuation, this.options.maxItemsPerBatch) ?? [];
  }

  /** True when nothing is left to read after the continuation. */
  caughtUp(): boolean {
    const container = this.monitored();
    if (!container) return true;
    if (!this.lease)
      return container.lastLsn() === 0 || container.countChanges(this.storedContinuation()) === 0;
    return container.countChanges(this.lease.continuation) === 0;
  }

  /** Records that every document up to `lsn` was handled. Fails when the lease was taken over. */
  checkpoint(lsn: number, now: number = Date.now()): void {
    if (!this.lease) throw new Error(`lease ${this.leaseId} is not held`);
    try {
      this.lease = this.leases.replace(this.leaseDocument(lsn, now), {
        ifMatch: this.lease._etag,
      }) as unknown as LeaseDocument & {
        _etag: string;
      };
    } catch (error) {
      if (error instanceof DocumentStoreError && (error.status === 412 || error.status === 404))
        this.lease = undefined;
      throw error;
    }
  }

  /** Gives the lease up so another host can take it at once. */
  release(now: number = Date.now()): void {
    if (!this.lease) return;
    try {
      this.leases.replace(
        { ...this.leaseDocument(this.lease.continuation, now), owner: null },
        {
          ifMatch: this.lease._etag,
        },
      );
    } catch (error) {
      if (!(error instanceof DocumentStoreError)) throw error;
    } finally {
      this.lease = undefined;
    }
  }

  private storedContinuation(): number {
    const stored = this.leases.read(this.leaseId, this.leaseId) as unknown as LeaseDocument | undefined;
    if (stored) return stored.continuation;
    return this.options.startFromBeginning ? 0 : Number.MAX_SAFE_INTEGER;
  }

  private leaseDocument(continuation: number, now: number): LeaseDocument {
    return {
      id: this.leaseId,
      continuation,
      owner: this.owner,
      renewedAt: now,
      database: this.options.database,
      container: this.options.container,
    };
  }
}
