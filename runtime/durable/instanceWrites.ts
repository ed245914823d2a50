/**
 * Wake-ups for whoever waits on an orchestration instance's row: the store calls {@link wrote}
 * each time it writes an instance (created, run, finished, rewound, continued, purged), and a
 * waiter registered with {@link next} learns of it at once instead of reading the store on a timer.
 * It hears only this store's writes (this host process); a waiter still re-reads now and then for
 * writers elsewhere.
 */

/** One registered wait: settles true at the instance's next write, false once its time is up. */
export interface InstanceWait {
  readonly settled: Promise<boolean>;
  /** Settles the wait false now and forgets it (the waiter no longer needs it). */
  cancel(): void;
}

export class InstanceWrites {
  private readonly waiters = new Map<string, Set<(written: boolean) => void>>();

  /** A wait for the next write of `instanceId`, for at most `withinMs`. Register it before reading. */
  next(instanceId: string, withinMs: number): InstanceWait {
    let finish!: (written: boolean) => void;
    const settled = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), Math.max(0, withinMs));
      finish = (written) => {
        clearTimeout(timer);
        this.forget(instanceId, finish);
        resolve(written);
      };
    });
    let waiting = this.waiters.get(instanceId);
    if (!waiting) this.waiters.set(instanceId, (waiting = new Set()));
    waiting.add(finish);
    return { settled, cancel: () => finish(false) };
  }

  /** Wakes every wait on `instanceId`. */
  wrote(instanceId: string): void {
    const waiting = this.waiters.get(instanceId);
    if (!waiting) return;
    for (const finish of [...waiting]) finish(true);
  }

  /** How many waits are registered (all instances). */
  get size(): number {
    let n = 0;
    for (const waiting of this.waiters.values()) n += waiting.size;
    return n;
  }

  private forget(instanceId: string, finish: (written: boolean) => void): void {
    const waiting = this.waiters.get(instanceId);
    if (!waiting) return;
    waiting.delete(finish);
    if (waiting.size === 0) this.waiters.delete(instanceId);
  }
}
