export {
  TelemetryService,
  OTLP_TRACES_PATH,
  TRACES_ROUTE,
  OTLP_METRICS_PATH,
  METRICS_ROUTE,
} from './telemetryService';
export type { TelemetryServiceOptions } from './telemetryService';
export { TraceStore } from './traceStore';
export type { TraceSummary } from './traceStore';
export type { ReceivedSpan, AttributeValue, SpanStatus } from './otlpTraces';
export { MetricStore } from './otlpMetrics';
export type { ReceivedPoint } from './otlpMetrics';
