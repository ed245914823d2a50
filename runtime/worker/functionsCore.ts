/**
 * Our `@azure/functions-core`: the module the Azure Functions Node worker provides to apps at run
 * time (it is not an npm package). `@azure/functions` requires it to hand over its ProgrammingModel,
 * every function registration and its hooks. Under plain Node it is installed by `installCoreModule`
 * (runtime/worker/requireInterception.ts); under jest, `moduleNameMapper` maps the name to this file.
 *
 * The state here is process-wide (one per jest module registry), like the worker's: the library
 * calls `setProgrammingModel` once per process and caches this module. Registrations and hooks go to
 * the "app capture" of the app whose entry point is being required. Made while no app is loading
 * (a test imported an app module directly), they wait in a pending capture that the next app load
 * adopts, since that module will not run again when the app's entry point requires it.
 */
import { format } from 'node:util';

export type CoreLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';
export type CoreLogCategory = 'user' | 'system' | 'customMetric';

/** The metadata `@azure/functions` sends for a function (`toCoreFunctionMetadata`). */
export interface CoreFunctionMetadata {
  name: string;
  bindings: Record<string, CoreBindingInfo>;
  retryOptions?: unknown;
  functionId?: string;
  [key: string]: unknown;
}

export interface CoreBindingInfo {
  type: string;
  direction: 'in' | 'out' | 'inout';
  [key: string]: unknown;
}

export type FunctionCallback = (...args: unknown[]) => unknown;
export type HookCallback = (context: Record<string, unknown>) => unknown;
export type CoreHookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';

/** The library's ProgrammingModel as the worker sees it (see @azure/functions src/ProgrammingModel.ts). */
export interface CoreProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: CoreInvocationContext): CoreInvocationModel | Promise<CoreInvocationModel>;
  getCapabilities?(capabilities: Record<string, string>): Promise<Record<string, string>>;
}

export interface CoreInvocationContext {
  invocationId: string;
  metadata: CoreFunctionMetadata;
  request: CoreInvocationRequest;
  state?: 'preInvocationHooks' | 'postInvocationHooks' | 'invocation';
  log(level: CoreLogLevel, category: CoreLogCategory, message: string): void;
}

export interface CoreInvocationRequest {
  invocationId?: string;
  functionId?: string;
  inputData?: Array<{ name: string; data: unknown }>;
  triggerMetadata?: Record<string, unknown>;
  retryContext?: unknown;
  traceContext?: unknown;
}

export interface CoreInvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<CoreInvocationResponse>;
}

export interface CoreInvocationResponse {
  invocationId?: string;
  returnValue?: unknown;
  outputData?: Array<{ name?: string; data?: unknown }>;
}

/** What `registerFunction` and `registerHook` return; `dispose()` undoes the registration. */
export class Disposable {
  #callOnDispose?: () => void;

  /** Combines several disposables into one. */
  static from(...disposables: Array<{ dispose(): unknown }>): Disposable {
    return new Disposable(() => {
      for (const d of disposables) d.dispose();
    });
  }

  constructor(callOnDispose: () => void) {
    this.#callOnDispose = callOnDispose;
  }

  dispose(): void {
    const fn = this.#callOnDispose;
    this.#callOnDispose = undefined;
    fn?.();
  }
}

export interface RegisteredFunction {
  metadata: CoreFunctionMetadata;
  callback: FunctionCallback;
}

/** Everything one app registered while its entry point was loading (and hooks added later). */
export class AppCapture {
  readonly functions = new Map<string, RegisteredFunction>();
  readonly hooks: Record<CoreHookName, HookCallback[]> = {
    appStart: [],
    appTerminate: [],
    preInvocation: [],
    postInvocation: [],
    log: [],
  };
  /** Data shared by all hooks of the app (`appHookData`). */
  readonly appHookData: Record<string, unknown> = {};
  /** Data shared by the app-level hooks only (`hookData` of appStart / appTerminate). */
  readonly appLevelOnlyHookData: Record<string, unknown> = {};
  /** Closed once the entry point has loaded: later registrations are an error, as in the worker. */
  startupFinished = false;
  /** The programming model's capabilities were asked for (once per app, as the worker does at init). */
  capabilitiesChecked = false;
}

export type CoreLogSink = (level: CoreLogLevel, category: CoreLogCategory, message: string) => void;

const hookNames: readonly CoreHookName[] = [
  'appStart',
  'appTerminate',
  'preInvocation',
  'postInvocation',
  'log',
];

let programmingModel: CoreProgrammingModel | undefined;
/** Registrations made while no app is loading (a test imported an app module directly). */
let pending = new AppCapture();
/** The app whose entry point is being required. */
let loading: AppCapture | undefined;
let logSink: CoreLogSink | undefined;

/** The worker's version we claim to be; the library only checks that `log` exists. */
export const version = '3.10.1';
export const hostVersion = '4.1040.0';

export function setProgrammingModel(model: CoreProgrammingModel): void {
  // A second model of another class means a second copy of @azure/functions in the module tree:
  // objects of one copy then fail the other's instanceof checks (e.g. HttpResponse).
  if (programmingModel && programmingModel.constructor !== model.constructor) {
    logSink?.(
      'warning',
      'system',
      `A second copy of ${model.name} ${model.version} set its programming model; keep one copy of @azure/functions in the app (npm ls @azure/functions).`,
    );
  }
  programmingModel = model;
}

export function getProgrammingModel(): CoreProgrammingModel | undefined {
  return programmingModel;
}

export function registerFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback): Disposable {
  const app = loading ?? pending;
  if (app.startupFinished) throw new Error('A function can only be registered during app startup.');
  const name = metadata.name;
  if (!name) throw new Error('A function registration needs a name.');
  if (app.functions.has(name)) throw new Error(`A function named "${name}" is already registered.`);
  app.functions.set(name, { metadata, callback });
  return new Disposable(() => {
    if (app.startupFinished) throw new Error('A function can only be disposed during app startup.');
    app.functions.delete(name);
  });
}

export function registerHook(hookName: string, callback: HookCallback): Disposable {
  if (!hookNames.includes(hookName as CoreHookName)) {
    // Same signal as the worker, so the library's `app.hook.log` error translation applies.
    const error = new RangeError(`Unrecognized hook "${hookName}"`) as RangeError & {
      isAzureFunctionsSystemError: boolean;
    };
    error.isAzureFunctionsSystemError = true;
    throw error;
  }
  const app = loading ?? pending;
  const list = app.hooks[hookName as CoreHookName];
  list.push(callback);
  return new Disposable(() => {
    const i = list.indexOf(callback);
    if (i >= 0) list.splice(i, 1);
  });
}

/** System logs of the library (`workerSystemLog`). */
export function log(level: CoreLogLevel, category: CoreLogCategory, ...args: unknown[]): void {
  const message = format(...args);
  if (logSink) logSink(level, category, message);
}

// ---- host side (not part of the worker's public API) -------------------------------------------

/**
 * Starts collecting the registrations of one app (its entry point is about to be required). The
 * app adopts what was registered while no app was loading.
 */
export function beginAppLoad(app: AppCapture): void {
  for (const [name, fn] of pending.functions) if (!app.functions.has(name)) app.functions.set(name, fn);
  for (const name of hookNames) app.hooks[name].push(...pending.hooks[name]);
  pending = new AppCapture();
  loading = app;
}

/** Ends the app's startup: disposing its registrations now throws, as in the worker. */
export function endAppLoad(app: AppCapture): void {
  app.startupFinished = true;
  if (loading === app) loading = undefined;
}

/** Where the library's system log lines go (the most recently started host). */
export function setLogSink(sink: CoreLogSink | undefined): void {
  logSink = sink;
}
