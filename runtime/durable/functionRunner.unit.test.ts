import { orchestrationPayloadText } from './functionRunner';
import { historyEvent } from './historyEvents';
import {
  DEFAULT_HTTP_ASYNC_SLEEP_MS,
  LONG_RUNNING_TIMER_INTERVAL,
  MAXIMUM_SHORT_TIMER_DURATION,
} from './timerSettings';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

describe('orchestrationPayloadText', () => {
  const started = historyEvent.orchestratorStarted(NOW);
  const scheduled = historyEvent.taskScheduled(NOW, 0, 'SayHello', '"Tokyo"');

  test('the stored past goes in as it is, marked played, the new events unplayed, then the fields of schema V3', () => {
    const past = [JSON.stringify(started), JSON.stringify(scheduled)];
    const fresh = [
      historyEvent.orchestratorStarted(NOW + 1),
      historyEvent.taskCompleted(NOW + 1, 0, '"Hello Tokyo!"'),
    ];
    const text = orchestrationPayloadText({
      past,
      fresh,
      input: '{"cities":["Tokyo"]}',
      instanceId: 'abc',
      parentInstanceId: null,
    });
    expect(JSON.parse(text)).toEqual({
      history: [
        { ...started, IsPlayed: true },
        { ...scheduled, IsPlayed: true },
        { ...fresh[0], IsPlayed: false },
        { ...fresh[1], IsPlayed: false },
      ],
      input: { cities: ['Tokyo'] },
      instanceId: 'abc',
      isReplaying: true,
      parentInstanceId: null,
      upperSchemaVersion: 1,
      upperSchemaVersionNew: 2,
      longRunningTimerIntervalDuration: LONG_RUNNING_TIMER_INTERVAL,
      maximumShortTimerDuration: MAXIMUM_SHORT_TIMER_DURATION,
      defaultHttpAsyncRequestSleepTimeMillseconds: DEFAULT_HTTP_ASYNC_SLEEP_MS,
    });
  });

  test('a first episode is not replaying and has no input key without input', () => {
    const payload = JSON.parse(
      orchestrationPayloadText({
        past: [],
        fresh: [started],
        input: null,
        instanceId: 'x',
        parentInstanceId: 'p',
      }),
    ) as Record<string, unknown>;
    expect(payload.isReplaying).toBe(false);
    expect('input' in payload).toBe(false);
    expect(payload.history).toEqual([{ ...started, IsPlayed: false }]);
    expect(payload.parentInstanceId).toBe('p');
  });

  test('a stored event that says IsPlayed already, has spaces, or is empty still reads as played', () => {
    const payload = JSON.parse(
      orchestrationPayloadText({
        past: ['{"EventType":12,"IsPlayed":false}', ' { "EventType" : 0 } \n', '{}'],
        fresh: [],
        input: null,
        instanceId: 'x',
        parentInstanceId: null,
      }),
    ) as { history: unknown[] };
    expect(payload.history).toEqual([
      { EventType: 12, IsPlayed: true },
      { EventType: 0, IsPlayed: true },
      { IsPlayed: true },
    ]);
  });

  test('a stored event that is not a JSON object is refused, not handed on', () => {
    for (const bad of ['[1]', '"text"', '{"EventType":1'])
      expect(() =>
        orchestrationPayloadText({
          past: [bad],
          fresh: [],
          input: null,
          instanceId: 'x',
          parentInstanceId: null,
        }),
      ).toThrow('a history event is not a JSON object');
  });
});
