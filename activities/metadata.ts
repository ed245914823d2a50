import type { EventMetadata } from '../domain';
import { currentTrace } from '../telemetry';
import type { ActivityContext } from './contracts';

/**
 * The metadata of the events an activity appends: the process's correlation, orchestration time,
 * and the trace of the activity's span (the handlers after it continue that one).
 */
export function metadataOf(context: ActivityContext): EventMetadata {
  return {
    correlationId: context.correlationId,
    causationId: context.causationId,
    occurredAt: context.at,
    ...(currentTrace() ?? (context.trace ? { ...context.trace } : {})),
  };
}
