/**
 * Where the app's telemetry goes, set up once at start (functions/index.ts) from the environment,
 * as Azure documents it for OpenTelemetry in Functions (docs/observability.md):
 *
 *   APPLICATIONINSIGHTS_CONNECTION_STRING   Azure Monitor (Application Insights), `@azure/monitor-opentelemetry`
 *   OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT    OTLP/HTTP, `http/protobuf` (default) or `http/json` per
 *                                           OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL; every other OTEL_* applies
 *   neither                                 nothing is registered: the API stays a no-op
 *
 * Both set: Azure Monitor. The local host sets the OTLP endpoint to its own receiver (`npm start`).
 */
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter as OtlpJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtobufMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { SharedScopeContextManager } from './sharedScope';

export type TelemetryExport = 'azure-monitor' | 'otlp' | 'off';

export interface Telemetry {
  readonly exportsTo: TelemetryExport;
  /** Sends what is buffered (tests, and before a process exits). */
  flush(): Promise<void>;
}

export const DEFAULT_SERVICE_NAME = 'cardflow';

export class TelemetrySettingsError extends Error {}

type Env = Readonly<Record<string, string | undefined>>;

let started: Telemetry | undefined;

/** Sets up the exporter the environment asks for; a second call returns the first set-up. */
export function startTelemetry(env: Env = process.env): Telemetry {
  started ??= setUp(env);
  return started;
}

/** Where telemetry would go with these settings (validated), without setting anything up. */
export function telemetryExportFor(env: Env): TelemetryExport {
  if (set(env.APPLICATIONINSIGHTS_CONNECTION_STRING)) return 'azure-monitor';
  if (set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) || set(env.OTEL_EXPORTER_OTLP_ENDPOINT)) {
    otlpProtocol(env);
    if (otlpMetricsWanted(env)) {
      metricProtocol(env);
      metricInterval(env);
    }
    return 'otlp';
  }
  return 'off';
}

function setUp(env: Env): Telemetry {
  const exportsTo = telemetryExportFor(env);
  if (exportsTo === 'off') return { exportsTo, flush: async () => undefined };
  if (exportsTo === 'azure-monitor') {
    // Loaded only here: the distro brings instrumentations a process without it should not pay for.
    const { useAzureMonitor } =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry');
    useAzureMonitor({
      azureMonitorExporterOptions: { connectionString: env.APPLICATIONINSIGHTS_CONNECTION_STRING },
      resource: serviceResource(env),
      // Every transfer is traced (the distro's default samples 5 traces a second); OTEL_TRACES_SAMPLER
      // and OTEL_TRACES_SAMPLER_ARG still override this, as Azure documents.
      samplingRatio: 1,
      tracesPerSecond: 0,
    });
    return { exportsTo, flush: () => flushGlobalProvider() };
  }
  const provider = new BasicTracerProvider({
    resource: serviceResource(env),
    spanProcessors: [new BatchSpanProcessor(otlpExporter(env))],
  });
  context.setGlobalContextManager(new SharedScopeContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  // Metrics go where OTEL_EXPORTER_OTLP_[METRICS_]ENDPOINT says, every OTEL_METRIC_EXPORT_INTERVAL ms (default 60 s).
  const reader = otlpMetricsWanted(env)
    ? new PeriodicExportingMetricReader({
        exporter: otlpMetricExporter(env),
        exportIntervalMillis: metricInterval(env),
      })
    : undefined;
  if (reader)
    metrics.setGlobalMeterProvider(new MeterProvider({ resource: serviceResource(env), readers: [reader] }));
  return {
    exportsTo,
    flush: async () => {
      await provider.forceFlush();
      await reader?.forceFlush();
    },
  };
}

function otlpMetricsWanted(env: Env): boolean {
  return set(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) || set(env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

function otlpMetricExporter(env: Env): PushMetricExporter {
  return metricProtocol(env) === 'http/json'
    ? new OtlpJsonMetricExporter()
    : new OtlpProtobufMetricExporter();
}

function metricProtocol(env: Env): 'http/json' | 'http/protobuf' {
  const protocol =
    env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf';
  if (protocol === 'http/json' || protocol === 'http/protobuf') return protocol;
  throw new TelemetrySettingsError(
    `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ${JSON.stringify(protocol)} is not supported: use http/protobuf (the default) or http/json.`,
  );
}

function metricInterval(env: Env): number {
  const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL || 60_000);
  if (!Number.isInteger(interval) || interval < 100)
    throw new TelemetrySettingsError(
      `OTEL_METRIC_EXPORT_INTERVAL must be a whole number of milliseconds of at least 100, not ${JSON.stringify(env.OTEL_METRIC_EXPORT_INTERVAL)}.`,
    );
  return interval;
}

function otlpExporter(env: Env): SpanExporter {
  // The exporters read the endpoint, headers, timeout and compression from the OTEL_* variables themselves.
  return otlpProtocol(env) === 'http/json' ? new OtlpJsonExporter() : new OtlpProtobufExporter();
}

function otlpProtocol(env: Env): 'http/json' | 'http/protobuf' {
  const protocol =
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf';
  if (protocol === 'http/json' || protocol === 'http/protobuf') return protocol;
  throw new TelemetrySettingsError(
    `OTEL_EXPORTER_OTLP_PROTOCOL ${JSON.stringify(protocol)} is not supported: use http/protobuf (the default) or http/json.`,
  );
}

function serviceResource(env: Env) {
  return defaultResource()
    .merge(resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || DEFAULT_SERVICE_NAME }))
    .merge(detectResources({ detectors: [envDetector] }));
}

async function flushGlobalProvider(): Promise<void> {
  const provider = trace.getTracerProvider() as {
    forceFlush?: () => Promise<void>;
    getDelegate?: () => unknown;
  };
  const delegate = (provider.getDelegate?.() ?? provider) as { forceFlush?: () => Promise<void> };
  await delegate.forceFlush?.();
}

function set(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}
