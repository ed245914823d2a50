/**
 * The local Azure Functions host: loads the app like the Node worker, serves its HTTP triggers,
 * owns the SQLite database and runs the host services (durable backend, ...) on them.
 */
import { AsyncResource } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Database } from './sqlite';
import { RealClock, type Clock } from './clock';
import type { AppRegistry, HostContext, HostService, Invoker, Logger } from './contracts';
import { resolveHostKeys, type HostKeys } from './http/auth';
import { buildHttpRoutes } from './http/httpRoutes';
import { GroupCommit, WritesLostError } from './groupCommit';
import { WalFileSync, WalSyncError } from './walSync';
import { createRequestHandler, refusedUpFront } from './http/requestHandler';
import { closeWhenBodyUnread } from './http/body';
import { requestBodyLimitFrom } from './http/bodyLimit';
import { answerProtocolErrors, MAX_HEADER_BYTES } from './http/protocolErrors';
import { sendProblem } from './http/problem';
import { OTLP_METRICS_PATH, OTLP_TRACES_PATH } from './telemetry';
import { consoleLogger } from './logger';
import { defaultServices } from './services';
import { applySettings, readLocalSettings, SettingsError } from './settings';
import * as functionsCore from './worker/functionsCore';
import { createInvocationRuntime, describeError, describeUnservedBindings } from './worker/invoker';
import { coreLogSink, inProcessExecutor, type FunctionExecutor } from './worker/invocation';
import { WorkerPool } from './worker/workerPool';
import { WORKER_COUNT_SETTING, workerCountFrom } from './worker/workerCount';
import { runInHost } from './hostScope';
import { installLocalHostSeam, localHostResources } from './docstore/localDatabase';
import { AppLoadError, loadApp, runAppHooks } from './worker/loadApp';
import { LogLevelError } from './logLevels';
import { EasyAuth } from './easyauth/easyAuth';
import { loadUsers, type LocalUser, type LocalUsers } from './easyauth/users';

export const DEFAULT_PORT = 7071;
export const DEFAULT_DATA_DIR = '.data';
export const DATA_FILE_NAME = 'cardflow.db';

export interface HostOptions {
  /** The app's folder: package.json (`main`), host.json, local.settings.json. */
  appRoot: string;
  /** Default 7071; 0 picks a free port. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  hostname?: string;
  /** Folder for the database file; default `<appRoot>/.data` (created). */
  dataDir?: string;
  /** The SQLite file; default `<dataDir>/cardflow.db`; `:memory:` for a throwaway database. */
  dataFile?: string;
  /** Default RealClock. */
  clock?: Clock;
  /** Default `defaultServices()`. */
  services?: HostService[];
  /** Settings that take precedence over local.settings.json Values (the environment still wins). */
  settings?: Record<string, string>;
  /** Function keys; with none and no master key the host is in dev mode (no keys required). */
  functionKeys?: string[];
  masterKey?: string;
  /** Default: Core Tools style lines on stdout / stderr. */
  log?: Logger;
  /**
   * The callers the host's Easy Auth authenticates. Default: the users file (`CARDFLOW_AUTH_FILE`,
   * else `auth.local.json`, else `auth.local.example.json` in the app's folder); `false`: none.
   */
  users?: readonly LocalUser[] | false;
  /**
   * Point the app's OpenTelemetry exporters at this host's receiver (`/runtime/otlp/v1/traces` and
   * `/v1/metrics`) by setting `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` and `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`
   * before the app loads — unless the environment
   * already names an OTLP endpoint or an Application Insights connection string. Default false
   * (`npm start` turns it on). The OpenTelemetry API keeps one provider per process: the first
   * traced host of a process receives its spans.
   */
  traces?: boolean;
  /**
   * How many worker threads run the app when the setting `FUNCTIONS_WORKER_PROCESS_COUNT` does not
   * say (1: the app runs in the host's own thread, as tests want it). Default 1; `npm start` gives
   * one per core but the one the host's thread needs (`cli.ts` `defaultWorkerCount`).
   */
  workers?: number;
}

export interface HttpFunctionInfo {
  functionName: string;
  /** Upper-case methods; undefined means every method. */
  methods?: string[];
  authLevel: 'anonymous' | 'function' | 'admin';
  /** e.g. http://127.0.0.1:7071/api/accounts/{id} */
  url: string;
}

export interface Host {
  /** e.g. http://127.0.0.1:7071 */
  readonly baseUrl: string;
  readonly port: number;
  readonly clock: Clock;
  readonly db: Database;
  readonly registry: AppRegistry;
  readonly invoke: Invoker;
  /** App settings as the functions see them. */
  readonly settings: Readonly<Record<string, string | undefined>>;
  readonly httpFunctions: readonly HttpFunctionInfo[];
  readonly keys: Readonly<HostKeys>;
  /** Stops services (reverse order), the server, runs appTerminate hooks, closes the database. Idempotent. */
  stop(): Promise<void>;
  /** Adds (or replaces) a caller of the host's Easy Auth, as a users file entry would. */
  addUser(user: LocalUser): void;
  /** The ids of the worker threads running the app (`FUNCTIONS_WORKER_PROCESS_COUNT` > 1); empty when it runs in the host's thread. */
  workerThreadIds(): number[];
  /** Resolves when no invocation is running and every service reports isIdle(). */
  waitForIdle(options?: { timeoutMs?: number }): Promise<void>;
}

/** Starts a host on the app at `appRoot`; resolves once it listens and its services run. */
export async function startHost(options: HostOptions): Promise<Host> {
  const appRoot = path.resolve(options.appRoot);
  const log = options.log ?? consoleLogger();
  const clock = options.clock ?? new RealClock();

  const values = { ...readLocalSettings(appRoot), ...(options.settings ?? {}) };
  const addedEnv = Object.keys(values).filter((k) => process.env[k] === undefined);
  const settings = applySettings(values);
  const restoreEnv = (): void => {
    for (const key of addedEnv) delete process.env[key];
  };

  let db: Database | undefined;
  let walSync: WalFileSync | undefined;
  let durable: (since?: number) => Promise<void> = () => Promise.resolve();
  let commitMark = (): number => 0;
  let stopCommits = (): void => undefined;
  let server: Server | undefined;
  let app: RunningApp | undefined;
  try {
    const opened = openDatabase(options, appRoot, settings);
    db = opened.db;
    walSync = opened.walSync;
    // Every write joins one open transaction, committed and synced before anything is acknowledged.
    const commits = new GroupCommit(db, {
      syncer: walSync,
      onError: (error) =>
        error instanceof WritesLostError
          ? log.error(
              `The database rolled back writes not yet committed (${error.message}): nothing of them was acknowledged; the work is redone as after a crash.`,
            )
          : error instanceof WalSyncError
            ? log.error(
                `${error.message} Nothing is acknowledged from now on (the disk may have dropped what it could not write, and what was committed after it depends on it): restart the host, which recovers from the file.`,
              )
            : log.warn(`The database commit failed; it is tried again: ${describeError(error)}`),
    });
    commits.start();
    durable = (since) => commits.durable(since);
    commitMark = () => commits.mark();
    stopCommits = () => commits.stop();
    // The server listens before the app loads, so the app can be told where its host is (its own
    // URL, the trace receiver); until the app is loaded, a request is answered 503.
    let onRequest: RequestListener = (_req, res) =>
      sendProblem(
        res,
        { status: 503, title: 'Service Unavailable', detail: 'The host is starting.' },
        { 'retry-after': '1' },
      );
    const bodyLimit = requestBodyLimitFrom(settings, log);
    server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
      closeWhenBodyUnread(req, res);
      onRequest(req, res);
    });
    // `Expect: 100-continue` (curl sends it for bodies over 1 MiB): a body that will be refused for
    // its size is not asked for; the 413 comes instead of the 100.
    server.on('checkContinue', (req, res) => {
      closeWhenBodyUnread(req, res);
      if (!refusedUpFront(req, bodyLimit)) res.writeContinue();
      onRequest(req, res);
    });
    answerProtocolErrors(server, log);
    const port = await listen(server, options.port ?? DEFAULT_PORT, options.hostname ?? '127.0.0.1');
    const baseUrl = `http://${formatHost(options.hostname ?? '127.0.0.1')}:${port}`;
    // As Core Tools and Azure do: the app can find its own host (e.g. the local Event Grid topic).
    if (process.env.WEBSITE_HOSTNAME === undefined) {
      process.env.WEBSITE_HOSTNAME = new URL(baseUrl).host;
      addedEnv.push('WEBSITE_HOSTNAME');
    }
    if (options.traces && !tracesConfigured()) {
      process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${baseUrl}${OTLP_TRACES_PATH}`;
      process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT = `${baseUrl}${OTLP_METRICS_PATH}`;
      addedEnv.push('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
    }

    functionsCore.setLogSink(coreLogSink(log));
    // The app may ask at load whether a local host runs it (docs/architecture.md, the app-host seam).
    installLocalHostSeam();
    // Every invocation runs in this host's scope, so app code reaches this host's resources only.
    const hostDb = db;
    app = await startApp(appRoot, workerCountFrom(settings, options.workers ?? 1), {
      log,
      clock,
      inHost: (fn) => runInHost(hostDb, fn),
    });
    const runtime = invocationRuntime(app.registry, app.execute, log);
    // Each invocation starts from the host's own async context, not from whatever scheduled it (a
    // store write, a timer): in Azure a trigger runs in a process of its own, so nothing the caller
    // keeps in AsyncLocalStorage (the app's active trace, say) may leak into it.
    const detached = new AsyncResource('FunctionInvocation');
    const invoke: Invoker = (request) =>
      detached.runInAsyncScope(() => runInHost(hostDb, () => runtime.invoke(request)));
    const routes = buildHttpRoutes(app.registry);
    const keys = resolveHostKeys(options, settings);
    const easyAuth = new EasyAuth(usersFor(options, appRoot, settings));
    announceUsers(easyAuth.users, log);
    const services = options.services ?? defaultServices();
    const started: HostService[] = [];
    let markReady!: () => void;
    let markFailed!: (err: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    ready.catch(() => undefined);

    onRequest = createRequestHandler({
      registry: app.registry,
      routes,
      invoke,
      services: () => started,
      keys,
      log,
      ready,
      fallbackOrigin: () => baseUrl,
      durable,
      commitMark,
      bodyLimit,
      easyAuth,
    });

    const database = db;
    const context: HostContext = {
      registry: app.registry,
      invoke,
      provideInput: runtime.provideInput,
      consumeOutput: runtime.consumeOutput,
      db: database,
      durable,
      clock,
      log,
      settings,
      baseUrl,
      systemKey: keys.masterKey,
      devMode: keys.masterKey === undefined && keys.functionKeys.length === 0,
    };
    try {
      for (const service of services) {
        await service.start(context);
        started.push(service);
        // What a service put into the environment for the app (the topic's generated key) reaches the workers.
        app.updateEnvironment();
      }
    } catch (err) {
      markFailed(err);
      await stopServices(started.slice().reverse(), log);
      throw err;
    }
    markReady();
    // One warning at start naming what the app binds and nothing here serves (as Core Tools warns
    // about bindings whose extension is missing), instead of a surprise at the first invocation.
    const unserved = describeUnservedBindings(runtime.unservedBindings(), runtime.servedBindingTypes());
    if (unserved) log.warn(unserved);

    const httpServer = server;
    const running = app;
    let stopping: Promise<void> | undefined;
    const stop = async (): Promise<void> => {
      httpServer.close();
      httpServer.closeIdleConnections();
      await stopServices(started.splice(0).reverse(), log);
      // Calls still waiting for a worker fail now, while their callers can be answered.
      running.beginStop();
      await waitUntil(() => runtime.inFlight() === 0, 5_000);
      httpServer.closeAllConnections();
      try {
        await running.terminate();
      } catch (err) {
        log.error(`An appTerminate hook failed: ${describeError(err)}`);
      }
      stopCommits();
      database.close();
      walSync?.close();
      restoreEnv();
    };
    return {
      baseUrl,
      port,
      clock,
      db: database,
      registry: app.registry,
      invoke,
      settings,
      keys,
      httpFunctions: routes.routes.map((r) => ({
        functionName: r.functionName,
        methods: r.methods,
        authLevel: r.authLevel,
        url: `${baseUrl}/${r.path}`,
      })),
      stop: () => (stopping ??= stop()),
      addUser: (user) => easyAuth.addUser(user),
      workerThreadIds: () => running.workerThreadIds(),
      waitForIdle: async ({ timeoutMs = 10_000 } = {}) => {
        await waitForIdle(started, runtime.inFlight, timeoutMs);
        await durable();
      },
    };
  } catch (err) {
    if (server?.listening) {
      server.close();
      server.closeAllConnections();
    }
    await app?.stopWorkers();
    stopCommits();
    db?.close();
    walSync?.close();
    restoreEnv();
    throw err;
  }
}

/** The loaded app, wherever it runs: its registrations, its calls, its end. */
interface RunningApp {
  registry: AppRegistry;
  execute: FunctionExecutor;
  /** Runs the `appTerminate` hooks (in every worker) and ends the workers. */
  terminate(): Promise<void>;
  /** Ends the workers without the hooks (the host failed to start). */
  stopWorkers(): Promise<void>;
  /** Gives the workers what the host has added to its environment since they started. */
  updateEnvironment(): void;
  /** The host is stopping: calls waiting for a worker fail now. */
  beginStop(): void;
  /** The worker threads' ids; empty when the app runs in the host's thread. */
  workerThreadIds(): number[];
}

/**
 * Loads the app in this thread (`workers` 1, as before) or on `workers` worker threads, each
 * answered here when it calls the host's document store.
 */
async function startApp(
  appRoot: string,
  workers: number,
  host: { log: Logger; clock: Clock; inHost<T>(fn: () => T): T },
): Promise<RunningApp> {
  if (workers <= 1) {
    const app = await loadApp(appRoot);
    return {
      registry: app.registry,
      execute: withAppErrors(() => inProcessExecutor(app, host.log)),
      terminate: () => runAppHooks(app.capture, 'appTerminate', appRoot),
      stopWorkers: () => Promise.resolve(),
      updateEnvironment: () => undefined,
      beginStop: () => undefined,
      workerThreadIds: () => [],
    };
  }
  host.log.info(`The app runs on ${workers} worker threads (${WORKER_COUNT_SETTING}).`);
  const pool = await WorkerPool.start({
    appRoot,
    count: workers,
    log: host.log,
    now: () => host.clock.now(),
    virtualClock: !(host.clock instanceof RealClock),
    documents: () => localHostResources()?.documents,
    inHost: host.inHost,
  });
  return {
    registry: pool.registry,
    execute: pool.execute,
    terminate: () => pool.stop(),
    stopWorkers: () => pool.kill(),
    updateEnvironment: () => pool.updateEnvironment(),
    beginStop: () => pool.beginStop(),
    workerThreadIds: () => pool.threadIds(),
  };
}

function withAppErrors<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof LogLevelError) throw new AppLoadError(error.message, { cause: error });
    throw error;
  }
}

/**
 * Resolves once no invocation runs and every service is idle, twice across an event-loop turn (so
 * work queued by the last step is seen). Open HTTP requests do not count: a long poll would keep
 * the host "busy" forever.
 */
async function waitForIdle(
  services: readonly HostService[],
  inFlight: () => number,
  timeoutMs: number,
): Promise<void> {
  const idle = (): boolean => inFlight() === 0 && services.every((s) => s.isIdle?.() ?? true);
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; ; round++) {
    if (idle()) {
      await turn();
      if (idle()) return;
    }
    if (Date.now() > deadline) {
      const busy = services.filter((s) => !(s.isIdle?.() ?? true)).map((s) => s.name);
      throw new Error(
        `The host did not become idle within ${timeoutMs} ms (invocations running: ${inFlight()}, busy services: ${busy.join(', ') || 'none'}).`,
      );
    }
    // Most work (a timer's invocation, an episode) finishes within a few event-loop turns: check
    // every turn at first, then back off so a long wait does not spin a core.
    if (round < 64) await turn();
    else await sleep(2);
  }
}

/** The invocation runtime; a host.json it cannot apply (an unknown log level) is the app's mistake, said as such. */
function invocationRuntime(
  registry: AppRegistry,
  execute: FunctionExecutor,
  log: Logger,
): ReturnType<typeof createInvocationRuntime> {
  return withAppErrors(() => createInvocationRuntime(registry, execute, log));
}

/** Whether the environment already tells the app where its telemetry goes. */
function tracesConfigured(): boolean {
  return [
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    'APPLICATIONINSIGHTS_CONNECTION_STRING',
  ].some((name) => (process.env[name] ?? '') !== '');
}

/**
 * How the database syncs its commits: `FULL` (the default: a commit acknowledged is on disk, also
 * after a power cut) or `NORMAL` (`LOCAL_HOST_SQLITE_SYNCHRONOUS=NORMAL`, opt-in: faster, the
 * last commits may be lost if the machine itself goes down; a crash of the process loses nothing).
 * FULL is SQLite's `synchronous = FULL` made asynchronous: SQLite runs with NORMAL, and the group
 * commit syncs the write-ahead log on the thread pool ({@link WalFileSync}) before it answers
 * anyone, instead of SQLite syncing it inside COMMIT on the event loop.
 */
export const SQLITE_SYNCHRONOUS_SETTING = 'LOCAL_HOST_SQLITE_SYNCHRONOUS';

function synchronousFrom(settings: Readonly<Record<string, string | undefined>>): 'FULL' | 'NORMAL' {
  const value = (settings[SQLITE_SYNCHRONOUS_SETTING] ?? '').trim().toUpperCase();
  if (value === '' || value === 'FULL') return 'FULL';
  if (value === 'NORMAL') return 'NORMAL';
  throw new SettingsError(
    `${SQLITE_SYNCHRONOUS_SETTING} must be FULL (the default) or NORMAL, not ${JSON.stringify(settings[SQLITE_SYNCHRONOUS_SETTING])}.`,
  );
}

function openDatabase(
  options: HostOptions,
  appRoot: string,
  settings: Readonly<Record<string, string | undefined>>,
): { db: Database; walSync: WalFileSync | undefined } {
  const synchronous = synchronousFrom(settings);
  const dataFile =
    options.dataFile ?? path.join(path.resolve(appRoot, options.dataDir ?? DEFAULT_DATA_DIR), DATA_FILE_NAME);
  if (dataFile !== ':memory:') mkdirSync(path.dirname(path.resolve(dataFile)), { recursive: true });
  const db = new Database(dataFile);
  const journal = db.pragma('journal_mode = WAL', { simple: true });
  // FULL: the log is synced by the group commit, off the event loop (an in-memory database has none).
  let walSync: WalFileSync | undefined;
  try {
    walSync = synchronous === 'FULL' && journal === 'wal' ? WalFileSync.of(db) : undefined;
  } catch (error) {
    db.close();
    throw error;
  }
  db.pragma(`synchronous = ${walSync ? 'NORMAL' : synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return { db, walSync };
}

async function stopServices(services: HostService[], log: Logger): Promise<void> {
  for (const service of services) {
    try {
      await service.stop();
    } catch (err) {
      log.error(`Host service ${service.name} failed to stop: ${describeError(err)}`);
    }
  }
}

/** The host could not listen: the port is taken (EADDRINUSE), not allowed (EACCES) or the address is not this machine's. */
export class ListenError extends Error {
  constructor(
    readonly code: string,
    readonly port: number,
    readonly hostname: string,
    options?: { cause?: unknown },
  ) {
    super(ListenError.describe(code, port, hostname), options);
    this.name = 'ListenError';
  }

  private static describe(code: string, port: number, hostname: string): string {
    if (code === 'EADDRINUSE')
      return `Port ${port} on ${hostname} is already in use (EADDRINUSE): another host, or another program, listens there.`;
    if (code === 'EACCES')
      return `Port ${port} on ${hostname} needs privileges this process does not have (EACCES).`;
    if (code === 'EADDRNOTAVAIL') return `${hostname} is not an address of this machine (EADDRNOTAVAIL).`;
    return `The host could not listen on ${hostname}:${port} (${code}).`;
  }
}

function listen(server: Server, port: number, hostname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void =>
      reject(err.code ? new ListenError(err.code, port, hostname, { cause: err }) : err);
    server.once('error', onError);
    server.listen(port, hostname, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function formatHost(hostname: string): string {
  if (hostname === '0.0.0.0' || hostname === '::') return '127.0.0.1';
  return hostname.includes(':') ? `[${hostname}]` : hostname;
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(5);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function usersFor(
  options: HostOptions,
  appRoot: string,
  settings: Readonly<Record<string, string | undefined>>,
): LocalUsers | undefined {
  if (options.users === false) return undefined;
  if (options.users) return { users: options.users, file: '(host options)', example: false };
  return loadUsers(appRoot, settings.CARDFLOW_AUTH_FILE);
}

function announceUsers(users: LocalUsers | undefined, log: Logger): void {
  if (!users) return;
  const list = users.users.map((u) => `${u.id} (${u.roles.join(', ') || 'no roles'})`).join(', ');
  if (users.example) {
    log.info(
      `Easy Auth: no auth.local.json, so the example users of ${path.basename(users.file)} sign in: ${list}. ` +
        'Scripts send "Authorization: Bearer <token>" (tokens in that file); browsers sign in at /.auth/login/local.',
    );
  } else {
    log.info(`Easy Auth: ${users.users.length} user(s) from ${users.file}: ${list}.`);
  }
}
