/**
 * The messages between the host's thread and its worker threads (`workerPool.ts` ↔ `workerThread.ts`).
 * Everything crosses by structured clone: invocations as the worker protocol's data (typed data,
 * trigger metadata), the app's registrations as metadata, failures as {@link ThreadError}.
 */
import type { FunctionRegistration, HostJson, InvokeResult, LogFields } from '../contracts';
import type { InvocationCall } from './invocation';

/** What a worker thread is started with (`workerData`). */
export interface WorkerStart {
  appRoot: string;
  /** Which worker this is, from 1 (log lines name it). */
  index: number;
  /** Whether the host's clock is virtual: then the app's clock reads the time each message carries. */
  virtualClock: boolean;
}

/** The store methods a worker may call on a container of the host's document store. */
export const STORE_METHODS = [
  'partitionKeyOf',
  'create',
  'read',
  'replace',
  'upsert',
  'delete',
  'batch',
  'query',
] as const;
export type StoreMethod = (typeof STORE_METHODS)[number];

export type ToWorker =
  | {
      type: 'invoke';
      id: number;
      call: InvocationCall;
      /** The host's time now (read by the app when the host's clock is virtual). */
      now: number;
      /** Whether the host publishes its document store (the app-host seam answers nothing otherwise). */
      local: boolean;
    }
  | (StoredAnswer & { ok: true; value: unknown })
  | (StoredAnswer & { ok: false; error: ThreadError })
  /** The settings the host added or changed since the worker last had them (only those). */
  | { type: 'env'; env: Record<string, string> }
  | { type: 'terminate' };

interface StoredAnswer {
  type: 'stored';
  id: number;
  now: number;
  /** The container's partition key path (the worker learns it when the app did not name it). */
  partitionKeyPath?: string;
}

export type FromWorker =
  /** The app loaded: the host builds its registry from these. */
  | { type: 'loaded'; hostJson: HostJson; functions: FunctionRegistration[] }
  | { type: 'loadFailed'; error: ThreadError }
  | { type: 'invoked'; id: number; ok: true; result: InvokeResult }
  | { type: 'invoked'; id: number; ok: false; error: ThreadError }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; fields?: LogFields }
  | {
      type: 'store';
      id: number;
      database: string;
      container: string;
      /** As the app named it; undefined: the container's own (or the store's default for a new one). */
      partitionKeyPath?: string;
      method: StoreMethod;
      args: unknown[];
    }
  | { type: 'terminated' };

/**
 * Sends messages to the other thread in batches: the messages of one moment (the store calls of
 * many invocations resuming together, the answers to them) go as one array in one `postMessage`,
 * whose own cost (a wake-up of the other thread, an event there) dwarfs that of a small message.
 * `flush` runs at the end of the current macrotask (`setImmediate`), so nothing waits for more
 * than the turn it was sent in.
 */
export class Outbox<M> {
  private queued: M[] = [];

  /**
   * `unsendable` is asked for what to send instead of a message that cannot be cloned (the batch
   * is then sent message by message, so the others still go); undefined drops it.
   */
  constructor(
    private readonly post: (batch: M[]) => void,
    private readonly unsendable: (message: M, error: unknown) => M | undefined = () => undefined,
  ) {}

  send(message: M): void {
    if (this.queued.push(message) === 1) setImmediate(() => this.flush());
  }

  flush(): void {
    if (this.queued.length === 0) return;
    const batch = this.queued;
    this.queued = [];
    try {
      this.post(batch);
    } catch {
      for (const message of batch) {
        try {
          this.post([message]);
        } catch (error) {
          const instead = this.unsendable(message, error);
          if (instead !== undefined) this.post([instead]);
        }
      }
    }
  }
}

/**
 * A failure that crossed threads: an Error's name, message and stack, and the properties the host
 * and the app tell failures apart by (`status`, `operationIndex` of a store refusal, `code` of
 * SQLite's); or a value that was thrown and is no Error.
 */
export type ThreadError =
  | {
      kind: 'error';
      name: string;
      message: string;
      stack?: string;
      status?: number;
      operationIndex?: number;
      code?: string;
    }
  | { kind: 'value'; value: unknown };

export function toThreadError(thrown: unknown): ThreadError {
  if (!(thrown instanceof Error)) {
    try {
      return { kind: 'value', value: structuredClone(thrown) };
    } catch {
      return { kind: 'value', value: String(thrown) };
    }
  }
  const { status, operationIndex, code } = thrown as {
    status?: unknown;
    operationIndex?: unknown;
    code?: unknown;
  };
  return {
    kind: 'error',
    name: thrown.name,
    message: thrown.message,
    stack: thrown.stack,
    ...(typeof status === 'number' ? { status } : {}),
    ...(typeof operationIndex === 'number' ? { operationIndex } : {}),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/** The failure as the receiving thread throws it: an Error with the same name, message, stack and codes. */
export function fromThreadError(error: ThreadError): unknown {
  if (error.kind === 'value') return error.value;
  const rebuilt = new Error(error.message) as Error & Record<string, unknown>;
  rebuilt.name = error.name;
  if (error.stack !== undefined) rebuilt.stack = error.stack;
  if (error.status !== undefined) rebuilt.status = error.status;
  if (error.operationIndex !== undefined) rebuilt.operationIndex = error.operationIndex;
  if (error.code !== undefined) rebuilt.code = error.code;
  return rebuilt;
}
