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
import { inProcessExecutor, type FunctionExecutor } from './invocation';
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
const outbox = new Outbox<FromWorker>((batch) => port.postMessage(batch));
const send = (message: FromWorker): void => outbox.send(message);

// The host's time as of its last message, when its clock is virtual (the app reads it through the seam).
let hostNow = Date.now();
// Whether the host publishes its document store (said with every invocation).
let hostHasStore = false;

const pendingStoreCalls = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
let nextStoreCall = 1;

function storeCall(
  database: string,
  container: string,
  partitionKeyPath: string,
  method: StoreMethod,
  args: unknown[],
): Promise<unknown> {
  const id = nextStoreCall++;
  return new Promise((resolve, reject) => {
    pendingStoreCalls.set(id, { resolve, reject });
    send({ type: 'store', id, database, container, partitionKeyPath, method, args });
  });
}

function proxyContainer(database: string, name: string, partitionKeyPath: string): object {
  const call =
    (method: StoreMethod) =>
    (...args: unknown[]): Promise<unknown> =>
      storeCall(database, name, partitionKeyPath, method, args);
  return {
    partitionKeyPath,
    partitionKeyOf: call('partitionKeyOf'),
    create: call('create'),
    read: call('read'),
    replace: call('replace'),
    upsert: call('upsert'),
    delete: call('delete'),
    batch: call('batch'),
    query: call('query'),
  };
}

const resources = {
  clock: { now: () => (start.virtualClock ? hostNow : Date.now()) },
  documents: {
    container: (database: string, name: string, options: { partitionKeyPath?: string } = {}) =>
      proxyContainer(database, name, options.partitionKeyPath ?? '/id'),
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
functionsCore.setLogSink((level, _category, message) => {
  if (level === 'warning') log.warn(message);
  else if (level === 'error' || level === 'critical') log.error(message);
});

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
      if (message.ok) pending?.resolve(message.value);
      else pending?.reject(fromThreadError(message.error));
      return;
    }
    case 'terminate': {
      const loaded = app;
      const hooks = loaded ? runAppHooks(loaded.capture, 'appTerminate', start.appRoot) : Promise.resolve();
      hooks
        .catch((error: unknown) => log.error(`An appTerminate hook failed: ${(error as Error).message}`))
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
      functions: [...loaded.registry.functions.values()].map((fn) => ({ ...fn })),
    });
  },
  (error: unknown) => send({ type: 'loadFailed', error: toThreadError(error) }),
);
