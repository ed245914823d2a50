export { TelemetryService, OTLP_TRACES_PATH, TRACES_ROUTE } from './telemetryService';
export type { TelemetryServiceOptions } from './telemetryService';
export { TraceStore } from './traceStore';
export type { TraceSummary } from './traceStore';
export type { ReceivedSpan, AttributeValue, SpanStatus } from './otlpTraces';
