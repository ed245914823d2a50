/**
 * The host's side of an invocation: the inputs services provide by binding type, the call to the
 * app (in this thread, or on a worker thread: see `FunctionExecutor`), the outputs handed to their
 * consumers, the `Executed ...` log line and the count of invocations in flight. The call itself
 * (`invocation.ts`) goes exactly as the Node worker's InvocationHandler goes.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { logLevelFilter } from '../logLevels';
import type {
  AppRegistry,
  BindingInfo,
  FunctionRegistration,
  InputProvider,
  InvokeRequest,
  InvokeResult,
  Invoker,
  Logger,
  OutputConsumer,
  RpcTypedData,
} from '../contracts';
import { UnknownFunctionError, type FunctionExecutor } from './invocation';

export { UnknownFunctionError } from './invocation';

export interface InvocationRuntime {
  invoke: Invoker;
  provideInput(bindingType: string, provider: InputProvider): void;
  consumeOutput(bindingType: string, consumer: OutputConsumer): void;
  /** Invocations started and not yet finished. */
  inFlight(): number;
  /**
   * The bindings of the app no one serves: outputs (other than `http`) whose type has no consumer,
   * inputs (other than the trigger) whose type has no provider. Read once the services have
   * registered theirs; the invocations then say nothing more about these.
   */
  unservedBindings(): UnservedBinding[];
  /** The binding types served now: inputs with a provider, outputs with a consumer (and `http`). */
  servedBindingTypes(): ServedBindingTypes;
}

export interface ServedBindingTypes {
  inputs: string[];
  outputs: string[];
}

/** A binding of the app that the host neither fills (input) nor delivers (output). */
export interface UnservedBinding {
  functionName: string;
  bindingName: string;
  type: string;
  direction: 'in' | 'out';
}

/** One line naming every binding the host does not serve, e.g. for the start's warning. */
export function describeUnservedBindings(
  bindings: readonly UnservedBinding[],
  served: ServedBindingTypes,
): string | undefined {
  const outputs = bindings.filter((b) => b.direction === 'out');
  const inputs = bindings.filter((b) => b.direction === 'in');
  const list = (items: UnservedBinding[]): string =>
    items.map((b) => `${b.functionName}: "${b.bindingName}" (${b.type})`).join(', ');
  const parts: string[] = [];
  if (outputs.length > 0)
    parts.push(`The local host drops the data of these output bindings: ${list(outputs)}.`);
  if (inputs.length > 0) parts.push(`The local host leaves these input bindings empty: ${list(inputs)}.`);
  if (parts.length === 0) return undefined;
  const names = (types: string[]): string => (types.length > 0 ? types.join(', ') : 'none');
  return (
    `${parts.join(' ')} Served here: outputs ${names(served.outputs)}; inputs ${names(served.inputs)} ` +
    '(runtime/README.md, "Bindings").'
  );
}

/** The runtime of the app whose functions are `registry`'s, each call made by `execute`. */
export function createInvocationRuntime(
  registry: AppRegistry,
  execute: FunctionExecutor,
  log: Logger,
): InvocationRuntime {
  const allows = logLevelFilter(registry.hostJson.logging);
  const providers = new Map<string, InputProvider>();
  const consumers = new Map<string, OutputConsumer>();
  const warnedBindings = new Set<string>();
  // The served types as their services spelled them (the maps above are keyed in lower case).
  const typeNames = { inputs: new Map<string, string>(), outputs: new Map<string, string>() };
  let running = 0;

  const warnOnce = (key: string, message: string): void => {
    if (warnedBindings.has(key)) return;
    warnedBindings.add(key);
    log.warn(message);
  };

  /** The trigger data, then every other input: given in the request, else from the provider for its type. */
  function collectInputs(
    request: InvokeRequest,
    fn: FunctionRegistration,
  ): Array<{ name: string; data: RpcTypedData }> {
    const inputData = [{ name: fn.triggerName, data: request.triggerData }];
    for (const [name, binding] of Object.entries(fn.bindings)) {
      if (name === fn.triggerName || binding.direction !== 'in') continue;
      const given = request.inputs?.[name];
      const provider = providers.get(binding.type.toLowerCase());
      if (given) inputData.push({ name, data: given });
      else if (provider) inputData.push({ name, data: provider(binding, fn, request) });
      else
        warnOnce(
          `${fn.name}/${name}`,
          `Function "${fn.name}": no local provider for input binding "${name}" of type "${binding.type}"; it is left empty.`,
        );
    }
    return inputData;
  }

  /** Inputs in, the app's call, outputs out. */
  async function run(
    request: InvokeRequest,
    fn: FunctionRegistration,
    invocationId: string,
  ): Promise<InvokeResult> {
    const result = await execute({
      functionName: fn.name,
      invocationId,
      inputData: collectInputs(request, fn),
      triggerMetadata: request.triggerMetadata,
      traceContext: request.traceContext,
    });
    await deliverOutputs(fn, result.outputData, result.returnValue);
    return result;
  }

  async function deliverOutputs(
    fn: FunctionRegistration,
    outputData: InvokeResult['outputData'],
    returnValue: RpcTypedData | null | undefined,
  ): Promise<void> {
    const outputs: Array<{ name: string; binding: BindingInfo; data: RpcTypedData | null | undefined }> = [];
    for (const o of outputData) {
      const binding = fn.bindings[o.name];
      if (binding) outputs.push({ name: o.name, binding, data: o.data });
    }
    const ret = fn.bindings.$return;
    if (ret && returnValue !== undefined) outputs.push({ name: '$return', binding: ret, data: returnValue });
    for (const output of outputs) {
      const type = output.binding.type.toLowerCase();
      // HTTP responses go back to the caller, not to a consumer.
      if (type === 'http') continue;
      const consumer = consumers.get(type);
      if (consumer) await consumer(output, fn);
      else
        warnOnce(
          `${fn.name}/${output.name}`,
          `Function "${fn.name}": no local consumer for output binding "${output.name}" of type "${output.binding.type}"; its data is dropped.`,
        );
    }
  }

  const invoke: Invoker = async (request) => {
    const fn = registry.functions.get(request.functionName);
    if (!fn) throw new UnknownFunctionError(request.functionName);
    const invocationId = request.invocationId ?? randomUUID();
    const started = performance.now();
    running++;
    const category = `Function.${fn.name}`;
    try {
      const result = await run(request, fn, invocationId);
      const durationMs = elapsed(started);
      if (allows(category, 'information'))
        log.info(
          `Executed 'Functions.${fn.name}' (Succeeded, Id=${invocationId}, Duration=${durationMs}ms)`,
          {
            category,
            functionName: fn.name,
            invocationId,
            durationMs,
            succeeded: true,
          },
        );
      return result;
    } catch (err) {
      const durationMs = elapsed(started);
      if (allows(category, 'error'))
        log.error(
          `Executed 'Functions.${fn.name}' (Failed, Id=${invocationId}, Duration=${durationMs}ms): ${describeError(err)}`,
          { category, functionName: fn.name, invocationId, durationMs, succeeded: false },
        );
      throw err;
    } finally {
      running--;
    }
  };

  return {
    invoke,
    provideInput(bindingType, provider) {
      providers.set(bindingType.toLowerCase(), provider);
      typeNames.inputs.set(bindingType.toLowerCase(), bindingType);
    },
    consumeOutput(bindingType, consumer) {
      consumers.set(bindingType.toLowerCase(), consumer);
      typeNames.outputs.set(bindingType.toLowerCase(), bindingType);
    },
    inFlight: () => running,
    unservedBindings() {
      const unserved: UnservedBinding[] = [];
      for (const fn of registry.functions.values()) {
        for (const [name, binding] of Object.entries(fn.bindings)) {
          const type = binding.type.toLowerCase();
          const served =
            name === fn.triggerName ||
            type === 'http' ||
            (binding.direction === 'in' ? providers.has(type) : consumers.has(type));
          if (served || (binding.direction !== 'in' && binding.direction !== 'out')) continue;
          warnedBindings.add(`${fn.name}/${name}`);
          unserved.push({
            functionName: fn.name,
            bindingName: name,
            type: binding.type,
            direction: binding.direction,
          });
        }
      }
      return unserved;
    },
    servedBindingTypes: () => ({
      inputs: [...typeNames.inputs.values()],
      outputs: ['http', ...typeNames.outputs.values()],
    }),
  };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** One line for a log: the error's message (its name when it is not a plain Error). */
export function describeError(err: unknown): string {
  if (err instanceof Error)
    return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}
