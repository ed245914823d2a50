import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { telemetryExportFor, TelemetrySettingsError } from './setup';
import { inSpan, inSpanSync, markMoment } from './spans';
import { contextOf, currentTrace, currentTraceId, linkFrom, traceOf } from './traceContext';

const exporter = new InMemorySpanExporter();
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
});
beforeEach(() => exporter.reset());

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('trace context across hops', () => {
  it('continues the trace a carrier names, and hands the new span on as a carrier', async () => {
    const carried = await inSpan(
      'next hop',
      { parent: { traceparent: PARENT, tracestate: 'vendor=1' } },
      () => currentTrace(),
    );
    const [span] = exporter.getFinishedSpans();
    expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(carried).toEqual({
      traceparent: `00-0af7651916cd43dd8448eb211c80319c-${span.spanContext().spanId}-01`,
      tracestate: 'vendor=1',
    });
  });

  it('nests under the active span when the work brings no trace of its own', async () => {
    await inSpan('invocation', { parent: null }, () => inSpan('handler', {}, () => 1));
    const [handler, invocation] = exporter.getFinishedSpans();
    expect(handler.parentSpanContext?.spanId).toBe(invocation.spanContext().spanId);
    expect(handler.spanContext().traceId).toBe(invocation.spanContext().traceId);
  });

  it('continues the carrier inside an invocation the platform traced, linking that invocation', async () => {
    await inSpan('change feed invocation', { parent: null }, () =>
      inSpan('command', { parent: { traceparent: PARENT } }, () => 1),
    );
    const [command, invocation] = exporter.getFinishedSpans();
    expect(command.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(command.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(command.links.map((l) => l.context.spanId)).toEqual([invocation.spanContext().spanId]);
  });

  it('links the traced invocation of synchronous work (an entity operation) the same way', async () => {
    await inSpan('entity invocation', { parent: null }, () =>
      inSpanSync('entity op', { parent: { traceparent: PARENT } }, () => 1),
    );
    const [operation, invocation] = exporter.getFinishedSpans();
    expect(operation.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(operation.links.map((l) => l.context.spanId)).toEqual([invocation.spanContext().spanId]);
  });

  it('links the span a carrier names, and nothing for a malformed one', () => {
    expect(linkFrom({ traceparent: PARENT })?.context).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      isRemote: true,
    });
    for (const carrier of [undefined, null, { traceparent: 'garbage' }, { traceparent: '00-0-0-01' }])
      expect(linkFrom(carrier)).toBeUndefined();
  });

  it('starts a new trace from a missing or malformed carrier, and never fails the work for it', async () => {
    for (const parent of [undefined, null, { traceparent: 'garbage' }]) {
      expect(await inSpan('work', { parent: parent as never }, () => currentTraceId())).toMatch(
        /^[0-9a-f]{32}$/,
      );
    }
    expect(new Set(exporter.getFinishedSpans().map((s) => s.spanContext().traceId)).size).toBe(3);
    expect(contextOf({ traceparent: 'garbage' })).toBe(ROOT_CONTEXT);
  });

  it('marks a thrown error on the span and re-throws it', async () => {
    await expect(inSpan('fails', {}, () => Promise.reject(new Error('store down')))).rejects.toThrow(
      'store down',
    );
    const [span] = exporter.getFinishedSpans();
    expect(span.status).toEqual({ code: 2, message: 'store down' });
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('records a moment as a span that starts and ends at once', () => {
    markMoment('episode', { parent: { traceparent: PARENT }, attributes: { n: 1 } });
    const [span] = exporter.getFinishedSpans();
    expect(span.duration).toEqual([0, 0]);
    expect(span.attributes).toEqual({ n: 1 });
  });

  it('reads a carrier out of a stored document field and nothing else', () => {
    expect(traceOf({ traceparent: PARENT, tracestate: '' })).toEqual({ traceparent: PARENT });
    expect(traceOf({ traceparent: 1 })).toBeUndefined();
    expect(traceOf('x')).toBeUndefined();
    expect(currentTrace(ROOT_CONTEXT)).toBeUndefined();
  });
});

describe('where telemetry goes', () => {
  it('prefers Application Insights, then OTLP, else nothing', () => {
    expect(telemetryExportFor({})).toBe('off');
    expect(telemetryExportFor({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe('otlp');
    expect(
      telemetryExportFor({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }),
    ).toBe('otlp');
    expect(
      telemetryExportFor({
        APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=x',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      }),
    ).toBe('azure-monitor');
    expect(telemetryExportFor({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBe('off');
  });

  it('refuses an OTLP protocol it cannot speak, naming the ones it can', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' };
    expect(() => telemetryExportFor(env)).toThrow(TelemetrySettingsError);
    expect(() => telemetryExportFor(env)).toThrow(/http\/protobuf \(the default\) or http\/json/);
    expect(() => telemetryExportFor({ ...env, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' })).toThrow(
      /OTEL_EXPORTER_OTLP_METRICS_PROTOCOL "grpc"/,
    );
    expect(
      telemetryExportFor({
        ...env,
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      }),
    ).toBe('otlp');
  });

  it('refuses a metric export interval that is not a number of milliseconds', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    expect(() => telemetryExportFor({ ...env, OTEL_METRIC_EXPORT_INTERVAL: 'often' })).toThrow(
      /OTEL_METRIC_EXPORT_INTERVAL must be a whole number/,
    );
    expect(telemetryExportFor({ ...env, OTEL_METRIC_EXPORT_INTERVAL: '1000' })).toBe('otlp');
    // Traces only: the metrics settings are not read.
    expect(
      telemetryExportFor({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces',
        OTEL_METRIC_EXPORT_INTERVAL: 'often',
      }),
    ).toBe('otlp');
  });
});
