/**
 * What the local OTLP receiver's decoders share: the two OTLP/HTTP encodings — `application/json`
 * (ids in hex, 64-bit integers as strings or numbers) and `application/x-protobuf` (the
 * OpenTelemetry exporters' own generated message definitions) — and OTLP's attribute values.
 */
import { createRequire } from 'node:module';

/** An attribute value as OTLP carries it, flattened to JSON. */
export type AttributeValue =
  string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

export class OtlpDecodeError extends Error {}

type Message = {
  decode(buffer: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): unknown;
};

interface ProtoRoot {
  opentelemetry: {
    proto: {
      collector: {
        trace: { v1: { ExportTraceServiceRequest: Message } };
        metrics: { v1: { ExportMetricsServiceRequest: Message } };
      };
    };
  };
}

let root: ProtoRoot | undefined;
function protoRoot(): ProtoRoot {
  root ??= createRequire(__filename)('@opentelemetry/otlp-transformer/build/src/generated/root') as ProtoRoot;
  return root;
}

export type Hex = (value: unknown) => string | undefined;
export type Json = Record<string, unknown>;

/** Parses an export request by its content type; ids are read with the returned `hex`. */
export function decodeExport(
  signal: 'traces' | 'metrics',
  contentType: string | undefined,
  body: Buffer,
): { request: unknown; hex: Hex } {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') {
    try {
      return { request: JSON.parse(body.toString('utf8')), hex: hexOfJson };
    } catch {
      throw new OtlpDecodeError('The body is not JSON.');
    }
  }
  if (type === 'application/x-protobuf') {
    const collector = protoRoot().opentelemetry.proto.collector;
    const message =
      signal === 'traces'
        ? collector.trace.v1.ExportTraceServiceRequest
        : collector.metrics.v1.ExportMetricsServiceRequest;
    const name = signal === 'traces' ? 'ExportTraceServiceRequest' : 'ExportMetricsServiceRequest';
    try {
      return {
        request: message.toObject(message.decode(body), { longs: String, enums: Number, defaults: false }),
        hex: hexOfBytes,
      };
    } catch (error) {
      throw new OtlpDecodeError(`The body is not an ${name} (${(error as Error).message}).`);
    }
  }
  throw new OtlpDecodeError(
    `Content-Type ${JSON.stringify(contentType ?? '')} is not an OTLP encoding (application/json or application/x-protobuf).`,
  );
}

const hexOfJson: Hex = (value) =>
  typeof value === 'string' && value !== '' ? value.toLowerCase() : undefined;
const hexOfBytes: Hex = (value) =>
  value instanceof Uint8Array && value.length > 0 ? Buffer.from(value).toString('hex') : undefined;

/** The objects of an OTLP list (anything else in it — `null`, a number — is not a message: skipped). */
export const list = (value: unknown): Json[] =>
  Array.isArray(value)
    ? (value.filter((item) => typeof item === 'object' && item !== null && !Array.isArray(item)) as Json[])
    : [];

/** The `service.name` of a resource. */
export function serviceOf(resource: unknown): string {
  const attributes = attributesOf((resource as Json | undefined)?.attributes);
  return typeof attributes['service.name'] === 'string' ? attributes['service.name'] : 'unknown';
}

/** Nanoseconds since the epoch (a string or number in OTLP) as a number; precision past the microsecond is not needed. */
export function nanos(value: unknown): number {
  const number = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
  if (!Number.isFinite(number)) throw new OtlpDecodeError('A span time is not a number of nanoseconds.');
  return number;
}

export function attributesOf(value: unknown): Record<string, AttributeValue> {
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
