/**
 * W3C Trace Context across the app's asynchronous hops (docs/observability.md): what travels in a
 * command document, an event envelope's metadata, an orchestration's, activity's or entity's input
 * and a CloudEvent (`traceparent` / `tracestate`, the CloudEvents distributed-tracing extension).
 * The propagator is W3C's own, used directly, so a carrier is read and written the same way whether
 * or not an exporter is configured.
 */
import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Link,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/** The trace a piece of work belongs to, as it travels in documents and messages. */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

const w3c = new W3CTraceContextPropagator();

/** The active span's context as a carrier; undefined when no span is active (tracing off). */
export function currentTrace(active: Context = context.active()): TraceCarrier | undefined {
  if (!trace.getSpanContext(active)) return undefined;
  const carrier: Record<string, string> = {};
  w3c.inject(active, carrier, defaultTextMapSetter);
  if (!carrier.traceparent) return undefined;
  return carrier.tracestate
    ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate }
    : { traceparent: carrier.traceparent };
}

/**
 * The context a carrier names, to start the next hop's span in; the root context when there is
 * none or it is malformed (a bad `traceparent` starts a new trace, it never fails the work).
 */
export function contextOf(carrier: Partial<TraceCarrier> | null | undefined): Context {
  if (!carrier || typeof carrier.traceparent !== 'string') return ROOT_CONTEXT;
  return w3c.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
}

/**
 * A link to the span a carrier names (another trace that led to this work: the request that asked
 * for a decision, a second trace in one batch); undefined when the carrier is missing or malformed.
 */
export function linkFrom(carrier: Partial<TraceCarrier> | null | undefined): Link | undefined {
  const linked = trace.getSpanContext(contextOf(carrier));
  return linked ? { context: linked } : undefined;
}

/** Reads a carrier out of an untyped value (a stored document's field), ignoring anything else. */
export function traceOf(value: unknown): TraceCarrier | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { traceparent, tracestate } = value as Record<string, unknown>;
  if (typeof traceparent !== 'string') return undefined;
  return typeof tracestate === 'string' && tracestate !== '' ? { traceparent, tracestate } : { traceparent };
}

/** The trace id of the active span, for log lines; undefined when none. */
export function currentTraceId(): string | undefined {
  return trace.getSpanContext(context.active())?.traceId;
}

/** Runs `work` with the carrier's context active (an invocation's trace, before any span of the app's). */
export function contextWith<T>(carrier: TraceCarrier, work: () => T): T {
  return context.with(contextOf(carrier), work);
}
