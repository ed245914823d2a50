/**
 * An object (a document container, a store port) that writes down the name of each method called
 * on it, for tests that count what an operation costs in store calls; `before` can run something
 * just before a call of a method reaches it (once per entry), to land another writer in between.
 * Every method of the wrapped object becomes async.
 */
export interface Counted<T> {
  subject: T;
  /** The methods called, in order; the test may empty it. */
  calls: string[];
  /** Runs once, before the next call of that method reaches the wrapped object. */
  before: Partial<Record<string, () => Promise<void>>>;
}

export function counted<T extends object>(inner: T): Counted<T> {
  const result: Counted<T> = { subject: inner, calls: [], before: {} };
  result.subject = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const name = String(property);
        const hook = result.before[name];
        if (hook) {
          delete result.before[name];
          await hook();
        }
        result.calls.push(name);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return result;
}
