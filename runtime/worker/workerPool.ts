/**
 * The host's worker threads (`FUNCTIONS_WORKER_PROCESS_COUNT` > 1): each loads the app and runs the
 * calls given to it, as Azure's worker processes do, so the app's code (the library's invocation
 * model, the Durable SDK's replay, the domain) runs on every core while the host's thread keeps
 * the HTTP server, the database and the dispatchers. Which work runs at once is decided where it
 * was before, in the host's thread (one episode per orchestration instance, one batch per entity,
 * the change feed's leases), so spreading the calls over threads changes no ordering rule. A call
 * goes to the worker with the fewest calls in flight (ties taken in turn).
 *
 * The app reaches the host's document store through the seam as in the host's thread; a worker's
 * store calls are answered here, in the host's scope. A worker that stops (the app's code ended its
 * thread, or it threw outside any invocation) fails the calls it was running, as a worker process
 * that dies does in Azure; the host starts another in its place.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AppRegistry, FunctionRegistration, InvokeResult, Logger } from '../contracts';
import type { FunctionExecutor, InvocationCall } from './invocation';
import { AppLoadError, registryOf } from './loadApp';
import {
  fromThreadError,
  Outbox,
  STORE_METHODS,
  toThreadError,
  type FromWorker,
  type ThreadFunction,
  type ToWorker,
  type WorkerStart,
} from './threadProtocol';

/** A container of the host's document store, as the pool calls it for a worker. */
type StoreContainer = Record<(typeof STORE_METHODS)[number], (...args: unknown[]) => unknown>;

export interface WorkerPoolOptions {
  appRoot: string;
  count: number;
  log: Logger;
  /** The host's time; sent with every message when `virtualClock`. */
  now(): number;
  virtualClock: boolean;
  /** The host's document store as the seam publishes it for this host; undefined while there is none. */
  documents():
    { container(database: string, name: string, options: { partitionKeyPath: string }): unknown } | undefined;
  /** Runs `fn` as work of this host (its async scope), as the host runs invocations in its own thread. */
  inHost<T>(fn: () => T): T;
}

/** A call of a worker that has not answered yet. */
interface Pending {
  functionName: string;
  resolve(result: InvokeResult): void;
  reject(error: unknown): void;
}

class WorkerSlot {
  readonly pending = new Map<number, Pending>();
  ready = false;
  exited = false;
  terminated: (() => void) | undefined;
  private readonly outbox: Outbox<ToWorker>;

  constructor(
    readonly index: number,
    readonly worker: Worker,
  ) {
    this.outbox = new Outbox((batch) => worker.postMessage(batch));
  }

  send(message: ToWorker): void {
    this.outbox.send(message);
  }
}

/** The worker's script: the build's, also when the host itself runs from its sources (under jest). */
export function workerScript(): string {
  const built = __filename.endsWith('.ts')
    ? path.resolve(__dirname, '..', '..', 'dist', 'runtime', 'worker', 'workerThread.js')
    : path.join(__dirname, 'workerThread.js');
  if (!existsSync(built))
    throw new AppLoadError(
      `The host's worker thread script ${built} does not exist: build first (npm run build).`,
    );
  return built;
}

export class WorkerPool {
  private readonly slots: WorkerSlot[] = [];
  private nextCall = 1;
  private turn = 0;
  private stopping = false;
  private readyWaiters: Array<() => void> = [];

  private constructor(
    private readonly options: WorkerPoolOptions,
    readonly registry: AppRegistry,
  ) {}

  /** Starts `count` workers; resolves once each has loaded the app (the registry is the first one's). */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    if (!Number.isInteger(options.count) || options.count < 2)
      throw new RangeError(`A worker pool needs at least 2 workers, not ${options.count}.`);
    const script = workerScript();
    const started: Array<{ slot: WorkerSlot; loaded: Promise<Extract<FromWorker, { type: 'loaded' }>> }> = [];
    for (let index = 1; index <= options.count; index++) started.push(spawn(script, options, index));
    let first: Extract<FromWorker, { type: 'loaded' }>;
    try {
      [first] = await Promise.all(started.map((s) => s.loaded));
    } catch (error) {
      await Promise.all(started.map((s) => s.slot.worker.terminate()));
      throw error;
    }
    const functions = new Map<string, FunctionRegistration>(first.functions.map((fn) => [fn.name, fn]));
    const pool = new WorkerPool(options, registryOf(options.appRoot, first.hostJson, functions));
    for (const { slot } of started) pool.adopt(slot, script);
    return pool;
  }

  /** The calls of the app, each made on the worker with the fewest in flight. */
  readonly execute: FunctionExecutor = async (call) => {
    const slot = await this.leastBusy();
    const id = this.nextCall++;
    return new Promise<InvokeResult>((resolve, reject) => {
      slot.pending.set(id, { functionName: call.functionName, resolve, reject });
      slot.send({ type: 'invoke', id, call, now: this.options.now(), local: this.hasStore() });
    });
  };

  /** The worker threads' ids, in worker order (tests tell the workers apart by them). */
  threadIds(): number[] {
    return this.slots.filter((s) => !s.exited).map((s) => s.worker.threadId);
  }

  /** Runs each worker's `appTerminate` hooks, then ends the workers. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.exited) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5_000);
          slot.terminated = () => {
            clearTimeout(timer);
            resolve();
          };
          slot.send({ type: 'terminate' });
        });
        await slot.worker.terminate();
      }),
    );
    for (const waiter of this.readyWaiters.splice(0)) waiter();
  }

  private hasStore(): boolean {
    return this.options.inHost(() => this.options.documents()) !== undefined;
  }

  private async leastBusy(): Promise<WorkerSlot> {
    for (;;) {
      // Ties go round: the search starts one worker further each call.
      let best: WorkerSlot | undefined;
      const count = this.slots.length;
      this.turn = (this.turn + 1) % Math.max(count, 1);
      for (let i = 0; i < count; i++) {
        const slot = this.slots[(this.turn + i) % count];
        if (slot.ready && !slot.exited && (!best || slot.pending.size < best.pending.size)) best = slot;
      }
      if (best) return best;
      if (this.stopping || this.slots.every((s) => s.exited))
        throw new Error('No worker thread of the host is running: the app cannot be called.');
      await new Promise<void>((resolve) => this.readyWaiters.push(resolve));
    }
  }

  /** Takes a loaded worker into the pool: its answers, its store calls, its logs, its end. */
  private adopt(slot: WorkerSlot, script: string): void {
    slot.ready = true;
    this.slots.push(slot);
    slot.worker.on('message', (batch: FromWorker[]) => {
      for (const message of batch) this.receive(slot, message);
    });
    slot.worker.on('error', (error) =>
      this.options.log.error(
        `Worker ${slot.index} of the app failed outside an invocation: ${error.message}`,
      ),
    );
    slot.worker.once('exit', (code) => this.exited(slot, code, script));
    for (const waiter of this.readyWaiters.splice(0)) waiter();
  }

  private receive(slot: WorkerSlot, message: FromWorker): void {
    switch (message.type) {
      case 'invoked': {
        const pending = slot.pending.get(message.id);
        slot.pending.delete(message.id);
        if (message.ok) pending?.resolve(message.result);
        else pending?.reject(fromThreadError(message.error));
        return;
      }
      case 'store':
        this.answerStore(slot, message);
        return;
      case 'log':
        this.options.log[message.level](message.message, message.fields);
        return;
      case 'terminated':
        slot.terminated?.();
        return;
      default:
        return;
    }
  }

  private answerStore(slot: WorkerSlot, message: Extract<FromWorker, { type: 'store' }>): void {
    const { id, database, container, partitionKeyPath, method, args } = message;
    try {
      if (!STORE_METHODS.includes(method)) throw new TypeError(`No store method ${String(method)}.`);
      const value = this.options.inHost(() => {
        const documents = this.options.documents();
        if (!documents)
          throw Object.assign(new Error("The local host's document store is not running."), {
            code: 'SQLITE_CLOSED',
          });
        const target = documents.container(database, container, { partitionKeyPath }) as StoreContainer;
        return target[method](...args);
      });
      slot.send({ type: 'stored', id, now: this.options.now(), ok: true, value });
    } catch (error) {
      slot.send({ type: 'stored', id, now: this.options.now(), ok: false, error: toThreadError(error) });
    }
  }

  /** A worker ended: its calls fail; unless the host is stopping, another takes its place. */
  private exited(slot: WorkerSlot, code: number, script: string): void {
    slot.exited = true;
    slot.terminated?.();
    const calls = [...slot.pending.values()];
    slot.pending.clear();
    for (const call of calls)
      call.reject(
        new Error(
          `Worker ${slot.index} of the app stopped (exit code ${code}) while running "${call.functionName}".`,
        ),
      );
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    if (this.stopping) return;
    this.options.log.error(
      `Worker ${slot.index} of the app stopped (exit code ${code}); ${calls.length} invocation(s) it was running failed. Starting another.`,
    );
    const replacement = spawn(script, this.options, slot.index);
    replacement.loaded.then(
      () => (this.stopping ? void replacement.slot.worker.terminate() : this.adopt(replacement.slot, script)),
      (error: unknown) => {
        this.options.log.error(
          `Worker ${slot.index} of the app could not be started again: ${(error as Error).message}`,
        );
        for (const waiter of this.readyWaiters.splice(0)) waiter();
      },
    );
  }
}

/** Starts one worker; `loaded` settles once it has loaded the app (rejects with why it could not). */
function spawn(
  script: string,
  options: WorkerPoolOptions,
  index: number,
): { slot: WorkerSlot; loaded: Promise<Extract<FromWorker, { type: 'loaded' }>> } {
  const workerData: WorkerStart = { appRoot: options.appRoot, index, virtualClock: options.virtualClock };
  // The app settings as the host applied them (a copy, taken now, as a worker process gets its environment).
  const worker = new Worker(script, { workerData, name: `app worker ${index}`, env: { ...process.env } });
  const slot = new WorkerSlot(index, worker);
  // An error thrown in the worker outside any call ends it ('error', then 'exit'): said with its end.
  let failure: Error | undefined;
  worker.on('error', (error) => (failure = error));
  const loaded = new Promise<Extract<FromWorker, { type: 'loaded' }>>((resolve, reject) => {
    const onBatch = (batch: FromWorker[]): void => {
      for (const message of batch) onMessage(message);
    };
    const onMessage = (message: FromWorker): void => {
      if (message.type === 'log') options.log[message.level](message.message, message.fields);
      if (message.type === 'loaded') {
        worker.off('message', onBatch);
        worker.off('exit', onExit);
        resolve(message);
      }
      if (message.type === 'loadFailed') {
        worker.off('message', onBatch);
        worker.off('exit', onExit);
        const error = fromThreadError(message.error);
        void worker.terminate();
        reject(
          error instanceof Error && error.name === 'AppLoadError' ? new AppLoadError(error.message) : error,
        );
      }
    };
    const onExit = (code: number): void =>
      reject(
        new AppLoadError(
          `Worker ${index} of the app stopped (exit code ${code}) while loading the app${failure ? `: ${failure.message}` : '.'}`,
        ),
      );
    worker.on('message', onBatch);
    worker.once('exit', onExit);
  });
  return { slot, loaded };
}

export type { InvocationCall, ThreadFunction };
