import * as core from './functionsCore';
import { AppCapture } from './functionsCore';

const metadata = (name: string): core.CoreFunctionMetadata => ({
  name,
  bindings: { trigger1: { type: 'httpTrigger', direction: 'in' } },
});
const handler = (): undefined => undefined;

describe('@azure/functions-core stand-in', () => {
  test('collects registrations into the loading app, and a disposable removes one during startup', () => {
    const app = new AppCapture();
    core.beginAppLoad(app);
    core.registerFunction(metadata('a'), handler);
    const b = core.registerFunction(metadata('b'), handler);
    b.dispose();
    core.endAppLoad(app);
    expect([...app.functions.keys()]).toEqual(['a']);
  });

  test('refuses duplicate names, and disposing after startup, like the worker', () => {
    const app = new AppCapture();
    core.beginAppLoad(app);
    const a = core.registerFunction(metadata('a'), handler);
    expect(() => core.registerFunction(metadata('a'), handler)).toThrow('already registered');
    core.endAppLoad(app);
    expect(() => a.dispose()).toThrow('only be disposed during app startup');
  });

  test('keeps what is registered while no app loads for the next app that loads', () => {
    core.registerFunction(metadata('importedEarly'), handler);
    core.registerHook('appStart', () => undefined);
    const app = new AppCapture();
    core.beginAppLoad(app);
    core.registerFunction(metadata('fromEntryPoint'), handler);
    core.endAppLoad(app);
    expect([...app.functions.keys()]).toEqual(['importedEarly', 'fromEntryPoint']);
    expect(app.hooks.appStart).toHaveLength(1);
    const next = new AppCapture();
    core.beginAppLoad(next);
    core.endAppLoad(next);
    expect(next.functions.size).toBe(0);
  });

  test('keeps hooks per kind and rejects an unknown hook name the way the library expects', () => {
    const app = new AppCapture();
    core.beginAppLoad(app);
    const hook = core.registerHook('preInvocation', () => undefined);
    expect(app.hooks.preInvocation).toHaveLength(1);
    hook.dispose();
    expect(app.hooks.preInvocation).toHaveLength(0);
    expect(() => core.registerHook('onSomething', () => undefined)).toThrow(RangeError);
    core.endAppLoad(app);
  });

  test('sends the library’s system logs to the sink', () => {
    const lines: string[] = [];
    core.setLogSink((level, category, message) => lines.push(`${level}/${category}: ${message}`));
    core.log('warning', 'system', 'careful %d', 3);
    core.setLogSink(undefined);
    expect(lines).toEqual(['warning/system: careful 3']);
  });

  test('warns when a second copy of the library sets another programming model', () => {
    class ModelA {
      name = '@azure/functions';
      version = '4.0.0';
      getInvocationModel(): never {
        throw new Error('unused');
      }
    }
    class ModelB extends ModelA {}
    const lines: string[] = [];
    core.setLogSink((_level, _category, message) => lines.push(message));
    core.setProgrammingModel(new ModelA());
    core.setProgrammingModel(new ModelA());
    expect(lines).toEqual([]);
    core.setProgrammingModel(new ModelB());
    core.setLogSink(undefined);
    expect(lines).toEqual([expect.stringContaining('keep one copy of @azure/functions')]);
  });
});
