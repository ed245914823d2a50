/**
 * The backlog this instance can see for itself (docs/operations.md, back-pressure): the commands
 * it accepted (202) that the pipeline has not yet handled through. A command is handled through
 * once its record is no longer `pending` and, for a `RequestTransfer` that succeeded, once the
 * transfer's read model has left `requested` (its process reserved and finished, or asks for
 * approval): that covers the command handler, the events change feed that writes the views and
 * starts the process, and the process's queued durable work. Nothing here asks the host for its
 * internals; the same reads work on Azure.
 *
 * Kept in memory, per instance. Admitting a command is a count in memory; only a refresh reads
 * the store, with point reads (the oldest entries first, in chunks, at most
 * {@link MAX_READS_PER_REFRESH}), one refresh at a time, at most every {@link REFRESH_INTERVAL_MS}
 * of the app's clock, or every {@link DRAINING_REFRESH_MS} at the bound while the last refresh found
 * work handled.
 */
import type { CommandRecord, Stores } from '../../stores';
import { TRANSFER_VIEW_ID, transferPartition } from '../projections/layout';
import type { TransferView } from '../projections/transferView';

/** How long a measurement stands before the next request refreshes it. */
export const REFRESH_INTERVAL_MS = 1_000;
/** At the bound, while the backlog drains, a refresh this soon after the last (ten a second at most). */
export const DRAINING_REFRESH_MS = 100;
/** Point reads of one refresh at most (each command, and a transfer's view with it). */
export const MAX_READS_PER_REFRESH = 50;
/** Entries checked together; a chunk with nothing handled ends the refresh (the rest is younger). */
const CHUNK = 10;
/**
 * An accepted command not handled through after this long is left to the reconciler (a transfer
 * whose process ended without finishing it) and no longer counted.
 */
export const MAX_TRACKED_MS = 15 * 60_000;

interface Accepted {
  commandId: string;
  /** A requested transfer, whose read model says when its process advanced. */
  transferId?: string;
  acceptedAt: number;
}

export interface BacklogMeasure {
  /** Commands accepted here and not yet handled through, with the slots of requests being admitted. */
  commands: number;
  /** Age of the oldest of them at the last refresh (0 when none). */
  oldestAgeMs: number;
  /** When the store was last read (app clock, ms); undefined before the first refresh. */
  refreshedAt?: number;
}

/** A place held for a request being admitted: kept when it is accepted, else released. */
export interface BacklogSlot {
  accepted(commandId: string, transferId: string | undefined, at: number): void;
  release(): void;
}

export class CommandBacklog {
  /** Insertion order is acceptance order: the oldest first. */
  private readonly tracked = new Map<string, Accepted>();
  private reserved = 0;
  private refreshedAt?: number;
  private lastRefreshFreed = false;
  private refreshing?: Promise<void>;

  /** Commands counted now: accepted and not yet seen handled, plus held slots. */
  get size(): number {
    return this.tracked.size + this.reserved;
  }

  /**
   * Refreshes when due: the interval passed, or `atBound`, the last refresh freed places and
   * {@link DRAINING_REFRESH_MS} passed.
   * Concurrent callers share one refresh.
   */
  async refreshIfDue(stores: Stores, now: number, atBound: boolean): Promise<void> {
    const due =
      this.refreshedAt === undefined ||
      now - this.refreshedAt >= REFRESH_INTERVAL_MS ||
      now < this.refreshedAt ||
      (atBound && this.lastRefreshFreed && now - this.refreshedAt >= DRAINING_REFRESH_MS);
    if (!due && !this.refreshing) return;
    this.refreshing ??= this.refresh(stores, now).finally(() => {
      this.refreshing = undefined;
    });
    await this.refreshing;
  }

  /** Holds a place; the caller must end it with `accepted` or `release`. */
  hold(): BacklogSlot {
    this.reserved += 1;
    let open = true;
    const close = () => {
      if (!open) return false;
      open = false;
      this.reserved -= 1;
      return true;
    };
    return {
      accepted: (commandId, transferId, at) => {
        if (!close()) return;
        // A repeat of a command still counted keeps its first place.
        if (!this.tracked.has(commandId))
          this.tracked.set(commandId, { commandId, ...(transferId ? { transferId } : {}), acceptedAt: at });
      },
      release: () => {
        close();
      },
    };
  }

  measure(now: number): BacklogMeasure {
    const oldest = this.tracked.values().next();
    return {
      commands: this.size,
      oldestAgeMs: oldest.done ? 0 : Math.max(0, now - oldest.value.acceptedAt),
      ...(this.refreshedAt === undefined ? {} : { refreshedAt: this.refreshedAt }),
    };
  }

  /** Forgets everything (tests). */
  reset(): void {
    this.tracked.clear();
    this.reserved = 0;
    this.refreshedAt = undefined;
    this.lastRefreshFreed = false;
  }

  private async refresh(stores: Stores, now: number): Promise<void> {
    const before = this.tracked.size;
    let reads = 0;
    const oldestFirst = [...this.tracked.values()];
    for (let start = 0; start < oldestFirst.length && reads < MAX_READS_PER_REFRESH; start += CHUNK) {
      const chunk = oldestFirst.slice(start, start + CHUNK);
      const results = await Promise.all(chunk.map((entry) => handledThrough(stores, entry)));
      reads += results.reduce((sum, result) => sum + result.reads, 0);
      let freed = false;
      chunk.forEach((entry, index) => {
        if (results[index].handled || now - entry.acceptedAt > MAX_TRACKED_MS) {
          this.tracked.delete(entry.commandId);
          freed = true;
        }
      });
      if (!freed) break;
    }
    this.refreshedAt = now;
    this.lastRefreshFreed = this.tracked.size < before;
  }
}

/** Whether the pipeline is done with an accepted command; a store that fails keeps it counted. */
async function handledThrough(stores: Stores, entry: Accepted): Promise<{ handled: boolean; reads: number }> {
  try {
    const record: CommandRecord | undefined = await stores.commands.get(entry.commandId);
    // Gone (another database, a purge): nothing is left to do for it.
    if (!record) return { handled: true, reads: 1 };
    if (record.status === 'pending') return { handled: false, reads: 1 };
    if (record.status !== 'succeeded' || !entry.transferId) return { handled: true, reads: 1 };
    const view = await stores.views.get<TransferView>(transferPartition(entry.transferId), TRANSFER_VIEW_ID);
    return { handled: view !== undefined && view.status !== 'requested', reads: 2 };
  } catch {
    return { handled: false, reads: 1 };
  }
}

/** This instance's backlog (one per process, as each instance answers for itself). */
export const commandBacklog = new CommandBacklog();
