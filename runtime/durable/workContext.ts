/** What the runners of durable work items (episodes, activities, entity batches) share. */
import type { Clock } from '../clock';
import type { Invoker, Logger } from '../contracts';
import type { HttpTokens } from './durableHttp';
import type { DurableSettings } from './settings';
import type { DurableStore } from './store';

export interface WorkContext {
  store: DurableStore;
  clock: Clock;
  invoke: Invoker;
  log: Logger;
  settings: DurableSettings;
  /** Tokens for callHttp's managed-identity token sources, by resource. */
  httpTokens: HttpTokens;
  /** Lower-cased entity name → the registered entity function's name. */
  entityFunctions: ReadonlyMap<string, string>;
  /** True once `stop()` stopped waiting: work still running then drops its result and runs again after a restart. */
  isStopped(): boolean;
  /** Re-arms the clock wake-up after durable timers or activity leases changed. */
  armTimerWake(): void;
  /**
   * Settles once what was written so far is on disk. Work that may kill the process waits for
   * its attempt to be counted there first, so a crash is counted and poisoned work stops.
   */
  durable(): Promise<void>;
}

/** The entity functions of the app by lower-cased entity name (the SDK lower-cases entity names in ids). */
export function entityFunctionsOf(functionNames: readonly string[]): Map<string, string> {
  return new Map(functionNames.map((name) => [name.toLowerCase(), name]));
}
