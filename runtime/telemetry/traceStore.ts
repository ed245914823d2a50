/**
 * The local host's recent traces (what Application Insights' transaction search gives in Azure):
 * spans received over OTLP, kept in memory up to a bound, oldest traces dropped first, and found by
 * trace id or by the value of an attribute (e.g. `cardflow.transfer_id`).
 */
import type { AttributeValue, ReceivedSpan } from './otlpTraces';

/**
 * About 400 transfers' traces. The store is a cache of the recent past: it fills within the first
 * minutes of a busy host and then stays that size. At 50 000 spans it held about 50 MiB of live
 * objects, which took a few thousand transfers to fill and grew the host's resident set by about 150
 * MiB over that time (the heap grows by a multiple of what stays live).
 */
export const DEFAULT_MAX_SPANS = 10_000;
/** No trace may take more than this share of the store (or 1 000 spans): past it, a trace's further spans are dropped. */
const MAX_TRACE_SHARE = 0.1;

interface StoredTrace {
  spans: ReceivedSpan[];
  ids: Set<string>;
}

export interface TraceSummary {
  traceId: string;
  /** The root span's name (the first span received when the root is missing). */
  name: string;
  startMs: number;
  durationMs: number;
  spans: number;
  errors: number;
}

export class TraceStore {
  /** By trace id, least recently added to first (a trace that gets a span moves to the end). */
  private readonly traces = new Map<string, StoredTrace>();
  /** attribute key → value → trace ids, for the keys asked about so far and every key indexed up front. */
  private readonly byAttribute = new Map<string, Map<string, Set<string>>>();
  private spanCount = 0;

  constructor(
    private readonly maxSpans = DEFAULT_MAX_SPANS,
    private readonly indexedKeys: readonly string[] = [],
  ) {
    for (const key of indexedKeys) this.byAttribute.set(key, new Map());
  }

  get size(): number {
    return this.spanCount;
  }

  add(spans: readonly ReceivedSpan[]): void {
    const maxPerTrace = Math.max(Math.floor(this.maxSpans * MAX_TRACE_SHARE), Math.min(this.maxSpans, 1_000));
    const touched = new Set<string>();
    for (const span of spans) {
      const trace = this.traces.get(span.traceId) ?? { spans: [], ids: new Set<string>() };
      // A re-sent export (the exporter retries) must not duplicate spans; a runaway trace stops growing.
      if (trace.ids.has(span.spanId) || trace.spans.length >= maxPerTrace) continue;
      trace.spans.push(span);
      trace.ids.add(span.spanId);
      this.traces.delete(span.traceId);
      this.traces.set(span.traceId, trace);
      touched.add(span.traceId);
      this.spanCount += 1;
      for (const [key, index] of this.byAttribute) {
        const value = span.attributes[key];
        if (value === undefined || value === null || typeof value === 'object') continue;
        const ids = index.get(String(value)) ?? new Set<string>();
        ids.add(span.traceId);
        index.set(String(value), ids);
      }
    }
    this.evict(touched);
  }

  /** A trace's spans, parents before children and siblings by start time; empty when unknown. */
  trace(traceId: string): ReceivedSpan[] {
    return inTreeOrder(this.traces.get(traceId.toLowerCase())?.spans ?? []);
  }

  /** The traces in which some span has `attributes[key] === value`, oldest first. */
  find(key: string, value: string): TraceSummary[] {
    let ids: Iterable<string>;
    const index = this.byAttribute.get(key);
    if (index) ids = index.get(value) ?? [];
    else
      ids = [...this.traces]
        .filter(([, trace]) => trace.spans.some((span) => matches(span.attributes[key], value)))
        .map(([id]) => id);
    return [...ids]
      .filter((id) => this.traces.has(id))
      .map((id) => summarise(id, (this.traces.get(id) as StoredTrace).spans))
      .sort((a, b) => a.startMs - b.startMs);
  }

  /** The most recent traces, newest first. */
  recent(limit: number): TraceSummary[] {
    return [...this.traces]
      .map(([id, trace]) => summarise(id, trace.spans))
      .sort((a, b) => b.startMs - a.startMs)
      .slice(0, limit);
  }

  /** Drops the least recently added-to traces until the store is within its bound, never one just added to. */
  private evict(touched: ReadonlySet<string>): void {
    for (const [traceId, trace] of this.traces) {
      if (this.spanCount <= this.maxSpans) return;
      if (touched.has(traceId)) continue;
      this.traces.delete(traceId);
      this.spanCount -= trace.spans.length;
      for (const index of this.byAttribute.values())
        for (const [value, ids] of index) if (ids.delete(traceId) && ids.size === 0) index.delete(value);
    }
  }
}

function matches(attribute: AttributeValue | undefined, value: string): boolean {
  return (
    attribute !== undefined &&
    attribute !== null &&
    typeof attribute !== 'object' &&
    String(attribute) === value
  );
}

function summarise(traceId: string, spans: readonly ReceivedSpan[]): TraceSummary {
  const ids = new Set(spans.map((span) => span.spanId));
  const root = spans.find((span) => !span.parentSpanId || !ids.has(span.parentSpanId)) ?? spans[0];
  const start = Math.min(...spans.map((span) => span.startMs));
  const end = Math.max(...spans.map((span) => span.startMs + span.durationMs));
  return {
    traceId,
    name: root.name,
    startMs: start,
    durationMs: end - start,
    spans: spans.length,
    errors: spans.filter((span) => span.status === 'error').length,
  };
}

/** Depth-first from the roots (spans whose parent is not in the trace), children by start time. */
function inTreeOrder(spans: readonly ReceivedSpan[]): ReceivedSpan[] {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string, ReceivedSpan[]>();
  const roots: ReceivedSpan[] = [];
  for (const span of spans) {
    if (span.parentSpanId && ids.has(span.parentSpanId)) {
      const siblings = children.get(span.parentSpanId) ?? [];
      siblings.push(span);
      children.set(span.parentSpanId, siblings);
    } else roots.push(span);
  }
  const ordered: ReceivedSpan[] = [];
  const byStart = (a: ReceivedSpan, b: ReceivedSpan) => a.startMs - b.startMs;
  const walk = (span: ReceivedSpan): void => {
    ordered.push(span);
    for (const child of (children.get(span.spanId) ?? []).sort(byStart)) walk(child);
  };
  for (const root of roots.sort(byStart)) walk(root);
  return ordered;
}
