/**
 * A document container that writes down the name of each method called on it, for tests that
 * count what an operation costs in store calls; `before` can run something just before a call
 * of a method reaches the store (once per entry), to land another writer in between.
 */
import type { DocumentContainer } from '../container';

export interface CountedContainer {
  container: DocumentContainer;
  /** The methods called, in order; the test may empty it. */
  calls: string[];
  /** Runs once, before the next call of that method reaches the store. */
  before: Partial<Record<string, () => Promise<void>>>;
}

export function countedContainer(inner: DocumentContainer): CountedContainer {
  const counted: CountedContainer = { container: inner, calls: [], before: {} };
  counted.container = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const name = String(property);
        const hook = counted.before[name];
        if (hook) {
          delete counted.before[name];
          await hook();
        }
        counted.calls.push(name);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return counted;
}
