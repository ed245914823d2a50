/**
 * A worker thread of the host (the local stand-in for one of Azure's `FUNCTIONS_WORKER_PROCESS_COUNT`
 * worker processes): loads the app as the Node worker does and makes the calls the host sends it.
 * The host's thread keeps everything else (HTTP, the database, the durable dispatcher), so the app
 * reaches the host's document store through the app-host seam as a proxy whose calls the host's
 * thread answers (promises here, where in the host's thread they are synchronous).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger, LogFields } from '../contracts';
import * as functionsCore from './functionsCore';
import { coreLogSink, inProcessExecutor, type FunctionExecutor } from './invocation';
import { describeError } from './invoker';
import { loadApp, runAppHooks, type LoadedApp } from './loadApp';
import {
  fromThreadError,
  toThreadError,
  Outbox,
  type FromWorker,
  type StoreMethod,
  type ToWorker,
  type WorkerStart,
} from './threadProtocol';

const port = parentPort;
if (!port) throw new Error('workerThread.ts runs as a worker thread of the local host only.');
const start = workerData as WorkerStart;
// What cannot be cloned across fails alone: an invocation whose result cannot be sent fails with
// why, a store call whose arguments cannot be sent is refused with why, a log line whose fields
// cannot be sent goes without them.
const outbox = new Outbox<FromWorker>(
  (batch) => port.postMessage(batch),
  (message, error) => {
    if (message.type === 'invoked')
      return { type: 'invoked', id: message.id, ok: false, error: toThreadError(error) };
    if (message.type === 'log') return { type: 'log', level: message.level, message: message.message };
    if (message.type === 'store') {
      pendingStoreCalls.get(message.id)?.reject(error);
      pendingStoreCalls.delete(message.id);
    }
    return undefined;
  },
);
const send = (message: FromWorker): void => outbox.send(message);

// The host's time as of its last message, when its clock is virtual (the app reads it through the seam).
let hostNow = Date.now();
// Whether the host publishes its document store (said with every invocation).
let hostHasStore = false;

const pendingStoreCalls = new Map<
  number,
  { resolve(value: unknown, partitionKeyPath: string | undefined): void; reject(error: unknown): void }
>();
let nextStoreCall = 1;

/**
 * A document as the host's store keeps it in one thread, where it stores JSON: `toJSON` applied,
 * functions and undefined properties left out. What JSON cannot hold (a BigInt, a cycle) throws as
 * it would there.
 */
function asJson(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

/**
 * The arguments as they cross: the documents written (the first argument of create, replace and
 * upsert; each batch operation's `document`) as JSON, everything else (ids, partition keys, query
 * specs, options) as it is, by structured clone, so the host judges them as in one thread.
 */
function crossing(method: StoreMethod, args: unknown[]): unknown[] {
  if (method === 'create' || method === 'replace' || method === 'upsert')
    return [asJson(args[0]), ...args.slice(1)];
  if (method === 'batch' && Array.isArray(args[1]))
    return [
      args[0],
      args[1].map((operation: unknown) =>
        operation !== null && typeof operation === 'object' && 'document' in operation
          ? { ...operation, document: asJson((operation as { document: unknown }).document) }
          : operation,
      ),
      ...args.slice(2),
    ];
  return args;
}

function storeCall(
  proxy: { partitionKeyPath: string | undefined },
  database: string,
  container: string,
  named: string | undefined,
  method: StoreMethod,
  args: unknown[],
): Promise<unknown> {
  const id = nextStoreCall++;
  return new Promise((resolve, reject) => {
    let sent: unknown[];
    try {
      sent = crossing(method, args);
    } catch (error) {
      reject(error);
      return;
    }
    pendingStoreCalls.set(id, {
      resolve: (value, partitionKeyPath) => {
        proxy.partitionKeyPath ??= partitionKeyPath;
        resolve(value);
      },
      reject,
    });
    send({ type: 'store', id, database, container, partitionKeyPath: named, method, args: sent });
  });
}

/**
 * A container of the host's store, called across threads. Its `partitionKeyPath` is the one the
 * app named; when it named none, the container's own, known once the host has answered a call.
 */
function proxyContainer(database: string, name: string, named: string | undefined): object {
  const proxy: { partitionKeyPath: string | undefined } & Record<string, unknown> = {
    partitionKeyPath: named,
  };
  const call =
    (method: StoreMethod) =>
    (...args: unknown[]): Promise<unknown> =>
      storeCall(proxy, database, name, named, method, args);
  return Object.assign(proxy, {
    partitionKeyOf: call('partitionKeyOf'),
    create: call('create'),
    read: call('read'),
    replace: call('replace'),
    upsert: call('upsert'),
    delete: call('delete'),
    batch: call('batch'),
    query: call('query'),
  });
}

const resources = {
  clock: { now: () => (start.virtualClock ? hostNow : Date.now()) },
  documents: {
    container: (database: string, name: string, options: { partitionKeyPath?: string } = {}) =>
      proxyContainer(database, name, options.partitionKeyPath),
  },
};
// Installed before the app loads, as the host's own thread does (the app may ask at load).
(globalThis as Record<symbol, unknown>)[Symbol.for('azure-functions-local-host')] = {
  current: () => (hostHasStore ? resources : undefined),
};

const log: Logger = {
  info: (message: string, fields?: LogFields) => send({ type: 'log', level: 'info', message, fields }),
  warn: (message: string, fields?: LogFields) => send({ type: 'log', level: 'warn', message, fields }),
  error: (message: string, fields?: LogFields) => send({ type: 'log', level: 'error', message, fields }),
};
functionsCore.setLogSink(coreLogSink(log));

let app: LoadedApp | undefined;
let execute: FunctionExecutor | undefined;

port.on('message', (batch: ToWorker[]) => {
  for (const message of batch) receive(message);
});

function receive(message: ToWorker): void {
  switch (message.type) {
    case 'invoke': {
      hostNow = message.now;
      hostHasStore = message.local;
      const run = execute;
      if (!run) return;
      run(message.call).then(
        (result) => send({ type: 'invoked', id: message.id, ok: true, result }),
        (error: unknown) => send({ type: 'invoked', id: message.id, ok: false, error: toThreadError(error) }),
      );
      return;
    }
    case 'stored': {
      hostNow = message.now;
      const pending = pendingStoreCalls.get(message.id);
      pendingStoreCalls.delete(message.id);
      if (message.ok) pending?.resolve(message.value, message.partitionKeyPath);
      else pending?.reject(fromThreadError(message.error));
      return;
    }
    case 'env': {
      Object.assign(process.env, message.env);
      return;
    }
    case 'terminate': {
      const loaded = app;
      const hooks = loaded ? runAppHooks(loaded.capture, 'appTerminate', start.appRoot) : Promise.resolve();
      hooks
        .catch((error: unknown) => log.error(`An appTerminate hook failed: ${describeError(error)}`))
        .finally(() => {
          send({ type: 'terminated' });
          outbox.flush();
        });
      return;
    }
  }
}

loadApp(start.appRoot).then(
  (loaded) => {
    app = loaded;
    try {
      execute = inProcessExecutor(loaded, log);
    } catch (error) {
      send({ type: 'loadFailed', error: toThreadError(error) });
      return;
    }
    send({
      type: 'loaded',
      hostJson: loaded.registry.hostJson,
      functions: [...loaded.registry.functions.values()],
    });
  },
  (error: unknown) => send({ type: 'loadFailed', error: toThreadError(error) }),
);
