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
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

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
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return { exportsTo, flush: () => provider.forceFlush() };
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
