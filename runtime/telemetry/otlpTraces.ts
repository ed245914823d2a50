/**
 * Decodes an OTLP/HTTP trace export (`POST /v1/traces`) in either of the protocol's encodings —
 * `application/json` (ids in hex, 64-bit integers as strings or numbers) and
 * `application/x-protobuf` (`ExportTraceServiceRequest`) — into plain span records.
 */
import { createRequire } from 'node:module';

/** An attribute value as OTLP carries it, flattened to JSON. */
export type AttributeValue =
  string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

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

export class OtlpDecodeError extends Error {}

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUSES: SpanStatus[] = ['unset', 'ok', 'error'];

interface ProtoRoot {
  opentelemetry: {
    proto: {
      collector: {
        trace: {
          v1: {
            ExportTraceServiceRequest: {
              decode(buffer: Uint8Array): unknown;
              toObject(message: unknown, options: Record<string, unknown>): unknown;
            };
          };
        };
      };
    };
  };
}

let root: ProtoRoot | undefined;
function protoRoot(): ProtoRoot {
  // The OpenTelemetry exporters' own generated definitions of the OTLP messages.
  root ??= createRequire(__filename)('@opentelemetry/otlp-transformer/build/src/generated/root') as ProtoRoot;
  return root;
}

/** Decodes a request body by its content type; throws OtlpDecodeError on anything else. */
export function decodeTraceExport(contentType: string | undefined, body: Buffer): ReceivedSpan[] {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new OtlpDecodeError('The body is not JSON.');
    }
    return fromRequest(parsed, hexOfJson);
  }
  if (type === 'application/x-protobuf') {
    const message = protoRoot().opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
    let decoded: unknown;
    try {
      decoded = message.toObject(message.decode(body), { longs: String, enums: Number, defaults: false });
    } catch (error) {
      throw new OtlpDecodeError(
        `The body is not an ExportTraceServiceRequest (${(error as Error).message}).`,
      );
    }
    return fromRequest(decoded, hexOfBytes);
  }
  throw new OtlpDecodeError(
    `Content-Type ${JSON.stringify(contentType ?? '')} is not an OTLP encoding (application/json or application/x-protobuf).`,
  );
}

type Hex = (value: unknown) => string | undefined;
const hexOfJson: Hex = (value) =>
  typeof value === 'string' && value !== '' ? value.toLowerCase() : undefined;
const hexOfBytes: Hex = (value) =>
  value instanceof Uint8Array && value.length > 0 ? Buffer.from(value).toString('hex') : undefined;

type Json = Record<string, unknown>;
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

function fromRequest(request: unknown, hex: Hex): ReceivedSpan[] {
  if (typeof request !== 'object' || request === null || !Array.isArray((request as Json).resourceSpans))
    throw new OtlpDecodeError('The export has no resourceSpans.');
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of list((request as Json).resourceSpans)) {
    const resource = attributesOf((resourceSpans.resource as Json | undefined)?.attributes);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown';
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

/** Nanoseconds since the epoch (a string or number in OTLP) as a number; precision past the microsecond is not needed. */
function nanos(value: unknown): number {
  const number = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
  if (!Number.isFinite(number)) throw new OtlpDecodeError('A span time is not a number of nanoseconds.');
  return number;
}

function attributesOf(value: unknown): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (const { key, value: any } of list(value)) if (typeof key === 'string') attributes[key] = valueOf(any);
  return attributes;
}

function valueOf(any: unknown): AttributeValue {
  if (typeof any !== 'object' || any === null) return null;
  const v = any as Json;
  if ('stringValue' in v) return String(v.stringValue);
  if ('boolValue' in v) return Boolean(v.boolValue);
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return list((v.arrayValue as Json | undefined)?.values).map(valueOf);
  if ('kvlistValue' in v) return attributesOf((v.kvlistValue as Json | undefined)?.values);
  if ('bytesValue' in v) return hexOfBytes(v.bytesValue) ?? String(v.bytesValue);
  return null;
}
