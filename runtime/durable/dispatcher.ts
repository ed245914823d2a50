/**
 * Decides what runs next: episodes of instances with messages, batches of entities with queued
 * operations and due activities, within the concurrency limits and never two of one instance or
 * entity at once. It looks at once when told of new work (`kick`) and on the host clock when the
 * earliest durable timer fires or a leased activity comes back (`armTimerWake`).
 */
import type { Clock } from '../clock';
import type { Logger } from '../contracts';
import type { ActivityItem, DurableStore } from './store';

/** Runs one work item to its commit; a rejection is a failure of the backend, not of user code. */
export interface WorkRunners {
  episode(instanceId: string): Promise<void>;
  entityBatch(entityId: string): Promise<void>;
  activity(item: ActivityItem): Promise<void>;
}

export interface DispatchLimits {
  orchestrations: number;
  activities: number;
  entities: number;
}

/** Delay before an instance or entity whose work hit an unexpected error is tried again. */
const RETRY_AFTER_ERROR_MS = 1000;

export class Dispatcher {
  private readonly busyInstances = new Set<string>();
  private readonly busyEntities = new Set<string>();
  private readonly busyActivities = new Set<number>();
  private readonly coolingDownInstances = new Set<string>();
  private readonly coolingDownEntities = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private pumpScheduled = false;
  private stopping = false;
  private drained = false;
  private timerWake: { at: number; cancel: () => void } | undefined;

  constructor(
    private readonly store: DurableStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly limits: DispatchLimits,
    private readonly run: WorkRunners,
  ) {}

  /** True once `stop()` stopped waiting for running work. */
  get stopped(): boolean {
    return this.drained;
  }

  /** Looks for runnable work on the next turn of the event loop (coalesced). */
  kick(): void {
    if (this.pumpScheduled || this.stopping) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Keeps one clock wake-up armed for the earliest durable timer or leased activity coming back. */
  armTimerWake(): void {
    if (this.stopping) return;
    const timer = this.store.nextTimerAt();
    const lease = this.store.nextActivityVisibleAt(this.clock.now());
    const next = timer === undefined ? lease : lease === undefined ? timer : Math.min(timer, lease);
    if (this.timerWake && this.timerWake.at === next) return;
    this.timerWake?.cancel();
    this.timerWake = undefined;
    if (next === undefined) return;
    const wake = {
      at: next,
      cancel: this.clock.schedule(next, () => {
        if (this.timerWake === wake) this.timerWake = undefined;
        if (this.stopping) return;
        this.store.fireDueTimers(this.clock.now());
        this.kick();
        this.armTimerWake();
      }),
    };
    this.timerWake = wake;
  }

  /** No work running, none runnable now and no timer due. */
  isIdle(): boolean {
    if (this.drained) return true;
    if (this.busyInstances.size > 0 || this.busyActivities.size > 0 || this.busyEntities.size > 0)
      return false;
    const now = this.clock.now();
    if (this.store.hasRunnableWork(this.coolingDownInstances, this.busyActivities, now)) return false;
    if (this.store.entities.hasRunnableWork(this.coolingDownEntities)) return false;
    const next = this.store.nextTimerAt();
    return next === undefined || next > now;
  }

  /** Starts nothing more and lets running work finish for up to `drainTimeoutMs`. */
  async stop(drainTimeoutMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.timerWake?.cancel();
    this.timerWake = undefined;
    const drained = Promise.allSettled([...this.inFlight]);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      drained,
      new Promise<void>((resolve) => (timeout = setTimeout(resolve, drainTimeoutMs))),
    ]);
    if (timeout) clearTimeout(timeout);
    // Work still running now was interrupted: its result is dropped and it runs again after a restart.
    this.drained = true;
  }

  private pump(): void {
    if (this.stopping) return;
    const freeEpisodes = this.limits.orchestrations - this.busyInstances.size;
    if (freeEpisodes > 0) {
      const skip = new Set([...this.busyInstances, ...this.coolingDownInstances]);
      for (const instanceId of this.store.readyInstanceIds(freeEpisodes, skip)) {
        this.busyInstances.add(instanceId);
        this.track(
          this.run.episode(instanceId),
          () => this.busyInstances.delete(instanceId),
          `episode of '${instanceId}'`,
          () => this.coolDown(this.coolingDownInstances, instanceId),
        );
      }
    }
    const freeEntities = this.limits.entities - this.busyEntities.size;
    if (freeEntities > 0) {
      const skip = new Set([...this.busyEntities, ...this.coolingDownEntities]);
      for (const entityId of this.store.entities.readyEntityIds(freeEntities, skip)) {
        this.busyEntities.add(entityId);
        this.track(
          this.run.entityBatch(entityId),
          () => this.busyEntities.delete(entityId),
          `batch of entity '${entityId}'`,
          () => this.coolDown(this.coolingDownEntities, entityId),
        );
      }
    }
    const freeActivities = this.limits.activities - this.busyActivities.size;
    if (freeActivities > 0) {
      for (const item of this.store.readyActivities(freeActivities, this.busyActivities, this.clock.now())) {
        this.busyActivities.add(item.seq);
        this.track(
          this.run.activity(item),
          () => this.busyActivities.delete(item.seq),
          `activity '${item.name}'`,
        );
      }
    }
  }

  private track(work: Promise<void>, release: () => void, label: string, onError?: () => void): void {
    const done = work
      .catch((err: unknown) => {
        if (this.drained) return;
        this.log.error(
          `Durable: ${label} failed in the backend: ${err instanceof Error ? err.stack : String(err)}`,
        );
        onError?.();
      })
      .finally(() => {
        release();
        this.inFlight.delete(done);
        this.kick();
      });
    this.inFlight.add(done);
  }

  /** Keeps an instance or entity out of the dispatcher for a while (host clock) after its work failed in the backend. */
  private coolDown(set: Set<string>, id: string): void {
    set.add(id);
    this.clock.schedule(this.clock.now() + RETRY_AFTER_ERROR_MS, () => {
      set.delete(id);
      this.kick();
    });
  }
}
