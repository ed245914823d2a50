import fc from 'fast-check';
import {
  BatchRunner,
  EntityOperation,
  entityInstanceId,
  executeOperations,
  parseEntityInstanceId,
  responseMessage,
} from './entities';

/**
 * A runner that behaves as the SDK's entity executor does for a counter: it applies a whole batch to
 * one state, records a failed operation's result but keeps its partial state change (the SDK has no
 * per-operation rollback), and collects signals of every operation, failed ones included.
 */
const counterRunner =
  (invocations: { count: number }): BatchRunner =>
  (start, ops) => {
    invocations.count++;
    let state = start.state === null ? 0 : (JSON.parse(start.state) as number);
    const results = ops.map((op) => {
      const { add, fail } = JSON.parse(op.input ?? '{}') as { add: number; fail: boolean };
      state += add;
      return fail ? { isError: true, result: JSON.stringify(`refused ${add}`) } : { isError: false };
    });
    return Promise.resolve({
      entityExists: true,
      entityState: JSON.stringify(state),
      results,
      signals: ops.map((op) => ({ target: { name: 'log', key: String(op.seq) }, name: 'note', input: '' })),
    });
  };

const op = (seq: number, add: number, fail: boolean): EntityOperation => ({
  seq,
  entityId: '@counter@k',
  operation: 'add',
  input: JSON.stringify({ add, fail }),
  isSignal: true,
  requestId: null,
  parentInstanceId: null,
  parentExecutionId: null,
  dequeueCount: 0,
});

describe('executeOperations', () => {
  test('ends in the state of the successful operations alone, with only their signals, whatever fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -50, max: 50 }),
        fc.array(fc.record({ add: fc.integer({ min: -20, max: 20 }), fail: fc.boolean() }), {
          minLength: 1,
          maxLength: 12,
        }),
        async (initial, specs) => {
          const invocations = { count: 0 };
          const ops = specs.map((s, i) => op(i + 1, s.add, s.fail));
          const outcome = await executeOperations(
            counterRunner(invocations),
            { exists: true, state: JSON.stringify(initial) },
            ops,
          );
          const succeeded = specs.filter((s) => !s.fail);
          expect(JSON.parse(outcome.state ?? 'null')).toBe(
            initial + succeeded.reduce((sum, s) => sum + s.add, 0),
          );
          expect(outcome.results.map((r) => r.isError)).toEqual(specs.map((s) => s.fail));
          expect(outcome.signals.map((s) => Number(s.target.key))).toEqual(
            ops.filter((_, i) => !specs[i].fail).map((o) => o.seq),
          );
          // One invocation when nothing fails; otherwise the batch, then one per operation (or just the one).
          const expected = specs.every((s) => !s.fail) ? 1 : specs.length === 1 ? 1 : 1 + specs.length;
          expect(invocations.count).toBe(expected);
        },
      ),
    );
  });
});

describe('entity ids and messages', () => {
  test('ids lower-case the name and keep the key as given, both ways', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,10}$/),
        fc.string({ minLength: 1 }),
        (name, key) => {
          const id = entityInstanceId(name, key);
          expect(id).toBe(`@${name.toLowerCase()}@${key}`);
          expect(parseEntityInstanceId(id)).toEqual({ name: name.toLowerCase(), key });
        },
      ),
    );
    expect(parseEntityInstanceId('plain-instance')).toBeUndefined();
  });

  test('a response carries the result text and marks errors for the SDK', () => {
    expect(JSON.parse(responseMessage({ isError: false, result: '15' }))).toEqual({ result: '15' });
    expect(JSON.parse(responseMessage({ isError: false }))).toEqual({});
    expect(JSON.parse(responseMessage({ isError: true, result: '"no"' }))).toEqual({
      result: '"no"',
      exceptionType: 'Error',
    });
  });
});
