import { formatMs, layoutWaterfall, statusText, type TraceSpan } from './waterfall';

const span = (
  spanId: string,
  startMs: number,
  durationMs: number,
  more: Partial<TraceSpan> = {},
): TraceSpan => ({
  spanId,
  name: `span ${spanId}`,
  startMs,
  durationMs,
  status: 'unset',
  attributes: {},
  ...more,
});

describe('layoutWaterfall', () => {
  // A request (0–100 ms) → command (10–60) → append (20–30); the primary handler (70–100) under the request.
  const spans = [
    span('req', 1000, 100, { attributes: { 'cardflow.component': 'http api' }, kind: 'server' }),
    span('cmd', 1010, 50, { parentSpanId: 'req', attributes: { 'cardflow.component': 'command handler' } }),
    span('app', 1020, 10, { parentSpanId: 'cmd', attributes: { 'cardflow.component': 'event store' } }),
    span('pri', 1070, 30, {
      parentSpanId: 'req',
      status: 'error',
      statusMessage: 'the store is unreachable',
      attributes: { 'cardflow.component': 'primary handler' },
    }),
  ];

  it('gives each span its depth from the parent links, parents before children', () => {
    const { rows } = layoutWaterfall(spans);
    expect(rows.map((row) => [row.spanId, row.depth])).toEqual([
      ['req', 0],
      ['cmd', 1],
      ['app', 2],
      ['pri', 1],
    ]);
  });

  it('places each bar as a fraction of the whole trace', () => {
    const waterfall = layoutWaterfall(spans);
    expect(waterfall.startMs).toBe(1000);
    expect(waterfall.durationMs).toBe(100);
    expect(waterfall.duration).toBe('100 ms');
    const at = Object.fromEntries(waterfall.rows.map((row) => [row.spanId, [row.offset, row.width]]));
    expect(at.req).toEqual([0, 1]);
    expect(at.cmd[0]).toBeCloseTo(0.1);
    expect(at.cmd[1]).toBeCloseTo(0.5);
    expect(at.app[0]).toBeCloseTo(0.2);
    expect(at.app[1]).toBeCloseTo(0.1);
    expect(at.pri[0]).toBeCloseTo(0.7);
    expect(at.pri[1]).toBeCloseTo(0.3);
    expect(waterfall.rows.find((row) => row.spanId === 'app')?.startOffsetMs).toBe(20);
  });

  it('says each span’s duration, component and status in text', () => {
    const waterfall = layoutWaterfall(spans);
    expect(waterfall.rows.map((row) => [row.duration, row.component, row.statusText])).toEqual([
      ['100 ms', 'http api', 'No error'],
      ['50.0 ms', 'command handler', 'No error'],
      ['10.0 ms', 'event store', 'No error'],
      ['30.0 ms', 'primary handler', 'Error: the store is unreachable'],
    ]);
    expect(waterfall.errors).toBe(1);
    expect(waterfall.rows[3].status).toBe('error');
  });

  it('orders siblings by start time whatever order they arrive in', () => {
    const { rows } = layoutWaterfall([spans[3], spans[2], spans[0], spans[1]]);
    expect(rows.map((row) => row.spanId)).toEqual(['req', 'cmd', 'app', 'pri']);
  });

  it('makes a span whose parent is not in the trace a root, and loses none in a cycle of parents', () => {
    const { rows } = layoutWaterfall([
      span('orphan', 0, 10, { parentSpanId: 'elsewhere' }),
      span('a', 1, 1, { parentSpanId: 'b' }),
      span('b', 2, 1, { parentSpanId: 'a' }),
      span('self', 3, 1, { parentSpanId: 'self' }),
    ]);
    expect(rows.map((row) => [row.spanId, row.depth])).toEqual([
      ['orphan', 0],
      ['self', 0],
      ['a', 0],
      ['b', 1],
    ]);
  });

  it('keeps every bar inside the trace and copes with instants and no spans', () => {
    const instant = layoutWaterfall([span('x', 5, 0), span('y', 5, 0, { parentSpanId: 'x' })]);
    expect(instant.durationMs).toBe(0);
    expect(instant.rows.map((row) => [row.offset, row.width])).toEqual([
      [0, 1],
      [0, 1],
    ]);
    const skewed = layoutWaterfall([span('p', 0, 10), span('c', 8, 5, { parentSpanId: 'p', durationMs: 5 })]);
    const child = skewed.rows[1];
    expect(child.offset + child.width).toBeLessThanOrEqual(1);
    expect(layoutWaterfall([])).toEqual({
      rows: [],
      startMs: 0,
      durationMs: 0,
      duration: '0.00 ms',
      errors: 0,
    });
  });

  it('names the component by kind, or a dash, when the span carries none', () => {
    const { rows } = layoutWaterfall([span('k', 0, 1, { kind: 'client' }), span('n', 0, 1)]);
    expect(rows.map((row) => row.component)).toEqual(['client', '—']);
  });
});

describe('formatMs and statusText', () => {
  it('writes milliseconds for people', () => {
    expect(formatMs(0.4217)).toBe('0.42 ms');
    expect(formatMs(12.34)).toBe('12.3 ms');
    expect(formatMs(1234.5)).toBe('1,235 ms');
    expect(formatMs(-1)).toBe('—');
    expect(formatMs(Number.NaN)).toBe('—');
  });

  it('says the status, an error with its message', () => {
    expect(statusText('error', 'boom')).toBe('Error: boom');
    expect(statusText('error')).toBe('Error');
    expect(statusText('ok')).toBe('OK');
    expect(statusText('unset')).toBe('No error');
  });
});
