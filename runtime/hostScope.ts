/**
 * Which host an invocation belongs to, carried through its async work with AsyncLocalStorage.
 * App code finds host-owned resources (the local document store's database) through it, so work
 * that outlives its host — a straggler after `stop()`, in a process that then starts another host,
 * as tests do — reaches its own, closed host and fails, instead of writing into the next one.
 *
 * The storage is the process's shared one, `globalThis[Symbol.for('shared-async-local-storage')]`:
 * its store is a record of slots keyed by symbol, and the host's is one slot in it. Every
 * AsyncLocalStorage a Node 20 process has enabled costs every promise a copy of its store, so other
 * code that carries async scope (an app's OpenTelemetry context manager) adds a slot to this one
 * instead of paying for a storage of its own. (Also on globalThis: two copies of the host in one
 * process, its sources and its build as a test may load, agree on which host an invocation is of.)
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Database } from './sqlite';

type Scope = Readonly<Record<symbol, unknown>>;

const SHARED_SCOPE = Symbol.for('shared-async-local-storage');
const HOST = Symbol.for('azure-functions-local-host.hostScope');
const slot = globalThis as { [SHARED_SCOPE]?: AsyncLocalStorage<Scope> };
const scope = (slot[SHARED_SCOPE] ??= new AsyncLocalStorage<Scope>());

/** Runs `fn` (and everything it starts) as work of the host whose database is `hostDb`. */
export function runInHost<T>(hostDb: Database, fn: () => T): T {
  return scope.run({ ...scope.getStore(), [HOST]: hostDb }, fn);
}

/** The database of the host the current invocation belongs to; undefined outside invocations. */
export function currentHostDb(): Database | undefined {
  return scope.getStore()?.[HOST] as Database | undefined;
}
