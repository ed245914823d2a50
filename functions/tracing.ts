/**
 * Tracing for every invocation (docs/observability.md): the app's telemetry is set up from the
 * environment before any function is registered, and each invocation runs in the trace context the
 * Functions host gives it (`InvocationContext.traceContext`: in Azure the host's own span for the
 * invocation, locally the HTTP request's `traceparent`) — what Azure's Functions instrumentation
 * for OpenTelemetry does. Work that brings its own trace (a command document, an event, a process
 * input) continues that one and links the invocation (telemetry/spans.ts).
 */
import { app } from '@azure/functions';
import { contextWith, startTelemetry } from '../telemetry';

const telemetry = startTelemetry();

if (telemetry.exportsTo !== 'off')
  app.hook.preInvocation((hook) => {
    const trace = hook.invocationContext.traceContext;
    if (!trace?.traceParent) return;
    const handler = hook.functionHandler;
    const carrier = {
      traceparent: trace.traceParent,
      ...(trace.traceState ? { tracestate: trace.traceState } : {}),
    };
    hook.functionHandler = (...args: unknown[]) =>
      contextWith(carrier, () => handler(...(args as Parameters<typeof handler>)));
  });

export { telemetry };
