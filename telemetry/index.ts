/** The app's telemetry (docs/observability.md): set-up, trace context across hops, spans, attribute names. */
export { startTelemetry, telemetryExportFor, TelemetrySettingsError, DEFAULT_SERVICE_NAME } from './setup';
export type { Telemetry, TelemetryExport } from './setup';
export { currentTrace, currentTraceId, contextOf, contextWith, linkFrom, traceOf } from './traceContext';
export type { TraceCarrier } from './traceContext';
export { annotate, inSpan, inSpanSync, markFailed, markMoment, tracer, SpanKind, TRACER_NAME } from './spans';
export type { Span, Attributes, SpanOptions } from './spans';
export * as attr from './attributes';
export { appLog, formatLine } from './log';
export type { AppLog, LogFields, LogSink } from './log';
export { measure, resetMetrics } from './metrics';
