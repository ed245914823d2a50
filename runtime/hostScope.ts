/**
 * Which host an invocation belongs to, carried through its async work with AsyncLocalStorage.
 * App code finds host-owned resources (the local document store's database) through it, so work
 * that outlives its host — a straggler after `stop()`, in a process that then starts another host,
 * as tests do — reaches its own, closed host and fails, instead of writing into the next one.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Database } from './sqlite';

// On globalThis, so that two copies of the host in one process (its sources and its build, as a
// test may load) still agree on which host an invocation belongs to.
const SLOT = Symbol.for('azure-functions-local-host.hostScope');
const slot = globalThis as { [SLOT]?: AsyncLocalStorage<Database> };
const scope = (slot[SLOT] ??= new AsyncLocalStorage<Database>());

/** Runs `fn` (and everything it starts) as work of the host whose database is `hostDb`. */
export function runInHost<T>(hostDb: Database, fn: () => T): T {
  return scope.run(hostDb, fn);
}

/** The database of the host the current invocation belongs to; undefined outside invocations. */
export function currentHostDb(): Database | undefined {
  return scope.getStore();
}
