/**
 * The host's worker threads (`FUNCTIONS_WORKER_PROCESS_COUNT` > 1): each loads the app and runs the
 * calls given to it, as Azure's worker processes do, so the app's code (the library's invocation
 * model, the Durable SDK's replay, the domain) runs beside the host's thread, which keeps the HTTP
 * server, the database and the dispatchers. Which work runs at once is decided where it was
 * before, in the host's thread (one episode per orchestration instance, one batch per entity, the
 * change feed's leases), so spreading the calls over threads changes no ordering rule. A call
 * goes to the worker with the fewest calls in flight (ties taken in turn).
 *
 * The app reaches the host's document store through the seam as in the host's thread; a worker's
 * store calls are answered here, in the host's scope. A worker that stops (the app's code ended its
 * thread, or it threw outside any invocation) fails the calls it was running, as a worker process
 * that dies does in Azure; the host starts another in its place (after a doubling wait, up to
 * 30 s, while it cannot load the app or while workers end within 10 s of their start). A call
 * made while no worker runs waits for one, at most {@link NO_WORKER_WAIT_MS}.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AppRegistry, FunctionRegistration, InvokeResult, Logger } from '../contracts';
import type { FunctionExecutor } from './invocation';
import { describeError } from './invoker';
import { AppLoadError, registryOf } from './loadApp';
import {
  fromThreadError,
  Outbox,
  STORE_METHODS,
  toThreadError,
  type FromWorker,
  type ThreadError,
  type ToWorker,
  type WorkerStart,
} from './threadProtocol';

/** How long a call waits for a worker when none runs (all ended, their replacements loading). */
export const NO_WORKER_WAIT_MS = 30_000;
const FIRST_RESTART_DELAY_MS = 1_000;
const LONGEST_RESTART_DELAY_MS = 30_000;
/** A worker that ends within this of its start is restarted after a wait. */
const SHORT_LIFE_MS = 10_000;

/** A container of the host's document store, as the pool calls it for a worker. */
type StoreContainer = Record<(typeof STORE_METHODS)[number], (...args: unknown[]) => unknown> & {
  partitionKeyPath: string;
};

export interface WorkerPoolOptions {
  appRoot: string;
  count: number;
  log: Logger;
  /** The host's time; sent with every message when `virtualClock`. */
  now(): number;
  virtualClock: boolean;
  /** The host's document store as the seam publishes it for this host; undefined while there is none. */
  documents():
    | { container(database: string, name: string, options: { partitionKeyPath?: string }): unknown }
    | undefined;
  /** Runs `fn` as work of this host (its async scope), as the host runs invocations in its own thread. */
  inHost<T>(fn: () => T): T;
}

/** A call of a worker that has not answered yet. */
interface Pending {
  functionName: string;
  resolve(result: InvokeResult): void;
  reject(error: unknown): void;
}

type Loaded = Extract<FromWorker, { type: 'loaded' }>;

/** One worker thread, from its start: messages and its end are handled by whoever owns it now. */
class WorkerSlot {
  readonly pending = new Map<number, Pending>();
  /** The exit code, once the thread has ended. */
  exitCode: number | undefined;
  /** The error that ended it, if one did. */
  failure: Error | undefined;
  /** When the pool took it in (a worker that ends soon after is not restarted at once). */
  adoptedAt = 0;
  /** The host's environment as this worker last had it from the host (its start, then updates). */
  env: Record<string, string | undefined> = {};
  onMessage: (message: FromWorker) => void = () => undefined;
  onExit: (code: number) => void = () => undefined;
  terminated: (() => void) | undefined;
  private readonly outbox: Outbox<ToWorker>;

  constructor(
    readonly index: number,
    readonly worker: Worker,
  ) {
    this.outbox = new Outbox((batch) => worker.postMessage(batch));
    worker.on('message', (batch: FromWorker[]) => {
      for (const message of batch) this.onMessage(message);
    });
    worker.on('error', (error) => (this.failure = error));
    worker.once('exit', (code) => {
      this.exitCode = code;
      this.terminated?.();
      this.onExit(code);
    });
  }

  get exited(): boolean {
    return this.exitCode !== undefined;
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
  /** The workers that have loaded the app and not ended. */
  private readonly slots: WorkerSlot[] = [];
  /** Replacements still loading the app (or waiting to be started again). */
  private readonly starting = new Set<WorkerSlot | ReturnType<typeof setTimeout>>();
  private nextCall = 1;
  private turn = 0;
  private stopping = false;
  private readyWaiters: Array<() => void> = [];
  /** The last wait before restarting each worker (by index), doubled while workers end young. */
  private readonly restartDelays = new Map<number, number>();

  private constructor(
    private readonly options: WorkerPoolOptions,
    private readonly script: string,
    readonly registry: AppRegistry,
  ) {}

  /** Starts `count` workers; resolves once each has loaded the app (the registry is the first one's). */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    if (!Number.isInteger(options.count) || options.count < 2)
      throw new RangeError(`A worker pool needs at least 2 workers, not ${options.count}.`);
    const script = workerScript();
    const started = Array.from({ length: options.count }, (_, i) => spawn(script, options, i + 1));
    let first: Loaded;
    try {
      [first] = await Promise.all(started.map((s) => s.loaded));
    } catch (error) {
      await Promise.all(started.map((s) => s.slot.worker.terminate()));
      throw error;
    }
    const functions = new Map<string, FunctionRegistration>(first.functions.map((fn) => [fn.name, fn]));
    const pool = new WorkerPool(options, script, registryOf(options.appRoot, first.hostJson, functions));
    // A worker that ended between its load and now is handled (failed, replaced) by adopt.
    for (const { slot } of started) pool.adopt(slot);
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
    return this.slots.map((s) => s.worker.threadId);
  }

  /**
   * Gives every worker the settings the host has added or changed in its environment since the
   * worker last had them (a service's generated key, say). Keys the host did not change are not
   * sent, so what the app set in its own environment stays; nothing is taken away.
   */
  updateEnvironment(): void {
    for (const slot of this.slots) this.sendEnvironment(slot);
  }

  /**
   * The stop has begun: calls waiting for a worker fail now (while their callers can still be
   * answered), and no new call waits.
   */
  beginStop(): void {
    this.stopping = true;
    this.wakeWaiters();
  }

  /** What changed in the host's environment since `slot` last had it: only those keys, so the app's own changes stay. */
  private sendEnvironment(slot: WorkerSlot): void {
    const changed: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env))
      if (value !== undefined && slot.env[key] !== value) changed[key] = value;
    if (Object.keys(changed).length === 0) return;
    slot.env = { ...slot.env, ...changed };
    slot.send({ type: 'env', env: changed });
  }

  /** Runs each worker's `appTerminate` hooks, then ends the workers (and any replacement still loading). */
  async stop(): Promise<void> {
    await this.end(true);
  }

  /** Ends the workers without their `appTerminate` hooks (the host failed to start). */
  async kill(): Promise<void> {
    await this.end(false);
  }

  private async end(hooks: boolean): Promise<void> {
    this.stopping = true;
    const loading = [...this.starting];
    this.starting.clear();
    await Promise.all([
      ...loading.map((s) => (s instanceof WorkerSlot ? s.worker.terminate() : clearTimeout(s))),
      ...this.slots.map(async (slot) => {
        if (slot.exited) return;
        if (hooks)
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
    ]);
    this.wakeWaiters();
  }

  private hasStore(): boolean {
    return this.options.inHost(() => this.options.documents()) !== undefined;
  }

  private async leastBusy(): Promise<WorkerSlot> {
    const deadline = Date.now() + NO_WORKER_WAIT_MS;
    for (;;) {
      // Ties go round: the search starts one worker further each call.
      let best: WorkerSlot | undefined;
      const count = this.slots.length;
      this.turn = (this.turn + 1) % Math.max(count, 1);
      for (let i = 0; i < count; i++) {
        const slot = this.slots[(this.turn + i) % count];
        if (!best || slot.pending.size < best.pending.size) best = slot;
      }
      if (best) return best;
      const left = deadline - Date.now();
      if (this.stopping || left <= 0)
        throw new Error(
          this.stopping
            ? 'The host is stopping: no worker thread takes the call.'
            : `No worker thread of the host has run the app for ${NO_WORKER_WAIT_MS / 1000} s: the app cannot be called.`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.readyWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wakeWaiters(): void {
    for (const waiter of this.readyWaiters.splice(0)) waiter();
  }

  /** Takes a loaded worker into the pool: its answers, its store calls, its logs, its end. */
  private adopt(slot: WorkerSlot): void {
    slot.onMessage = (message) => this.receive(slot, message);
    slot.onExit = (code) => this.exited(slot, code);
    if (slot.exited) {
      this.exited(slot, slot.exitCode!);
      return;
    }
    slot.adoptedAt = Date.now();
    // A worker started before a service changed the environment (a replacement during the start).
    this.sendEnvironment(slot);
    this.slots.push(slot);
    this.wakeWaiters();
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
    let target: StoreContainer | undefined;
    let answer: { ok: true; value: unknown } | { ok: false; error: ThreadError };
    try {
      if (!STORE_METHODS.includes(method)) throw new TypeError(`No store method ${String(method)}.`);
      const value = this.options.inHost(() => {
        const documents = this.options.documents();
        if (!documents)
          throw Object.assign(new Error("The local host's document store is not running."), {
            code: 'SQLITE_CLOSED',
          });
        target = documents.container(
          database,
          container,
          partitionKeyPath === undefined ? {} : { partitionKeyPath },
        ) as StoreContainer;
        return target[method](...args);
      });
      answer = { ok: true, value };
    } catch (error) {
      answer = { ok: false, error: toThreadError(error) };
    }
    slot.send({
      type: 'stored',
      id,
      now: this.options.now(),
      partitionKeyPath: target?.partitionKeyPath,
      ...answer,
    });
  }

  /** A worker ended: its calls fail; unless the host is stopping, another takes its place. */
  private exited(slot: WorkerSlot, code: number): void {
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
    const why = slot.failure ? ` after an error outside any invocation: ${describeError(slot.failure)}` : '';
    const lived = slot.adoptedAt > 0 ? Date.now() - slot.adoptedAt : 0;
    const delay = this.restart(slot.index, lived);
    this.options.log.error(
      `Worker ${slot.index} of the app stopped (exit code ${code})${why}; ${calls.length} invocation(s) it was running failed. ` +
        (delay === 0 ? 'Starting another.' : `Starting another in ${delay / 1000} s (it ran ${lived} ms).`),
    );
  }

  /**
   * Starts worker `index` again, at once if the one before lived long; else (it ended within
   * {@link SHORT_LIFE_MS} of its start, or could not load the app) after a wait that doubles each
   * time, from 1 s to 30 s, so an app that crashes on each load is not restarted in a loop.
   * Returns the wait.
   */
  private restart(index: number, lived: number): number {
    const previous = this.restartDelays.get(index) ?? 0;
    const delay =
      lived >= SHORT_LIFE_MS
        ? 0
        : Math.min(Math.max(previous * 2, FIRST_RESTART_DELAY_MS), LONGEST_RESTART_DELAY_MS);
    this.restartDelays.set(index, delay);
    if (delay === 0) {
      this.replace(index);
      return delay;
    }
    const timer = setTimeout(() => {
      this.starting.delete(timer);
      if (!this.stopping) this.replace(index);
    }, delay);
    this.starting.add(timer);
    return delay;
  }

  /** Starts a replacement for worker `index` and takes it in once it has loaded the app. */
  private replace(index: number): void {
    const replacement = spawn(this.script, this.options, index);
    this.starting.add(replacement.slot);
    replacement.loaded.then(
      () => {
        if (!this.starting.delete(replacement.slot)) return; // the pool stopped meanwhile
        this.adopt(replacement.slot);
      },
      (error: unknown) => {
        if (!this.starting.delete(replacement.slot)) return;
        const delay = this.restart(index, 0);
        this.options.log.error(
          `Worker ${index} of the app could not be started again (${describeError(error)}); trying again in ${delay / 1000} s.`,
        );
      },
    );
  }
}

/** Starts one worker; `loaded` settles once it has loaded the app (rejects with why it could not). */
function spawn(
  script: string,
  options: WorkerPoolOptions,
  index: number,
): { slot: WorkerSlot; loaded: Promise<Loaded> } {
  const workerData: WorkerStart = { appRoot: options.appRoot, index, virtualClock: options.virtualClock };
  // The app settings as the host applied them (a copy, taken now, as a worker process gets its environment).
  const env = { ...process.env };
  const worker = new Worker(script, { workerData, name: `app worker ${index}`, env });
  const slot = new WorkerSlot(index, worker);
  slot.env = env;
  const loaded = new Promise<Loaded>((resolve, reject) => {
    slot.onMessage = (message) => {
      // Until the pool adopts it, a worker only loads: its log lines are written, nothing else is expected.
      if (message.type === 'log') options.log[message.level](message.message, message.fields);
      if (message.type === 'loaded') resolve(message);
      if (message.type === 'loadFailed') {
        const error = fromThreadError(message.error);
        void worker.terminate();
        reject(
          error instanceof Error && error.name === 'AppLoadError' ? new AppLoadError(error.message) : error,
        );
      }
    };
    slot.onExit = (code) =>
      reject(
        new AppLoadError(
          `Worker ${index} of the app stopped (exit code ${code}) while loading the app${slot.failure ? `: ${describeError(slot.failure)}` : '.'}`,
        ),
      );
  });
  return { slot, loaded };
}
