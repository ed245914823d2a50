import type { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { ROOT_CONTEXT, createContextKey } from '@opentelemetry/api';
import { SHARED_SCOPE, SharedScopeContextManager } from './sharedScope';

const KEY = createContextKey('test value');
const OTHER_SLOT = Symbol.for('test.another-user-of-the-storage');
const withValue = (value: string) => ROOT_CONTEXT.setValue(KEY, value);
const tick = () => new Promise((resolve) => setImmediate(resolve));

let manager: SharedScopeContextManager;

beforeEach(() => {
  manager = new SharedScopeContextManager().enable();
});

afterEach(() => {
  manager.disable();
});

function storage(): AsyncLocalStorage<Record<symbol, unknown>> {
  return (globalThis as Record<symbol, unknown>)[Symbol.for(SHARED_SCOPE)] as AsyncLocalStorage<
    Record<symbol, unknown>
  >;
}

test('carries the active context through awaits and nested calls, and restores the outer one', async () => {
  expect(manager.active()).toBe(ROOT_CONTEXT);
  await manager.with(withValue('outer'), async () => {
    await tick();
    expect(manager.active().getValue(KEY)).toBe('outer');
    await manager.with(withValue('inner'), async () => {
      await tick();
      expect(manager.active().getValue(KEY)).toBe('inner');
    });
    expect(manager.active().getValue(KEY)).toBe('outer');
  });
  expect(manager.active()).toBe(ROOT_CONTEXT);
});

test('keeps the context in the shared storage, beside what others keep there', async () => {
  await storage().run({ [OTHER_SLOT]: 'host A' }, () =>
    manager.with(withValue('trace'), async () => {
      await tick();
      const store = storage().getStore();
      expect(store?.[OTHER_SLOT]).toBe('host A');
      expect(store?.[Symbol.for('opentelemetry.context')]).toBe(manager.active());
      // Another user's nested scope keeps the trace context.
      await storage().run({ ...storage().getStore(), [OTHER_SLOT]: 'host B' }, async () => {
        await tick();
        expect(manager.active().getValue(KEY)).toBe('trace');
      });
    }),
  );
});

test('passes this and the arguments through', () => {
  const target = { factor: 3 };
  const result = manager.with(
    withValue('x'),
    function (this: typeof target, n: number) {
      return this.factor * n;
    },
    target,
    7,
  );
  expect(result).toBe(21);
});

test('binds functions and event emitters to a context', async () => {
  const bound = manager.bind(withValue('bound'), () => manager.active().getValue(KEY));
  expect(bound()).toBe('bound');
  const emitter = manager.bind(withValue('emitter'), new EventEmitter());
  const seen = new Promise((resolve) => emitter.on('x', () => resolve(manager.active().getValue(KEY))));
  manager.with(withValue('elsewhere'), () => emitter.emit('x'));
  expect(await seen).toBe('emitter');
});

test('attach makes a context active until disposed', () => {
  storage().run({ [OTHER_SLOT]: 'kept' }, () => {
    const token = manager.attach(withValue('attached'));
    expect(manager.active().getValue(KEY)).toBe('attached');
    token.dispose();
    token.dispose();
    expect(manager.active()).toBe(ROOT_CONTEXT);
    expect(storage().getStore()?.[OTHER_SLOT]).toBe('kept');
  });
});

test('disabled, it carries nothing and leaves the other slots alone', () => {
  manager.disable();
  storage().run({ [OTHER_SLOT]: 'kept' }, () => {
    expect(manager.with(withValue('ignored'), () => manager.active())).toBe(ROOT_CONTEXT);
    expect(storage().getStore()?.[OTHER_SLOT]).toBe('kept');
  });
});
