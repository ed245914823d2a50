/**
 * A transfer's traces from the local host's trace store (`/runtime/traces`, fed by the app's own
 * OTLP export): the summaries of the traces naming the transfer, and one trace's spans. Like the
 * Durable HTTP API these routes are the host's, not the app's: they take the same `code` query
 * (the master key, when keys are configured). Azure has no such route (404): Application Insights
 * keeps the traces there. Fetching and parsing only: no DOM.
 */
import { ApiError } from './api.js';
import { parseProblem } from './problem.js';
import type { SpanStatus, TraceSpan } from './waterfall.js';

export interface TraceSummary {
  traceId: string;
  /** The root span's name, e.g. "POST /api/transfers". */
  name: string;
  startMs: number;
  durationMs: number;
  spans: number;
  errors: number;
}

/** What the host answered for a transfer: its traces, or that it keeps none (404, or none found). */
export type TraceListing = { kept: true; traces: TraceSummary[] } | { kept: false; status: number };

export interface TraceClient {
  /** The transfer's traces, its own (rooted at `POST /api/transfers`) first, the others oldest first. */
  tracesOf(transferId: string): Promise<TraceListing>;
  /** One trace's spans, parents before children; undefined when the host no longer keeps it. */
  trace(traceId: string): Promise<TraceSpan[] | undefined>;
}

export interface TraceClientOptions {
  fetch?: typeof fetch;
  /** Default "/runtime/traces". */
  base?: string;
  /** Query parameters every call needs (the Durable API's: `code` with the key). */
  query?: Record<string, string>;
}

/** The name of the trace a transfer's request starts: the transfer's own, end to end. */
export const TRANSFER_ROOT = 'POST /api/transfers';

/** The transfer's own trace first, then the rest (single requests: look-ups, decisions) oldest first. */
export function transferTraceFirst(traces: readonly TraceSummary[]): TraceSummary[] {
  const byStart = [...traces].sort((a, b) => a.startMs - b.startMs);
  return [
    ...byStart.filter((trace) => trace.name === TRANSFER_ROOT),
    ...byStart.filter((trace) => trace.name !== TRANSFER_ROOT),
  ];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function field(record: Record<string, unknown>, name: string, where: string): string {
  const value = str(record[name]);
  if (value === undefined || value === '') throw new Error(`${where}: ${name} is missing`);
  return value;
}

export function parseTraceSummaries(body: unknown): TraceSummary[] {
  if (!isRecord(body) || !Array.isArray(body.traces)) throw new Error('traces: expected {traces: [...]}');
  return body.traces.map((item, i) => {
    if (!isRecord(item)) throw new Error(`traces[${i}]: expected an object`);
    return {
      traceId: field(item, 'traceId', `traces[${i}]`),
      name: str(item.name) ?? '(unnamed)',
      startMs: num(item.startMs),
      durationMs: num(item.durationMs),
      spans: num(item.spans),
      errors: num(item.errors),
    };
  });
}

const STATUSES: readonly SpanStatus[] = ['unset', 'ok', 'error'];

export function parseTraceSpans(body: unknown): TraceSpan[] {
  if (!isRecord(body) || !Array.isArray(body.spans)) throw new Error('trace: expected {spans: [...]}');
  return body.spans.map((item, i) => {
    if (!isRecord(item)) throw new Error(`spans[${i}]: expected an object`);
    const status = STATUSES.find((s) => s === item.status) ?? 'unset';
    const parentSpanId = str(item.parentSpanId);
    const statusMessage = str(item.statusMessage);
    const kind = str(item.kind);
    return {
      spanId: field(item, 'spanId', `spans[${i}]`),
      ...(parentSpanId ? { parentSpanId } : {}),
      name: str(item.name) ?? '(unnamed)',
      ...(kind ? { kind } : {}),
      startMs: num(item.startMs),
      durationMs: num(item.durationMs),
      status,
      ...(statusMessage ? { statusMessage } : {}),
      attributes: isRecord(item.attributes) ? item.attributes : {},
    };
  });
}

export function createTraceClient(options: TraceClientOptions = {}): TraceClient {
  const doFetch =
    options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const base = options.base ?? '/runtime/traces';
  const extra = options.query ?? {};
  const url = (path: string, query: Record<string, string> = {}): string => {
    const params = new URLSearchParams({ ...query, ...extra }).toString();
    return `${base}${path}${params ? `?${params}` : ''}`;
  };

  /** The parsed body, or the status when the host has no such route or trace (404). */
  async function get(target: string): Promise<{ body: unknown } | { missing: number }> {
    let response: Response;
    try {
      response = await doFetch(target, { headers: { accept: 'application/json' } });
    } catch (error) {
      throw new ApiError(
        { status: 0, title: 'Network error', detail: error instanceof Error ? error.message : String(error) },
        target,
      );
    }
    const text = await response.text();
    if (response.status === 404) return { missing: 404 };
    if (!response.ok)
      throw new ApiError(
        parseProblem(response.status, response.statusText, response.headers.get('content-type'), text),
        target,
      );
    try {
      return { body: JSON.parse(text) as unknown };
    } catch {
      // Something else answered the route (an HTML page, say): no trace store here.
      return { missing: response.status };
    }
  }

  return {
    async tracesOf(transferId) {
      const answer = await get(url('', { attribute: 'cardflow.transfer_id', value: transferId }));
      if ('missing' in answer) return { kept: false, status: answer.missing };
      const traces = parseTraceSummaries(answer.body);
      return traces.length === 0
        ? { kept: false, status: 200 }
        : { kept: true, traces: transferTraceFirst(traces) };
    },
    async trace(traceId) {
      const answer = await get(url(`/${encodeURIComponent(traceId)}`));
      if ('missing' in answer) return undefined;
      return parseTraceSpans(answer.body);
    },
  };
}
