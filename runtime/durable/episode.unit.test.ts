import fc from 'fast-check';
import { Action, ActionType, flattenActions, OrchestratorState } from './actions';
import { interpretState, newBook, prepareEpisode, retryDelay, unconsumedEvents } from './episode';
import { EventType, historyEvent, HistoryEvent } from './historyEvents';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const DAY = 24 * 60 * 60 * 1000;
const ctx = (now: number) => ({ instanceId: 'i', now });
const state = (actions: Action[], isDone = false, output?: unknown): OrchestratorState => ({
  isDone,
  actions: [actions],
  output,
  schemaVersion: 2,
});
const activity = (name: string, input?: unknown): Action => ({
  actionType: ActionType.CallActivity,
  functionName: name,
  input,
});
const withRetry = (name: string, maxNumberOfAttempts: number): Action => ({
  actionType: ActionType.CallActivityWithRetry,
  functionName: name,
  retryOptions: { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts, backoffCoefficient: 2 },
});
const timer = (fireAt: number, isCanceled = false): Action => ({
  actionType: ActionType.CreateTimer,
  fireAt: new Date(fireAt).toISOString(),
  isCanceled,
});
const types = (events: HistoryEvent[]) => events.map((e) => [e.EventType, e.EventId]);

describe('flattenActions', () => {
  type Tree = { leaf: number } | { all: Tree[] } | { any: Tree[] };
  const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ leaf: fc.nat() }),
      fc.record({ all: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ any: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
    ),
  })).node;
  const toAction = (t: Tree): Action =>
    'leaf' in t
      ? activity(`a${t.leaf}`)
      : {
          actionType: 'all' in t ? ActionType.WhenAll : ActionType.WhenAny,
          compoundActions: ('all' in t ? t.all : t.any).map(toAction),
        };
  const leavesOf = (t: Tree): number[] =>
    'leaf' in t ? [t.leaf] : ('all' in t ? t.all : t.any).flatMap(leavesOf);

  test('yields the leaves depth-first in order, without the compound nodes', () => {
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 5 }), (trees) => {
        const flat = flattenActions([trees.map(toAction)]);
        expect(flat.map((a) => a.functionName)).toEqual(trees.flatMap(leavesOf).map((n) => `a${n}`));
      }),
    );
  });
});

describe('retryDelay', () => {
  test('grows by the backoff coefficient from the first interval', () => {
    const policy = { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 5, backoffCoefficient: 2 };
    expect([1, 2, 3, 4].map((attempt) => retryDelay(policy, attempt))).toEqual([1000, 2000, 4000, 8000]);
  });

  test('never decreases and never exceeds the maximum interval', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60_000 }),
        fc.double({ min: 1, max: 5, noNaN: true }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.integer({ min: 1, max: 20 }),
        (first, coefficient, max, attempt) => {
          const policy = {
            firstRetryIntervalInMilliseconds: first,
            maxNumberOfAttempts: 30,
            backoffCoefficient: coefficient,
            maxRetryIntervalInMilliseconds: max,
          };
          expect(retryDelay(policy, attempt)).toBeLessThanOrEqual(max);
          expect(retryDelay(policy, attempt + 1)).toBeGreaterThanOrEqual(retryDelay(policy, attempt));
        },
      ),
    );
  });
});

describe('unconsumedEvents', () => {
  test('keeps, per name and in order, the events beyond the waits for that name', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c')),
        fc.record({ a: fc.nat(4), b: fc.nat(4), c: fc.nat(4) }),
        (names, waits) => {
          const book = { ...newBook(), waitsByName: waits };
          const events = names.map((name, i) => historyEvent.eventRaised(T0, name, String(i)));
          const carried = unconsumedEvents(book, events);
          for (const name of ['a', 'b', 'c'] as const) {
            const raised = events.filter((e) => e.Name === name);
            expect(carried.filter((e) => e.Name === name)).toEqual(
              raised.slice(Math.min(waits[name], raised.length)),
            );
          }
          expect(carried.map((e) => Number(e.Input))).toEqual(
            [...carried.map((e) => Number(e.Input))].sort((x, y) => x - y),
          );
        },
      ),
    );
  });
});

describe('an episode', () => {
  test('numbers new actions in order; waits and continueAsNew take no id', () => {
    const book = newBook();
    const { effects, outcome } = interpretState(
      book,
      state([
        activity('A', '"x"'),
        { actionType: ActionType.WaitForExternalEvent, externalEventName: 'E' },
        { actionType: ActionType.WhenAll, compoundActions: [activity('B', 1), timer(T0 + 5000)] },
      ]),
      ctx(T0),
    );
    expect(outcome).toEqual({ kind: 'running' });
    expect(types(effects.history)).toEqual([
      [EventType.TaskScheduled, 0],
      [EventType.TaskScheduled, 1],
      [EventType.TimerCreated, 2],
    ]);
    expect(effects.activities).toEqual([
      { taskId: 0, name: 'A', input: '"x"' },
      { taskId: 1, name: 'B', input: '1' },
    ]);
    expect(effects.timers).toEqual([{ taskId: 2, fireAt: T0 + 5000 }]);
    expect(book).toMatchObject({ nextTaskId: 3, actionCount: 4, waitsByName: { E: 1 } });
  });

  test('a failed retried activity gets a retry timer, then its next attempt, before new actions', () => {
    const book = newBook();
    interpretState(book, state([withRetry('Flaky', 2)]), ctx(T0));
    const failed = historyEvent.taskFailed(T0 + 10, 0, { Reason: 'r', Details: 'd' });
    const first = prepareEpisode(book, [failed], ctx(T0 + 10));
    expect(types(first.effects.history)).toEqual([[EventType.TimerCreated, 1]]);
    expect(first.effects.timers).toEqual([{ taskId: 1, fireAt: T0 + 10 + 1000 }]);

    const fired = prepareEpisode(book, [historyEvent.timerFired(T0 + 1010, 1, T0 + 1010)], ctx(T0 + 1010));
    expect(fired.effects.activities).toEqual([{ taskId: 2, name: 'Flaky', input: null }]);

    // The last attempt fails too: a timer still follows (the SDK waits for it before throwing)...
    const last = prepareEpisode(
      book,
      [historyEvent.taskFailed(T0 + 1020, 2, { Reason: 'r', Details: 'd' })],
      ctx(T0 + 1020),
    );
    expect(last.effects.timers).toEqual([{ taskId: 3, fireAt: T0 + 1020 + 2000 }]);
    // ...and when it fires no attempt remains, so the next action takes the next id.
    const end = prepareEpisode(book, [historyEvent.timerFired(T0 + 3020, 3, T0 + 3020)], ctx(T0 + 3020));
    expect(end.effects.activities).toEqual([]);
    expect(end.events).toHaveLength(1);
    const after = interpretState(book, state([withRetry('Flaky', 2), activity('Next')]), ctx(T0 + 3020));
    expect(after.effects.activities).toEqual([{ taskId: 4, name: 'Next', input: null }]);
  });

  test('once the retry timeout is spent, the remaining attempts fail at once without running', () => {
    const book = newBook();
    const policy = {
      firstRetryIntervalInMilliseconds: 1000,
      maxNumberOfAttempts: 3,
      retryTimeoutInMilliseconds: 500,
    };
    interpretState(
      book,
      state([{ actionType: ActionType.CallActivityWithRetry, functionName: 'Slow', retryOptions: policy }]),
      ctx(T0),
    );
    const failure = { Reason: 'too slow', Details: 'd' };
    const failed = prepareEpisode(book, [historyEvent.taskFailed(T0 + 600, 0, failure)], ctx(T0 + 600));
    expect(failed.effects.timers).toEqual([{ taskId: 1, fireAt: T0 + 600 }]);
    const fired = prepareEpisode(book, [historyEvent.timerFired(T0 + 600, 1, T0 + 600)], ctx(T0 + 600));
    expect(fired.effects.activities).toEqual([]);
    expect(fired.effects.immediateFailures).toEqual([{ taskId: 2, failure, kind: 'activity' }]);
  });

  test('puts events that allocate hidden ids before the others', () => {
    const book = newBook();
    interpretState(book, state([withRetry('Flaky', 3), activity('Plain')]), ctx(T0));
    const plainDone = historyEvent.taskCompleted(T0, 1, '"ok"');
    const retryFailed = historyEvent.taskFailed(T0, 0, { Reason: 'r', Details: 'd' });
    const { events } = prepareEpisode(book, [plainDone, retryFailed], ctx(T0));
    expect(events).toEqual([retryFailed, plainDone]);
  });

  test('drops completions nobody waits for (duplicates of an at-least-once delivery)', () => {
    const book = newBook();
    interpretState(book, state([activity('A')]), ctx(T0));
    const done = historyEvent.taskCompleted(T0, 0, '1');
    expect(prepareEpisode(book, [done], ctx(T0)).events).toEqual([done]);
    expect(prepareEpisode(book, [done], ctx(T0)).events).toEqual([]);
  });

  test('splits a timer longer than six days into three-day sub-timers, each with its own id', () => {
    const book = newBook();
    const fireAt = T0 + 10 * DAY;
    const first = interpretState(book, state([timer(fireAt)]), ctx(T0));
    expect(first.effects.timers).toEqual([{ taskId: 0, fireAt: T0 + 3 * DAY }]);
    const second = prepareEpisode(
      book,
      [historyEvent.timerFired(T0 + 3 * DAY, 0, T0 + 3 * DAY)],
      ctx(T0 + 3 * DAY),
    );
    expect(second.effects.timers).toEqual([{ taskId: 1, fireAt: T0 + 6 * DAY }]);
    const third = prepareEpisode(
      book,
      [historyEvent.timerFired(T0 + 6 * DAY, 1, T0 + 6 * DAY)],
      ctx(T0 + 6 * DAY),
    );
    expect(third.effects.timers).toEqual([{ taskId: 2, fireAt }]);
    const last = prepareEpisode(book, [historyEvent.timerFired(fireAt, 2, fireAt)], ctx(fireAt));
    expect(last.effects.timers).toEqual([]);
    expect(last.events).toHaveLength(1);
  });

  test('cancels the timer whose isCanceled flipped since it was scheduled', () => {
    const book = newBook();
    interpretState(
      book,
      state([timer(T0 + DAY), { actionType: ActionType.WaitForExternalEvent, externalEventName: 'E' }]),
      ctx(T0),
    );
    const { effects } = interpretState(
      book,
      state([timer(T0 + DAY, true), { actionType: ActionType.WaitForExternalEvent, externalEventName: 'E' }]),
      ctx(T0 + 1),
    );
    expect(effects.cancelTimers).toEqual([0]);
    expect(
      prepareEpisode(book, [historyEvent.timerFired(T0 + DAY, 0, T0 + DAY)], ctx(T0 + DAY)).events,
    ).toEqual([]);
  });

  test('ends with the output, continues as new with the processed input, or fails on unsupported actions', () => {
    expect(interpretState(newBook(), state([activity('A')], true, { n: 1 }), ctx(T0)).outcome).toEqual({
      kind: 'completed',
      output: '{"n":1}',
    });
    expect(
      interpretState(
        newBook(),
        state([{ actionType: ActionType.ContinueAsNew, input: '"again"' }], true),
        ctx(T0),
      ).outcome,
    ).toEqual({ kind: 'continuedAsNew', input: '"again"' });
    expect(
      interpretState(newBook(), state([{ actionType: ActionType.LockEntities }]), ctx(T0)).outcome,
    ).toMatchObject({ kind: 'failed', message: 'lock is not supported by the local durable backend' });
    expect(
      interpretState(newBook(), state([{ actionType: ActionType.CallHttp }]), ctx(T0)).outcome,
    ).toMatchObject({ kind: 'failed', message: 'callHttp needs a request' });
  });

  test('a callHttp is a BuiltIn::HttpActivity task; a 202 + Location takes the timer and the GET after it', () => {
    const book = newBook();
    const httpRequest = {
      method: 'post',
      uri: 'http://svc.test/jobs',
      content: '{"n":1}',
      headers: { 'content-type': 'application/json', 'x-functions-key': 'k' },
      asynchronousPatternEnabled: true,
    };
    const first = interpretState(book, state([{ actionType: ActionType.CallHttp, httpRequest }]), ctx(T0));
    expect(first.outcome).toEqual({ kind: 'running' });
    expect(first.effects.activities).toEqual([
      {
        taskId: 0,
        name: 'BuiltIn::HttpActivity',
        input: JSON.stringify([{ ...httpRequest, method: 'POST' }]),
      },
    ]);
    const accepted = JSON.stringify({
      statusCode: 202,
      headers: { Location: '/jobs/1', 'Retry-After': '7' },
      content: '',
    });
    const polled = prepareEpisode(book, [historyEvent.taskCompleted(T0, 0, accepted)], ctx(T0));
    expect(polled.effects.timers).toEqual([{ taskId: 1, fireAt: T0 + 7000 }]);
    expect(polled.effects.activities).toEqual([]);
    expect(book.nextTaskId).toBe(3);
    const fired = prepareEpisode(book, [historyEvent.timerFired(T0 + 7000, 1, T0 + 7000)], ctx(T0 + 7000));
    expect(fired.effects.activities).toEqual([
      {
        taskId: 2,
        name: 'BuiltIn::HttpActivity',
        input: JSON.stringify([
          {
            method: 'GET',
            uri: 'http://svc.test/jobs/1',
            headers: { 'content-type': 'application/json' },
            asynchronousPatternEnabled: true,
          },
        ]),
      },
    ]);
    // The final answer goes to the orchestrator; no more hidden tasks.
    const done = JSON.stringify({ statusCode: 200, headers: {}, content: 'ok' });
    const last = prepareEpisode(book, [historyEvent.taskCompleted(T0 + 7000, 2, done)], ctx(T0 + 7000));
    expect(last.events).toHaveLength(1);
    expect(last.effects.timers).toEqual([]);
    expect(book.nextTaskId).toBe(3);
  });

  test('without the asynchronous pattern a 202 is the answer; a poll without Retry-After waits the default 30 s', () => {
    const plain = newBook();
    const httpRequest = { method: 'GET', uri: 'http://svc.test/a', asynchronousPatternEnabled: false };
    interpretState(plain, state([{ actionType: ActionType.CallHttp, httpRequest }]), ctx(T0));
    const accepted = JSON.stringify({ statusCode: 202, headers: { location: '/a/1' }, content: '' });
    expect(
      prepareEpisode(plain, [historyEvent.taskCompleted(T0, 0, accepted)], ctx(T0)).effects.timers,
    ).toEqual([]);
    const polling = newBook();
    interpretState(
      polling,
      state([
        {
          actionType: ActionType.CallHttp,
          httpRequest: { ...httpRequest, asynchronousPatternEnabled: true },
        },
      ]),
      ctx(T0),
    );
    expect(
      prepareEpisode(polling, [historyEvent.taskCompleted(T0, 0, accepted)], ctx(T0)).effects.timers,
    ).toEqual([{ taskId: 1, fireAt: T0 + 30_000 }]);
  });
});
