/**
 * The local host's trace receiver: an OTLP/HTTP endpoint the app's exporter sends to (the host
 * points `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` at it when nothing else is configured, see host.ts),
 * and the routes that read the recent traces back (the dashboard's waterfall):
 *
 *   POST /runtime/otlp/v1/traces                     OTLP JSON or protobuf → 200 `{}` (partial success: none rejected)
 *   POST /runtime/otlp/v1/metrics                    the same for metrics
 *   GET  /runtime/metrics[?name=NAME]                the latest point of every series (cumulative totals)
 *   GET  /runtime/traces?attribute=KEY&value=VALUE    summaries of the traces with a span carrying KEY=VALUE
 *   GET  /runtime/traces                              the most recent traces (`?limit=`, default 50)
 *   GET  /runtime/traces/{traceId}                    the trace's spans, parents before children
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HostContext, HostService } from '../contracts';
import { readBody } from '../http/body';
import { sendJson } from '../http/json';
import { sendProblem } from '../http/problem';
import { createHostRouter, type HostRequest } from '../http/router';
import { OtlpDecodeError } from './otlpCommon';
import { decodeMetricsExport, MetricStore } from './otlpMetrics';
import { decodeTraceExport } from './otlpTraces';
import { SettingsError } from '../settings';
import { DEFAULT_MAX_SPANS, TraceStore } from './traceStore';

/** The app setting that sets how many spans the host keeps (a whole number from 1), when the option does not. */
export const TRACE_SPANS_SETTING = 'LOCAL_HOST_TRACE_SPANS';

export const OTLP_TRACES_PATH = '/runtime/otlp/v1/traces';
export const TRACES_ROUTE = '/runtime/traces';
export const OTLP_METRICS_PATH = '/runtime/otlp/v1/metrics';
export const METRICS_ROUTE = '/runtime/metrics';
const MAX_EXPORT_BYTES = 16 * 1024 * 1024;

export interface TelemetryServiceOptions {
  /** Spans kept (oldest traces go first); default the setting LOCAL_HOST_TRACE_SPANS, else 10 000. */
  maxSpans?: number;
  /** Attributes indexed as spans arrive, so finding by them stays cheap (others are found by a scan); default none. */
  indexedAttributes?: readonly string[];
}

export class TelemetryService implements HostService {
  readonly name = 'telemetry';
  private traces: TraceStore;
  readonly metrics = new MetricStore();
  private readonly router = createHostRouter([
    {
      base: '/runtime/otlp',
      routes: [
        { method: 'POST', path: 'v1/traces', handle: (request) => this.receive(request, 'traces') },
        { method: 'POST', path: 'v1/metrics', handle: (request) => this.receive(request, 'metrics') },
      ],
      notFound: ({ res, url }) =>
        sendProblem(res, {
          status: 404,
          title: 'Not Found',
          detail: `The local OTLP receiver takes traces (POST ${OTLP_TRACES_PATH}) and metrics (POST ${OTLP_METRICS_PATH}).`,
          instance: url.pathname,
        }),
    },
    {
      base: TRACES_ROUTE,
      routes: [
        { method: 'GET', path: '', handle: (request) => this.list(request) },
        { method: 'GET', path: '{traceId}', handle: (request) => this.one(request) },
      ],
      notFound: ({ res, url }) =>
        sendProblem(res, {
          status: 404,
          title: 'Not Found',
          detail: `No route ${url.pathname}.`,
          instance: url.pathname,
        }),
    },
    {
      base: METRICS_ROUTE,
      routes: [
        {
          method: 'GET',
          path: '',
          handle: ({ res, url }) =>
            sendJson(res, 200, { metrics: this.metrics.points(url.searchParams.get('name') ?? undefined) }),
        },
      ],
    },
  ]);

  constructor(private readonly options: TelemetryServiceOptions = {}) {
    this.traces = new TraceStore(options.maxSpans ?? DEFAULT_MAX_SPANS, options.indexedAttributes ?? []);
  }

  start(ctx: HostContext): void {
    if (this.options.maxSpans !== undefined) return;
    const text = ctx.settings[TRACE_SPANS_SETTING];
    if (text === undefined || text.trim() === '') return;
    const maxSpans = Number(text);
    if (!/^\s*\d+\s*$/.test(text) || maxSpans < 1)
      throw new SettingsError(
        `${TRACE_SPANS_SETTING} must be a whole number of spans from 1 (default ${DEFAULT_MAX_SPANS}), not ${JSON.stringify(text)}.`,
      );
    this.traces = new TraceStore(maxSpans, this.options.indexedAttributes ?? []);
  }

  stop(): void {}

  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    return this.router.handle(req, res, url);
  }

  private async receive({ req, res, url }: HostRequest, signal: 'traces' | 'metrics'): Promise<void> {
    const read = await readBody(req, MAX_EXPORT_BYTES);
    if (read.tooLarge) {
      sendProblem(res, {
        status: 413,
        title: 'Content Too Large',
        detail: 'A trace export is limited to 16 MiB.',
      });
      return;
    }
    try {
      const contentType = req.headers['content-type'];
      if (signal === 'traces') this.traces.add(decodeTraceExport(contentType, read.body));
      else this.metrics.add(decodeMetricsExport(contentType, read.body));
    } catch (error) {
      // Whatever the decoder trips on, the body was not an export this receiver can read.
      const message = error instanceof Error ? error.message : String(error);
      const unsupported = error instanceof OtlpDecodeError && message.startsWith('Content-Type');
      sendProblem(res, {
        status: unsupported ? 415 : 400,
        title: unsupported ? 'Unsupported Media Type' : 'Bad Request',
        detail:
          error instanceof OtlpDecodeError ? message : `The body is not a valid OTLP export (${message}).`,
        instance: url.pathname,
      });
      return;
    }
    // OTLP/HTTP: a full success is an empty ExportTraceServiceResponse, in the request's encoding.
    if ((req.headers['content-type'] ?? '').includes('protobuf')) {
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
      res.end();
    } else sendJson(res, 200, {});
  }

  private list({ res, url }: HostRequest): void {
    const attribute = url.searchParams.get('attribute');
    const value = url.searchParams.get('value');
    if ((attribute === null) !== (value === null)) {
      sendProblem(res, {
        status: 400,
        title: 'Bad Request',
        detail:
          'Give both `attribute` and `value` (e.g. ?attribute=cardflow.transfer_id&value=tr-1), or neither.',
        instance: url.pathname,
      });
      return;
    }
    const limitText = url.searchParams.get('limit') ?? '50';
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      sendProblem(res, {
        status: 400,
        title: 'Bad Request',
        detail: `limit must be an integer from 1 to 1000, not ${JSON.stringify(limitText)}.`,
        instance: url.pathname,
      });
      return;
    }
    const traces =
      attribute !== null && value !== null
        ? this.traces.find(attribute, value).slice(-limit)
        : this.traces.recent(limit);
    sendJson(res, 200, { traces });
  }

  private one({ res, url, params }: HostRequest): void {
    const spans = this.traces.trace(params.traceId);
    if (spans.length === 0) {
      sendProblem(res, {
        status: 404,
        title: 'Not Found',
        detail: `The host keeps no trace ${params.traceId} (it keeps the most recent spans only).`,
        instance: url.pathname,
      });
      return;
    }
    sendJson(res, 200, { traceId: params.traceId.toLowerCase(), spans });
  }
}
