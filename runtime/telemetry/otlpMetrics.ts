/**
 * Decodes an OTLP/HTTP metrics export (`POST /v1/metrics`, JSON or protobuf, see otlpCommon.ts)
 * into one record per data point: sums and gauges as a value, histograms as count, sum and buckets.
 */
import {
  attributesOf,
  decodeExport,
  list,
  nanos,
  OtlpDecodeError,
  serviceOf,
  type AttributeValue,
  type Json,
} from './otlpCommon';

export interface ReceivedPoint {
  name: string;
  unit: string;
  kind: 'sum' | 'gauge' | 'histogram';
  service: string;
  attributes: Record<string, AttributeValue>;
  /** Epoch milliseconds of the point. */
  atMs: number;
  /** Sums and gauges. */
  value?: number;
  /** Histograms. */
  count?: number;
  sum?: number;
  buckets?: Array<{ le: number; count: number }>;
}

export function decodeMetricsExport(contentType: string | undefined, body: Buffer): ReceivedPoint[] {
  const { request } = decodeExport('metrics', contentType, body);
  if (typeof request !== 'object' || request === null || !Array.isArray((request as Json).resourceMetrics))
    throw new OtlpDecodeError('The export has no resourceMetrics.');
  const points: ReceivedPoint[] = [];
  for (const resourceMetrics of list((request as Json).resourceMetrics)) {
    const service = serviceOf(resourceMetrics.resource);
    for (const scopeMetrics of list(resourceMetrics.scopeMetrics))
      for (const metric of list(scopeMetrics.metrics)) points.push(...pointsOf(metric, service));
  }
  return points;
}

function pointsOf(metric: Json, service: string): ReceivedPoint[] {
  const base = { name: String(metric.name ?? ''), unit: String(metric.unit ?? ''), service };
  const number = (point: Json): number =>
    point.asDouble !== undefined ? Number(point.asDouble) : Number(point.asInt ?? 0);
  for (const kind of ['sum', 'gauge'] as const) {
    const data = metric[kind] as Json | undefined;
    if (data)
      return list(data.dataPoints).map((point) => ({
        ...base,
        kind,
        attributes: attributesOf(point.attributes),
        atMs: nanos(point.timeUnixNano ?? 0) / 1e6,
        value: number(point),
      }));
  }
  const histogram = metric.histogram as Json | undefined;
  if (histogram)
    return list(histogram.dataPoints).map((point) => {
      const bounds = (Array.isArray(point.explicitBounds) ? point.explicitBounds : []).map(Number);
      const counts = (Array.isArray(point.bucketCounts) ? point.bucketCounts : []).map(Number);
      return {
        ...base,
        kind: 'histogram' as const,
        attributes: attributesOf(point.attributes),
        atMs: nanos(point.timeUnixNano ?? 0) / 1e6,
        count: Number(point.count ?? 0),
        sum: Number(point.sum ?? 0),
        buckets: counts.map((count, i) => ({ le: i < bounds.length ? bounds[i] : Infinity, count })),
      };
    });
  return [];
}

/**
 * The latest point of every metric series (name + attributes) the app exported: OTLP exporters send
 * cumulative values by default, so the latest point is the running total.
 */
export class MetricStore {
  private readonly series = new Map<string, ReceivedPoint>();

  add(points: readonly ReceivedPoint[]): void {
    for (const point of points) {
      const key = `${point.name}\u0000${JSON.stringify(Object.entries(point.attributes).sort())}`;
      const known = this.series.get(key);
      if (!known || known.atMs <= point.atMs) this.series.set(key, point);
    }
  }

  /** Every series, or those of one metric, sorted by name. */
  points(name?: string): ReceivedPoint[] {
    return [...this.series.values()]
      .filter((point) => name === undefined || point.name === name)
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
