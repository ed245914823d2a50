/**
 * A trace as a waterfall (what App Insights' end-to-end transaction view draws): one row per span
 * in tree order, its depth from the parent links, its bar's offset and width as fractions of the
 * whole trace, its duration in words, its component and its status. Pure: no DOM.
 */

export type SpanStatus = 'unset' | 'ok' | 'error';

/** The parts of a span the waterfall reads (the local host's `/runtime/traces/{traceId}` shape). */
export interface TraceSpan {
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: string;
  startMs: number;
  durationMs: number;
  status: SpanStatus;
  statusMessage?: string;
  attributes: Readonly<Record<string, unknown>>;
}

export interface WaterfallRow {
  spanId: string;
  name: string;
  /** 0 for a root (or a span whose parent is not in the trace), parent's depth + 1 otherwise. */
  depth: number;
  /** Where the bar starts, as a fraction (0–1) of the trace's span of time. */
  offset: number;
  /** How long the bar is, as a fraction (0–1) of the trace's span of time; never past its end. */
  width: number;
  /** Milliseconds from the trace's start to the span's. */
  startOffsetMs: number;
  durationMs: number;
  /** e.g. "12.3 ms". */
  duration: string;
  /** `cardflow.component` (http api, command handler, …), else the span's kind, else "—". */
  component: string;
  status: SpanStatus;
  /** "Error: <message>", "OK" or "No error" (OpenTelemetry's unset). */
  statusText: string;
}

export interface Waterfall {
  rows: WaterfallRow[];
  startMs: number;
  durationMs: number;
  /** The whole trace's duration in words. */
  duration: string;
  errors: number;
}

/** A duration in milliseconds for people: "0.42 ms", "12.3 ms", "1,234 ms". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms).toLocaleString('en-GB')} ms`;
}

export function statusText(status: SpanStatus, message?: string): string {
  if (status === 'error') return message ? `Error: ${message}` : 'Error';
  return status === 'ok' ? 'OK' : 'No error';
}

function componentOf(span: TraceSpan): string {
  const component = span.attributes['cardflow.component'];
  if (typeof component === 'string' && component !== '') return component;
  return span.kind && span.kind !== '' ? span.kind : '—';
}

const clamp = (value: number): number => Math.min(1, Math.max(0, value));

/**
 * The rows of a trace: parents before their children, siblings by start time (ties keep the order
 * given), each indented by its depth and placed on the trace's time axis.
 */
export function layoutWaterfall(spans: readonly TraceSpan[]): Waterfall {
  if (spans.length === 0) return { rows: [], startMs: 0, durationMs: 0, duration: formatMs(0), errors: 0 };
  const startMs = Math.min(...spans.map((span) => span.startMs));
  const endMs = Math.max(...spans.map((span) => span.startMs + Math.max(0, span.durationMs)));
  const total = endMs - startMs;
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string | undefined, TraceSpan[]>();
  for (const span of spans) {
    // A parent outside the trace (a remote caller, or a span not received) makes this span a root.
    const parent =
      span.parentSpanId && span.parentSpanId !== span.spanId && ids.has(span.parentSpanId)
        ? span.parentSpanId
        : undefined;
    const siblings = children.get(parent) ?? [];
    siblings.push(span);
    children.set(parent, siblings);
  }
  for (const siblings of children.values()) siblings.sort((a, b) => a.startMs - b.startMs);

  const rows: WaterfallRow[] = [];
  const placed = new Set<string>();
  const visit = (span: TraceSpan, depth: number): void => {
    if (placed.has(span.spanId)) return;
    placed.add(span.spanId);
    const offset = total > 0 ? clamp((span.startMs - startMs) / total) : 0;
    const width = total > 0 ? Math.min(clamp(Math.max(0, span.durationMs) / total), 1 - offset) : 1;
    rows.push({
      spanId: span.spanId,
      name: span.name,
      depth,
      offset,
      width,
      startOffsetMs: span.startMs - startMs,
      durationMs: span.durationMs,
      duration: formatMs(span.durationMs),
      component: componentOf(span),
      status: span.status,
      statusText: statusText(span.status, span.statusMessage),
    });
    for (const child of children.get(span.spanId) ?? []) visit(child, depth + 1);
  };
  for (const root of children.get(undefined) ?? []) visit(root, 0);
  // Spans only reachable through a cycle of parent links: shown as roots rather than lost.
  for (const span of spans) visit(span, 0);
  return {
    rows,
    startMs,
    durationMs: total,
    duration: formatMs(total),
    errors: rows.filter((row) => row.status === 'error').length,
  };
}
