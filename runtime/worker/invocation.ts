/**
 * The app's side of an invocation, exactly as the Node worker's InvocationHandler makes it: through
 * the library's ProgrammingModel → InvocationModel (getArguments, preInvocation hooks,
 * invokeFunction, postInvocation hooks, getResponse), so every conversion is the library's own.
 * It runs where the app is loaded: in the host's thread, or on one of its worker threads
 * (`workerThread.ts`); the host's side (`invoker.ts`) fills the inputs and delivers the outputs.
 */
import { logLevelFilter, type LogLevelFilter } from '../logLevels';
import type { InvokeResult, Logger, RpcTypedData } from '../contracts';
import type {
  AppCapture,
  CoreInvocationContext,
  CoreLogCategory,
  CoreLogLevel,
  CoreLogSink,
} from './functionsCore';
import type { LoadedApp } from './loadApp';

/** The function named in an InvokeRequest is not registered. */
export class UnknownFunctionError extends Error {
  constructor(functionName: string) {
    super(`No function named "${functionName}" is registered.`);
    this.name = 'UnknownFunctionError';
  }
}

/** One call of a function as the worker protocol's InvocationRequest carries it: every input filled. */
export interface InvocationCall {
  functionName: string;
  invocationId: string;
  /** The trigger's data first, then every other input binding's. */
  inputData: Array<{ name: string; data: RpcTypedData }>;
  triggerMetadata?: Record<string, RpcTypedData>;
  traceContext?: { traceParent: string; traceState?: string };
}

/** Makes one call of the app's function; rejects with what the function threw. Outputs are not delivered. */
export type FunctionExecutor = (call: InvocationCall) => Promise<InvokeResult>;

/** Where `@azure/functions-core`'s own log lines go (its warnings and errors; the rest is not shown). */
export function coreLogSink(log: Logger): CoreLogSink {
  return (level, _category, message) => {
    if (level === 'warning') log.warn(message);
    else if (level === 'error' || level === 'critical') log.error(message);
  };
}

/** The executor of an app loaded in this thread; its log lines (and the app's) go to `log`. */
export function inProcessExecutor(app: LoadedApp, log: Logger): FunctionExecutor {
  const allows = logLevelFilter(app.registry.hostJson.logging);
  return (call) => execute(app, allows, log, call);
}

async function execute(
  app: LoadedApp,
  allows: LogLevelFilter,
  log: Logger,
  call: InvocationCall,
): Promise<InvokeResult> {
  const registered = app.capture.functions.get(call.functionName);
  if (!registered) throw new UnknownFunctionError(call.functionName);
  const { functionName, invocationId } = call;
  // The library's InvocationContext, for log hooks (it exists once getArguments has run).
  const current: { context?: unknown } = {};
  const coreCtx: CoreInvocationContext = {
    invocationId,
    metadata: registered.metadata,
    request: {
      invocationId,
      functionId: functionName,
      inputData: call.inputData,
      triggerMetadata: call.triggerMetadata,
      traceContext: call.traceContext && { attributes: {}, ...call.traceContext },
    },
    log: (level, category, message) =>
      emitLog(
        app.capture,
        log,
        allows,
        { functionName, invocationId },
        level,
        category,
        message,
        current.context,
      ),
  };
  const model = await app.programmingModel.getInvocationModel(coreCtx);
  const hookData: Record<string, unknown> = {};
  const args = await model.getArguments();
  current.context = args.context;

  const pre = {
    hookData,
    appHookData: app.capture.appHookData,
    invocationContext: args.context,
    functionCallback: registered.callback,
    inputs: args.inputs,
  };
  coreCtx.state = 'preInvocationHooks';
  try {
    for (const hook of [...app.capture.hooks.preInvocation]) await hook(pre);
  } finally {
    coreCtx.state = undefined;
  }

  const post = {
    hookData,
    appHookData: app.capture.appHookData,
    invocationContext: args.context,
    inputs: pre.inputs,
    result: null as unknown,
    error: null as unknown,
  };
  coreCtx.state = 'invocation';
  try {
    post.result = await model.invokeFunction(args.context, pre.inputs, pre.functionCallback);
  } catch (err) {
    post.error = err;
  } finally {
    coreCtx.state = undefined;
  }
  coreCtx.state = 'postInvocationHooks';
  try {
    for (const hook of [...app.capture.hooks.postInvocation]) await hook(post);
  } finally {
    coreCtx.state = undefined;
  }
  if (post.error !== null && post.error !== undefined) throw post.error;

  const response = await model.getResponse(args.context, post.result);
  const outputData = (response.outputData ?? []).map((o) => ({
    name: o.name ?? '',
    data: o.data as RpcTypedData | null | undefined,
  }));
  return { returnValue: response.returnValue as RpcTypedData | null | undefined, outputData };
}

/** Runs the app's log hooks (synchronously, like the worker), then writes the line unless a hook muted it or host.json filters it. */
function emitLog(
  capture: AppCapture,
  log: Logger,
  allows: LogLevelFilter,
  invocation: { functionName: string; invocationId: string },
  level: CoreLogLevel,
  category: CoreLogCategory,
  message: string,
  invocationContext: unknown,
): void {
  const entry = {
    hookData: {},
    appHookData: capture.appHookData,
    level,
    category,
    message,
    invocationContext,
  };
  for (const hook of capture.hooks.log) hook(entry);
  // A function's own lines are the category `Function.<name>.User`, as in Azure.
  const logCategory = `Function.${invocation.functionName}${category === 'user' ? '.User' : ''}`;
  if (!allows(logCategory, entry.level)) return;
  const line = `[Functions.${invocation.functionName}] ${entry.message}`;
  const fields = { category: logCategory, ...invocation };
  if (entry.level === 'error' || entry.level === 'critical') log.error(line, fields);
  else if (entry.level === 'warning') log.warn(line, fields);
  else log.info(line, fields);
}
