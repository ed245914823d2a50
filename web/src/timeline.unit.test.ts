import { eventTypeName, formatDuration, payloadText, toTimeline } from './timeline';

describe('toTimeline with Azure-shaped history (names, completions carrying FunctionName)', () => {
  const history = [
    {
      EventType: 'ExecutionStarted',
      FunctionName: 'transferProcess',
      Timestamp: '2026-01-01T00:00:00.000Z',
      Input: '{"transferId":"t-1"}',
    },
    {
      EventType: 'TaskCompleted',
      FunctionName: 'reserveFunds',
      Result: '{"ok":true}',
      ScheduledTime: '2026-01-01T00:00:00.100Z',
      Timestamp: '2026-01-01T00:00:00.350Z',
    },
    {
      EventType: 'EventRaised',
      Name: 'ApprovalDecision',
      Input: '{"decision":"approve","approver":"alice"}',
      Timestamp: '2026-01-01T01:00:00.000Z',
    },
    {
      EventType: 'TaskFailed',
      FunctionName: 'creditDestination',
      Reason: "Activity function 'creditDestination' failed: boom",
      ScheduledTime: '2026-01-01T01:00:00.000Z',
      Timestamp: '2026-01-01T01:00:02.000Z',
    },
    {
      EventType: 'ExecutionCompleted',
      OrchestrationStatus: 'Failed',
      Result: 'boom',
      Timestamp: '2026-01-01T01:00:03.000Z',
    },
  ];

  it('has one readable line per step, in time order, with outcomes and durations', () => {
    expect(toTimeline(history)).toEqual([
      {
        at: '2026-01-01T00:00:00.000Z',
        kind: 'orchestration',
        outcome: 'info',
        title: 'Orchestration transferProcess started',
        detail: '{"transferId":"t-1"}',
      },
      {
        at: '2026-01-01T00:00:00.350Z',
        kind: 'activity',
        outcome: 'success',
        title: 'Activity reserveFunds completed',
        detail: '{"ok":true}',
        durationMs: 250,
      },
      {
        at: '2026-01-01T01:00:00.000Z',
        kind: 'event',
        outcome: 'info',
        title: 'Event ApprovalDecision received',
        detail: '{"decision":"approve","approver":"alice"}',
      },
      {
        at: '2026-01-01T01:00:02.000Z',
        kind: 'activity',
        outcome: 'failure',
        title: 'Activity creditDestination failed',
        detail: "Activity function 'creditDestination' failed: boom",
        durationMs: 2000,
      },
      {
        at: '2026-01-01T01:00:03.000Z',
        kind: 'orchestration',
        outcome: 'failure',
        title: 'Orchestration failed',
        detail: 'boom',
      },
    ]);
  });
});

describe("toTimeline with the local runtime's timers (TimerCreated carrying TimerId)", () => {
  it('folds a fired timer and shows the one still waiting', () => {
    const timeline = toTimeline([
      {
        EventType: 'TimerCreated',
        TimerId: 1,
        FireAt: '2026-01-01T12:00:00Z',
        Timestamp: '2026-01-01T00:00:00Z',
      },
      {
        EventType: 'TimerCreated',
        TimerId: 2,
        FireAt: '2026-01-02T00:00:00Z',
        Timestamp: '2026-01-01T00:00:00Z',
      },
      {
        EventType: 'TimerFired',
        TimerId: 1,
        FireAt: '2026-01-01T12:00:00Z',
        Timestamp: '2026-01-01T12:00:00Z',
      },
    ]);
    expect(timeline.map((e) => [e.title, e.outcome, e.detail])).toEqual([
      ['Timer waiting', 'pending', 'due 2026-01-02 00:00:00 UTC'],
      ['Timer fired', 'info', 'due 2026-01-01 12:00:00 UTC'],
    ]);
  });
});

describe('toTimeline of a finished orchestration', () => {
  it('shows a timer that never fired as cancelled, where it was set', () => {
    const timeline = toTimeline([
      { EventType: 'ExecutionStarted', FunctionName: 'transferProcess', Timestamp: '2026-01-01T00:00:00Z' },
      {
        EventType: 'TimerCreated',
        TimerId: 3,
        FireAt: '2026-01-02T00:00:00Z',
        Timestamp: '2026-01-01T00:00:00Z',
      },
      { EventType: 'EventRaised', Name: 'ApprovalDecision', Timestamp: '2026-01-01T00:00:00Z' },
      {
        EventType: 'ExecutionCompleted',
        OrchestrationStatus: 'Completed',
        Timestamp: '2026-01-01T00:00:00Z',
      },
    ]);
    expect(timeline.map((e) => [e.title, e.outcome])).toEqual([
      ['Orchestration transferProcess started', 'info'],
      ['Timer cancelled', 'info'],
      ['Event ApprovalDecision received', 'info'],
      ['Orchestration completed', 'success'],
    ]);
  });
});

describe('toTimeline with raw history (numeric EventType, EventId pairs)', () => {
  const raw = [
    { EventType: 12, EventId: -1, IsPlayed: true, Timestamp: '2026-01-01T00:00:00Z' },
    {
      EventType: 0,
      EventId: -1,
      Name: 'transferProcess',
      Input: '{"amount":150000}',
      Timestamp: '2026-01-01T00:00:00Z',
    },
    { EventType: 4, EventId: 0, Name: 'reserveFunds', Timestamp: '2026-01-01T00:00:00Z' },
    { EventType: 13, EventId: -1, Timestamp: '2026-01-01T00:00:00Z' },
    { EventType: 12, EventId: -1, Timestamp: '2026-01-01T00:00:01Z' },
    {
      EventType: 5,
      EventId: -1,
      TaskScheduledId: 0,
      Result: '"reserved"',
      Timestamp: '2026-01-01T00:00:01Z',
    },
    { EventType: 10, EventId: 1, FireAt: '2026-01-01T12:00:00Z', Timestamp: '2026-01-01T00:00:01Z' },
    { EventType: 10, EventId: 2, FireAt: '2026-01-02T00:00:00Z', Timestamp: '2026-01-01T00:00:01Z' },
    { EventType: 4, EventId: 3, Name: 'requestApproval', Timestamp: '2026-01-01T00:00:01Z' },
    {
      EventType: 11,
      EventId: -1,
      TimerId: 1,
      FireAt: '2026-01-01T12:00:00Z',
      Timestamp: '2026-01-01T12:00:00Z',
    },
    {
      EventType: 15,
      EventId: -1,
      Name: '0f8fad5b-d9cb-469f-a165-70867728950e',
      Input: '{"result":"{}"}',
      Timestamp: '2026-01-01T12:00:01Z',
    },
  ];

  it('folds scheduling into completions and keeps unanswered work as pending', () => {
    const timeline = toTimeline(raw);
    expect(timeline.map((e) => [e.title, e.outcome])).toEqual([
      ['Orchestration transferProcess started', 'info'],
      ['Activity reserveFunds completed', 'success'],
      ['Timer waiting', 'pending'],
      ['Activity requestApproval scheduled', 'pending'],
      ['Timer fired', 'info'],
      ['Entity replied', 'info'],
    ]);
    expect(timeline[1]).toMatchObject({ detail: 'reserved', durationMs: 1000 });
    expect(timeline[2]).toMatchObject({ kind: 'timer', detail: 'due 2026-01-02 00:00:00 UTC' });
    expect(timeline[4]).toMatchObject({ kind: 'timer', detail: 'due 2026-01-01 12:00:00 UTC' });
  });

  it('shows a termination as the request and the end', () => {
    const timeline = toTimeline([
      { EventType: 'ExecutionTerminated', Reason: 'operator test', Timestamp: '2026-01-01T00:00:01Z' },
      {
        EventType: 'ExecutionCompleted',
        OrchestrationStatus: 'Terminated',
        Result: 'operator test',
        Timestamp: '2026-01-01T00:00:01Z',
      },
    ]);
    expect(timeline.map((e) => [e.title, e.outcome, e.detail])).toEqual([
      ['Termination requested', 'failure', 'operator test'],
      ['Orchestration terminated', 'failure', 'operator test'],
    ]);
  });

  it('reads camelCase fields too', () => {
    expect(
      toTimeline([{ eventType: 'ExecutionTerminated', input: 'stop', timestamp: '2026-01-01T00:00:00Z' }]),
    ).toEqual([
      {
        at: '2026-01-01T00:00:00Z',
        kind: 'orchestration',
        outcome: 'failure',
        title: 'Termination requested',
        detail: 'stop',
      },
    ]);
  });

  it('ignores entries that are not events and names unknown event types', () => {
    expect(toTimeline([null, 3, 'x', []])).toEqual([]);
    expect(eventTypeName({ EventType: 99 })).toBe('Event 99');
  });
});

describe('payloadText', () => {
  it('unwraps JSON strings and cuts long payloads', () => {
    expect(payloadText('"hello"')).toBe('hello');
    expect(payloadText('{"a": 1}')).toBe('{"a":1}');
    expect(payloadText({ b: [1, 2] })).toBe('{"b":[1,2]}');
    expect(payloadText(null)).toBeUndefined();
    const long = payloadText('x'.repeat(1000));
    expect(long).toHaveLength(400);
    expect(long?.endsWith('…')).toBe(true);
  });
});

describe('formatDuration', () => {
  it.each([
    [350, '350 ms'],
    [4200, '4.2 s'],
    [185_000, '3 min 05 s'],
    [3_780_000, '1 h 03 min'],
  ])('shows %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
