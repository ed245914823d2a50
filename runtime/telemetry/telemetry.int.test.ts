import { join } from 'node:path';
import { createTestHost, type TestHost } from '../testHost';
import { OTLP_METRICS_PATH, OTLP_TRACES_PATH } from './telemetryService';
import type { ReceivedPoint } from './otlpMetrics';
import type { ReceivedSpan } from './otlpTraces';
import type { TraceSummary } from './traceStore';

const APP = join(__dirname, 'test/fixtures/traced-app');
let host: TestHost;

beforeAll(async () => {
  delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  delete process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT;
  host = await createTestHost({ appRoot: APP, traces: true, users: false });
});
afterAll(() => host?.stop());

async function traced(encoding: string, id: string): Promise<string> {
  const response = await host.fetch(`/api/traced?encoding=${encoding}&id=${id}`, { method: 'POST' });
  if (response.status !== 200)
    throw new Error(`${response.status}: ${await response.text()}\n${JSON.stringify(host.logs)}`);
  return ((await response.json()) as { traceId: string }).traceId;
}

describe('the local host receives the app’s traces over OTLP/HTTP', () => {
  it('points the app’s exporters at itself before the app loads', () => {
    expect(process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).toBe(`${host.baseUrl}${OTLP_TRACES_PATH}`);
    expect(process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT).toBe(`${host.baseUrl}${OTLP_METRICS_PATH}`);
  });

  it.each(['json', 'protobuf'])(
    'keeps a trace exported as %s: one tree, kinds, statuses and attributes decoded',
    async (encoding) => {
      const traceId = await traced(encoding, `order-${encoding}`);

      const found = await host.fetch(`/runtime/traces?attribute=order.id&value=order-${encoding}`);
      expect(found.status).toBe(200);
      const { traces } = (await found.json()) as { traces: TraceSummary[] };
      expect(traces).toEqual([
        expect.objectContaining({ traceId, name: 'handle order', spans: 2, errors: 1 }),
      ]);

      const trace = (await (await host.fetch(`/runtime/traces/${traceId}`)).json()) as {
        spans: ReceivedSpan[];
      };
      const [parent, child] = trace.spans;
      expect(parent).toMatchObject({
        name: 'handle order',
        kind: 'internal',
        status: 'unset',
        attributes: { 'order.id': `order-${encoding}`, 'order.items': 3 },
        service: expect.any(String),
        scope: 'traced-app',
      });
      expect(parent.parentSpanId).toBeUndefined();
      expect(child).toMatchObject({
        name: 'charge card',
        kind: 'client',
        parentSpanId: parent.spanId,
        status: 'error',
        statusMessage: 'card declined',
      });
      expect(child.startMs).toBeGreaterThanOrEqual(parent.startMs);
      expect(parent.durationMs).toBeGreaterThanOrEqual(child.durationMs);
      expect(Math.abs(parent.startMs - Date.now())).toBeLessThan(60_000);
    },
  );

  it.each(['json', 'protobuf'])(
    'keeps the latest point of each metric series exported as %s',
    async (encoding) => {
      for (let i = 0; i < 2; i++)
        expect((await host.fetch(`/api/counted?encoding=${encoding}`, { method: 'POST' })).status).toBe(200);
      const listed = (await (await host.fetch('/runtime/metrics')).json()) as { metrics: ReceivedPoint[] };
      if (!listed.metrics) throw new Error(JSON.stringify(listed));
      const { metrics } = listed;
      const mine = metrics.filter((m) => m.attributes.encoding === encoding);
      expect(mine).toEqual([
        expect.objectContaining({ name: 'order.duration', kind: 'histogram', unit: 'ms', count: 2, sum: 80 }),
        expect.objectContaining({ name: 'orders', kind: 'sum', value: 4 }),
      ]);
      const buckets = mine[0].buckets ?? [];
      expect(buckets.reduce((total, b) => total + b.count, 0)).toBe(2);
      const one = (await (await host.fetch('/runtime/metrics?name=orders')).json()) as {
        metrics: ReceivedPoint[];
      };
      expect(one.metrics.every((m) => m.name === 'orders')).toBe(true);
    },
  );

  it('lists recent traces newest first', async () => {
    const first = await traced('json', 'order-old');
    const second = await traced('json', 'order-new');
    const { traces } = (await (await host.fetch('/runtime/traces?limit=2')).json()) as {
      traces: TraceSummary[];
    };
    expect(traces.map((t) => t.traceId)).toEqual([second, first]);
  });

  it.each([
    ['text/plain', 'hello', 415, /not an OTLP encoding/],
    ['application/json', '{not json', 400, /not JSON/],
    ['application/json', '{"spans": []}', 400, /no resourceSpans/],
    ['application/x-protobuf', '\u00ff\u00ff\u00ff', 400, /not an ExportTraceServiceRequest/],
  ])('refuses a %s export %j with %i and says why', async (contentType, body, status, detail) => {
    const response = await host.fetch(OTLP_TRACES_PATH, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await response.json()) as { detail: string }).detail).toMatch(detail);
  });

  it('skips what is not a message inside an export’s lists (a null, a number) instead of failing', async () => {
    for (const [path, body] of [
      [
        OTLP_TRACES_PATH,
        '{"resourceSpans":[null,{"resource":{"attributes":[null]},"scopeSpans":[{"spans":[null,3]}]}]}',
      ],
      [
        OTLP_METRICS_PATH,
        '{"resourceMetrics":[null,{"scopeMetrics":[{"metrics":[null,{"name":"m","sum":{"dataPoints":[null]}}]}]}]}',
      ],
    ]) {
      const response = await host.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(200);
    }
  });

  it('answers 404 for a trace it does not keep, and 400 for a half-given filter or a bad limit', async () => {
    expect((await host.fetch('/runtime/traces/0123456789abcdef0123456789abcdef')).status).toBe(404);
    expect((await host.fetch('/runtime/traces?attribute=order.id')).status).toBe(400);
    expect((await host.fetch('/runtime/traces?limit=0')).status).toBe(400);
    expect((await host.fetch('/runtime/traces?limit=lots')).status).toBe(400);
  });
});

describe('the traces option', () => {
  const saved = [
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
  ];
  beforeEach(() => {
    delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    delete process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT;
  });
  afterEach(() => {
    [process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT] = saved;
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    delete process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  });

  it('sets the endpoint only while the host runs', async () => {
    const other = await createTestHost({ appRoot: APP, traces: true, users: false });
    expect(process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).toBe(`${other.baseUrl}${OTLP_TRACES_PATH}`);
    await other.stop();
    expect(process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).toBeUndefined();
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'http://collector.example:4318'],
    ['APPLICATIONINSIGHTS_CONNECTION_STRING', 'InstrumentationKey=00000000-0000-0000-0000-000000000000'],
  ])('leaves the app’s telemetry alone when the environment sets %s', async (name, value) => {
    process.env[name] = value;
    const other = await createTestHost({ appRoot: APP, traces: true, users: false });
    try {
      expect(process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).toBeUndefined();
    } finally {
      await other.stop();
    }
  });

  it('is off unless asked for', async () => {
    const other = await createTestHost({ appRoot: APP, users: false });
    try {
      expect(process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).toBeUndefined();
    } finally {
      await other.stop();
    }
  });
});

describe('how many spans the host keeps (LOCAL_HOST_TRACE_SPANS)', () => {
  afterEach(() => {
    delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    delete process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT;
  });

  it('keeps the newest traces within the number the setting gives', async () => {
    const small = await createTestHost({
      appRoot: APP,
      users: false,
      settings: { LOCAL_HOST_TRACE_SPANS: '2' },
    });
    try {
      // Three traces of two spans each, exported as OTLP JSON: only the newest fits.
      const traceIds = ['1', '2', '3'].map((n) => n.repeat(32));
      for (const traceId of traceIds) {
        const span = (spanId: string) => ({
          traceId,
          spanId: spanId.repeat(16),
          name: `span ${spanId}`,
          kind: 1,
          startTimeUnixNano: '1767225600000000000',
          endTimeUnixNano: '1767225600001000000',
        });
        const exported = await small.fetch(OTLP_TRACES_PATH, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span('a'), span('b')] }] }] }),
        });
        expect(exported.status).toBe(200);
      }
      const { traces } = (await (await small.fetch('/runtime/traces')).json()) as { traces: TraceSummary[] };
      expect(traces.map((trace) => [trace.traceId, trace.spans])).toEqual([[traceIds[2], 2]]);
    } finally {
      await small.stop();
    }
  });

  it.each(['0', 'many', '-5', '1.5'])('refuses to start with %j', async (value) => {
    await expect(
      createTestHost({
        appRoot: APP,
        traces: true,
        users: false,
        settings: { LOCAL_HOST_TRACE_SPANS: value },
      }),
    ).rejects.toThrow(/LOCAL_HOST_TRACE_SPANS must be a whole number of spans from 1 \(default 10000\)/);
  });
});
