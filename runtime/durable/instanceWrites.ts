/**
 * Wake-ups for whoever waits on an orchestration instance's row: the store calls {@link wrote}
 * each time it writes an instance (created, run, finished, rewound, continued, purged), and a
 * waiter registered with {@link next} learns of it at once instead of reading the store on a timer.
 * It hears only this store's writes (this host process); a waiter still re-reads now and then for
 * writers elsewhere. {@link close} (the durable service stopping) ends every wait, then and later.
 */

/** How a wait ended: the instance was written, its time was up, or the waits were closed. */
export type WaitEnd = 'written' | 'elapsed' | 'closed';

/** One registered wait: settles at the instance's next write, when its time is up, or at close. */
export interface InstanceWait {
  readonly settled: Promise<WaitEnd>;
  /** Settles the wait now (as elapsed) and forgets it (the waiter no longer needs it). */
  cancel(): void;
}

export class InstanceWrites {
  private readonly waiters = new Map<string, Set<(end: WaitEnd) => void>>();
  private closed = false;

  /** A wait for the next write of `instanceId`, for at most `withinMs`. Register it before reading. */
  next(instanceId: string, withinMs: number): InstanceWait {
    if (this.closed) return { settled: Promise.resolve('closed'), cancel: () => undefined };
    let finish!: (end: WaitEnd) => void;
    const settled = new Promise<WaitEnd>((resolve) => {
      const timer = setTimeout(() => finish('elapsed'), Math.max(0, withinMs));
      finish = (end) => {
        clearTimeout(timer);
        this.forget(instanceId, finish);
        resolve(end);
      };
    });
    let waiting = this.waiters.get(instanceId);
    if (!waiting) this.waiters.set(instanceId, (waiting = new Set()));
    waiting.add(finish);
    return { settled, cancel: () => finish('elapsed') };
  }

  /** Wakes every wait on `instanceId`. */
  wrote(instanceId: string): void {
    const waiting = this.waiters.get(instanceId);
    if (!waiting) return;
    for (const finish of [...waiting]) finish('written');
  }

  /** Ends every wait (settled `closed`), and every wait asked for from now on at once. */
  close(): void {
    this.closed = true;
    for (const waiting of [...this.waiters.values()]) for (const finish of [...waiting]) finish('closed');
  }

  /** How many waits are registered (all instances). */
  get size(): number {
    let n = 0;
    for (const waiting of this.waiters.values()) n += waiting.size;
    return n;
  }

  private forget(instanceId: string, finish: (end: WaitEnd) => void): void {
    const waiting = this.waiters.get(instanceId);
    if (!waiting) return;
    waiting.delete(finish);
    if (waiting.size === 0) this.waiters.delete(instanceId);
  }
}
