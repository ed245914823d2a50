/**
 * The app's spans: one helper that starts a span (as a child of the active span, or of a carrier
 * that came with the work), runs the work in it, marks a thrown error and ends it. Without an
 * exporter configured the OpenTelemetry API is a no-op and so is this.
 */
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanOptions as OtelSpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { contextOf, type TraceCarrier } from './traceContext';

export { SpanKind, type Span, type Attributes };

export const TRACER_NAME = 'cardflow';

export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /**
   * The trace the work came with (from a document, an event, an input). Given, the span continues
   * it — even inside an invocation the platform traced on its own (a change-feed or timer trigger
   * starts a new trace in Azure): that invocation's span is then linked, not the parent. Undefined:
   * the active span is the parent; `null`: none is.
   */
  parent?: TraceCarrier | null;
  links?: Link[];
}

/**
 * Runs `work` in a new span named `name`; a throw marks the span as an error (with the exception
 * recorded) and is re-thrown.
 *
 * @example
 * await inSpan('command DecideTransfer', { kind: SpanKind.CONSUMER, parent: doc.trace }, async (span) => {
 *   span.setAttribute('cardflow.command.outcome', 'succeeded');
 * });
 */
export function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T> | T,
): Promise<T> {
  const [start, parent] = startOf(options);
  return tracer().startActiveSpan(name, start, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** {@link inSpan} for synchronous work (a durable entity's operation runs synchronously). */
export function inSpanSync<T>(name: string, options: SpanOptions, work: (span: Span) => T): T {
  const [start, parent] = startOf(options);
  return tracer().startActiveSpan(name, start, parent, (span) => {
    try {
      return work(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * How a span starts, and in which context: a carrier given is the parent, and the invocation's own
 * span (active, from another trace) is linked; otherwise the active span is the parent.
 */
function startOf(options: SpanOptions): [OtelSpanOptions, Context] {
  const active = context.active();
  const continues = options.parent !== undefined;
  const parent = continues ? contextOf(options.parent) : active;
  const invocation = continues ? trace.getSpanContext(active) : undefined;
  const links =
    invocation && invocation.traceId !== trace.getSpanContext(parent)?.traceId
      ? [...(options.links ?? []), { context: invocation }]
      : options.links;
  return [{ kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links }, parent];
}

/** Marks a span as failed: an exception is recorded, a string becomes the status message. */
export function markFailed(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/** A span that marks a moment (start = end), e.g. an orchestration episode resuming. */
export function markMoment(name: string, options: SpanOptions): void {
  const parent = options.parent === undefined ? context.active() : contextOf(options.parent);
  const at = Date.now();
  tracer()
    .startSpan(
      name,
      {
        kind: options.kind ?? SpanKind.INTERNAL,
        attributes: options.attributes,
        links: options.links,
        startTime: at,
      },
      parent,
    )
    .end(at);
}

/** Adds attributes to the active span (e.g. ids a handler learns as it goes); nothing when none is active. */
export function annotate(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}
