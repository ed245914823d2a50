import type { ReceivedSpan } from './otlpTraces';
import { TraceStore } from './traceStore';

function span(traceId: string, spanId: string, extra: Partial<ReceivedSpan> = {}): ReceivedSpan {
  return {
    traceId,
    spanId,
    name: spanId,
    kind: 'internal',
    startMs: 0,
    durationMs: 1,
    status: 'unset',
    attributes: {},
    events: [],
    links: [],
    service: 's',
    scope: 'x',
    ...extra,
  };
}

describe('TraceStore', () => {
  it('orders a trace parents first, siblings by start, and keeps spans whose parent it never saw as roots', () => {
    const store = new TraceStore();
    store.add([
      span('t', 'b', { parentSpanId: 'a', startMs: 5 }),
      span('t', 'c', { parentSpanId: 'a', startMs: 2 }),
      span('t', 'd', { parentSpanId: 'c', startMs: 3 }),
      span('t', 'a', { startMs: 1 }),
      span('t', 'orphan', { parentSpanId: 'gone', startMs: 0 }),
    ]);
    expect(store.trace('t').map((s) => s.spanId)).toEqual(['orphan', 'a', 'c', 'd', 'b']);
  });

  it('does not duplicate a span an exporter sends twice', () => {
    const store = new TraceStore();
    store.add([span('t', 'a')]);
    store.add([span('t', 'a')]);
    expect(store.size).toBe(1);
  });

  it('drops the oldest traces past its bound, from the index too', () => {
    const store = new TraceStore(3, ['k']);
    store.add([span('old', 'a', { attributes: { k: 'v' } }), span('old', 'b')]);
    store.add([span('new', 'c', { attributes: { k: 'v' } }), span('new', 'd')]);
    expect(store.size).toBe(2);
    expect(store.trace('old')).toEqual([]);
    expect(store.find('k', 'v').map((t) => t.traceId)).toEqual(['new']);
  });

  it('finds by an attribute it does not index, and summarises duration and errors', () => {
    const store = new TraceStore(100, ['indexed']);
    store.add([
      span('t', 'a', { startMs: 10, durationMs: 5, attributes: { other: 42 } }),
      span('t', 'b', { parentSpanId: 'a', startMs: 12, durationMs: 10, status: 'error' }),
    ]);
    expect(store.find('other', '42')).toEqual([
      { traceId: 't', name: 'a', startMs: 10, durationMs: 12, spans: 2, errors: 1 },
    ]);
    expect(store.find('other', '43')).toEqual([]);
  });

  it('takes a huge trace quickly, caps its share, and keeps it when more spans arrive', () => {
    const store = new TraceStore(50_000);
    const started = performance.now();
    store.add(Array.from({ length: 60_000 }, (_, i) => span('big', `s${i}`, { startMs: i })));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(store.size).toBe(5_000);
    store.add([span('big', 'late'), span('other', 'o1')]);
    expect(store.trace('big')).toHaveLength(5_000);
    expect(store.trace('other')).toHaveLength(1);
  });

  it('keeps a trace that is still growing, dropping the ones least recently added to', () => {
    const store = new TraceStore(3);
    store.add([span('waiting', 'a')]);
    store.add([span('done', 'b'), span('done', 'c')]);
    store.add([span('waiting', 'd')]);
    expect(store.trace('waiting').map((s) => s.spanId)).toEqual(['a', 'd']);
    expect(store.trace('done')).toEqual([]);
  });
});
