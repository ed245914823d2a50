import type { EventMetadata } from '../domain';
import type { ActivityContext } from './contracts';

/** The metadata of the events an activity appends: the process's correlation, and orchestration time. */
export function metadataOf(context: ActivityContext): EventMetadata {
  return { correlationId: context.correlationId, causationId: context.causationId, occurredAt: context.at };
}
