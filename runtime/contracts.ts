/**
 * The seams between the parts of the local runtime. The host (runtime/host.ts) owns the HTTP server,
 * the SQLite database and the loaded app; each subsystem (durable backend, local document store and
 * its Cosmos DB trigger, local Event Grid topic) is a HostService started with a HostContext.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Database } from './sqlite';
import type { Clock } from './clock';

/** The worker protocol's typed data (a subset of the Functions RPC `TypedData` message). */
export interface RpcTypedData {
  string?: string | null;
  json?: string | null;
  bytes?: Uint8Array | null;
  stream?: Uint8Array | null;
  http?: unknown;
  int?: number | null;
  double?: number | null;
  collectionBytes?: unknown;
  collectionString?: unknown;
  collectionDouble?: unknown;
  collectionSint64?: unknown;
  modelBindingData?: unknown;
  collectionModelBindingData?: unknown;
}

export interface BindingInfo {
  type: string;
  direction: 'in' | 'out' | 'inout' | number;
  [key: string]: unknown;
}

/** One function the app registered through `@azure/functions-core` `registerFunction`. */
export interface FunctionRegistration {
  name: string;
  /** Binding name → binding metadata, as the library sent it (names carry random suffixes). */
  bindings: Record<string, BindingInfo>;
  /** The trigger binding's name and metadata (the one binding whose type ends in "Trigger"). */
  triggerName: string;
  trigger: BindingInfo;
  retryOptions?: unknown;
}

export interface AppRegistry {
  readonly appRoot: string;
  readonly hostJson: HostJson;
  readonly functions: ReadonlyMap<string, FunctionRegistration>;
  /** The registrations whose trigger binding has this type, e.g. 'httpTrigger', 'cosmosDBTrigger'. */
  byTriggerType(type: string): FunctionRegistration[];
}

export interface InvokeRequest {
  functionName: string;
  /** Data for the trigger binding. */
  triggerData: RpcTypedData;
  triggerMetadata?: Record<string, RpcTypedData>;
  /** Data for other input bindings, by binding name (see InputProvider for bindings filled by type). */
  inputs?: Record<string, RpcTypedData>;
  /** Correlates the log line of this invocation. */
  invocationId?: string;
  /**
   * The W3C trace context the invocation belongs to (the worker protocol's `RpcTraceContext`; the
   * app reads it as `InvocationContext.traceContext`). An HTTP trigger gets the request's `traceparent`.
   */
  traceContext?: { traceParent: string; traceState?: string };
}

export interface InvokeResult {
  /** The function's return value, converted as the worker does (`$return` binding). */
  returnValue?: RpcTypedData | null;
  /** Extra outputs by binding name. */
  outputData: Array<{ name: string; data: RpcTypedData | null | undefined }>;
}

/** Runs one function through the library's ProgrammingModel / InvocationModel. Rejects when the handler throws. */
export type Invoker = (request: InvokeRequest) => Promise<InvokeResult>;

/**
 * Supplies data for input bindings of a given type (e.g. 'durableClient') on every invocation;
 * `request` is the invocation's (an HTTP trigger's request URL carries the caller's Host).
 */
export type InputProvider = (
  binding: BindingInfo,
  fn: FunctionRegistration,
  request: InvokeRequest,
) => RpcTypedData;

/**
 * Receives what a function wrote to an output binding of a given type (e.g. 'eventGrid'), after the
 * function returned. Rejecting fails the invocation, as a failed output binding does in Azure.
 */
export type OutputConsumer = (
  output: { name: string; binding: BindingInfo; data: RpcTypedData | null | undefined },
  fn: FunctionRegistration,
) => Promise<void> | void;

export interface HostJson {
  version?: string;
  extensions?: {
    http?: { routePrefix?: string };
    durableTask?: {
      hubName?: string;
      maxConcurrentActivityFunctions?: number;
      maxConcurrentOrchestratorFunctions?: number;
      [key: string]: unknown;
    };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** What a log line is about, beside its text: `category`, `functionName`, `invocationId`, … (JSON logs show them). */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface HostContext {
  registry: AppRegistry;
  invoke: Invoker;
  /** Registers a provider for an input binding type; the invoker fills such bindings with it. */
  provideInput(bindingType: string, provider: InputProvider): void;
  /** Registers a consumer for an output binding type; the invoker hands it each such output. */
  consumeOutput(bindingType: string, consumer: OutputConsumer): void;
  /** The host's SQLite database (WAL). Each service keeps its tables under its own prefix. */
  db: Database;
  /**
   * Settles once everything written to `db` so far is committed to disk (the host groups commits:
   * see groupCommit.ts). Wait for it before telling anyone outside the process that work is done.
   */
  durable(): Promise<void>;
  clock: Clock;
  log: Logger;
  /** App settings: local.settings.json Values overlaid by the process environment. */
  settings: Readonly<Record<string, string | undefined>>;
  /** e.g. http://127.0.0.1:7071 — known once the server listens, before services start. */
  baseUrl: string;
  /**
   * The key the host's own `/runtime/...` routes require (the master key, standing in for Azure's
   * system keys); undefined in dev mode. Services put it as `code=` into the public URLs they hand out.
   */
  systemKey?: string;
  /** True when no key at all is configured (as Core Tools' development mode): development defaults apply. */
  devMode: boolean;
}

export interface HostService {
  readonly name: string;
  start(ctx: HostContext): Promise<void> | void;
  /** Stops background work; must not close the database (the host does). */
  stop(): Promise<void> | void;
  /** Serves a request if it is this service's; resolves true when handled. Called before app routes. */
  handle?(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** True when the service has no work in flight or due now (tests wait for all services to be idle). */
  isIdle?(): boolean;
}
