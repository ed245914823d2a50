/**
 * The OpenTelemetry context manager, on the process's one shared AsyncLocalStorage.
 *
 * Every AsyncLocalStorage a Node 20 process has enabled costs every promise it creates a copy of
 * that storage's store, so a second one is paid for on every `await` of every invocation. A host
 * that already carries a scope through each invocation (the local host: which host an invocation
 * belongs to) keeps it in the storage at `globalThis[Symbol.for(SHARED_SCOPE)]`, its store a record
 * of slots keyed by symbol; the trace context is one more slot in the same storage, not a storage
 * of its own. Where nobody else shares it (in Azure), the storage is this manager's alone, as
 * OpenTelemetry's own AsyncLocalStorageContextManager's would be.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/** The name (for Symbol.for) of the slot on globalThis that holds the shared storage. */
export const SHARED_SCOPE = 'shared-async-local-storage';

type Scope = Readonly<Record<symbol, unknown>>;

// Symbol.for: two copies of this module in one process (sources and build) share the slot.
const TRACE_CONTEXT = Symbol.for('opentelemetry.context');

function sharedStorage(): AsyncLocalStorage<Scope> {
  const slot = globalThis as { [key: symbol]: AsyncLocalStorage<Scope> | undefined };
  const key = Symbol.for(SHARED_SCOPE);
  return (slot[key] ??= new AsyncLocalStorage<Scope>());
}

/**
 * OpenTelemetry's AsyncLocalStorageContextManager with its context kept in the shared storage; its
 * `bind` (functions and event emitters) works through `with` and `active`, as in the original.
 */
export class SharedScopeContextManager extends AsyncLocalStorageContextManager {
  private readonly storage = sharedStorage();
  private enabled = false;

  override active(): Context {
    if (!this.enabled) return ROOT_CONTEXT;
    return (this.storage.getStore()?.[TRACE_CONTEXT] as Context | undefined) ?? ROOT_CONTEXT;
  }

  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const callback = thisArg == null ? fn : (fn.bind(thisArg) as F);
    if (!this.enabled) return callback(...args);
    return this.storage.run({ ...this.storage.getStore(), [TRACE_CONTEXT]: context }, callback, ...args);
  }

  override attach(context: Context): { dispose(): void } {
    const previous = this.storage.getStore();
    this.storage.enterWith({ ...previous, [TRACE_CONTEXT]: context });
    let disposed = false;
    return {
      dispose: () => {
        if (disposed) return;
        disposed = true;
        this.storage.enterWith({ ...previous });
      },
    };
  }

  override enable(): this {
    this.enabled = true;
    return this;
  }

  /** Stops carrying trace context; the shared storage (and the other slots in it) carries on. */
  override disable(): this {
    this.enabled = false;
    return this;
  }
}
