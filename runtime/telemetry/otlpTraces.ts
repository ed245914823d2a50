/**
 * Decodes an OTLP/HTTP trace export (`POST /v1/traces`, JSON or protobuf, see otlpCommon.ts) into
 * plain span records.
 */
import {
  attributesOf,
  decodeExport,
  list,
  nanos,
  OtlpDecodeError,
  serviceOf,
  type AttributeValue,
  type Hex,
  type Json,
} from './otlpCommon';

export { OtlpDecodeError, type AttributeValue };

export type SpanStatus = 'unset' | 'ok' | 'error';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP's SpanKind name without the prefix: internal, server, client, producer, consumer. */
  kind: string;
  /** Epoch milliseconds (fractional). */
  startMs: number;
  durationMs: number;
  status: SpanStatus;
  statusMessage?: string;
  attributes: Record<string, AttributeValue>;
  events: Array<{ name: string; atMs: number; attributes: Record<string, AttributeValue> }>;
  links: Array<{ traceId: string; spanId: string }>;
  /** The exporting service (`service.name` of the resource) and instrumentation scope. */
  service: string;
  scope: string;
}

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUSES: SpanStatus[] = ['unset', 'ok', 'error'];

/** Decodes a request body by its content type; throws OtlpDecodeError on anything else. */
export function decodeTraceExport(contentType: string | undefined, body: Buffer): ReceivedSpan[] {
  const { request, hex } = decodeExport('traces', contentType, body);
  return fromRequest(request, hex);
}

function fromRequest(request: unknown, hex: Hex): ReceivedSpan[] {
  if (typeof request !== 'object' || request === null || !Array.isArray((request as Json).resourceSpans))
    throw new OtlpDecodeError('The export has no resourceSpans.');
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of list((request as Json).resourceSpans)) {
    const service = serviceOf(resourceSpans.resource);
    for (const scopeSpans of list(resourceSpans.scopeSpans)) {
      const scope = String((scopeSpans.scope as Json | undefined)?.name ?? '');
      for (const span of list(scopeSpans.spans)) spans.push(spanOf(span, hex, service, scope));
    }
  }
  return spans;
}

function spanOf(span: Json, hex: Hex, service: string, scope: string): ReceivedSpan {
  const traceId = hex(span.traceId);
  const spanId = hex(span.spanId);
  if (!traceId || !spanId) throw new OtlpDecodeError('A span has no traceId or spanId.');
  const start = nanos(span.startTimeUnixNano);
  const end = nanos(span.endTimeUnixNano);
  const status = (span.status as Json | undefined) ?? {};
  const parentSpanId = hex(span.parentSpanId);
  return {
    traceId,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name: String(span.name ?? ''),
    kind: KINDS[Number(span.kind ?? 0)] ?? 'unspecified',
    startMs: start / 1e6,
    durationMs: Math.max(0, end - start) / 1e6,
    status: STATUSES[Number(status.code ?? 0)] ?? 'unset',
    ...(typeof status.message === 'string' && status.message !== '' ? { statusMessage: status.message } : {}),
    attributes: attributesOf(span.attributes),
    events: list(span.events).map((event) => ({
      name: String(event.name ?? ''),
      atMs: nanos(event.timeUnixNano) / 1e6,
      attributes: attributesOf(event.attributes),
    })),
    links: list(span.links).flatMap((link) => {
      const [linkTrace, linkSpan] = [hex(link.traceId), hex(link.spanId)];
      return linkTrace && linkSpan ? [{ traceId: linkTrace, spanId: linkSpan }] : [];
    }),
    service,
    scope,
  };
}
