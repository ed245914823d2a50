import { z } from 'zod';
import { DomainEvent, DomainEventSchema, InstantSchema } from './events';

/** Version of the event data layout; bump with an upcaster when an event's data changes shape. */
export const CURRENT_SCHEMA_VERSION = 1;

/** Event ids are deterministic per writer (e.g. `{transferId}:reserve`), so they are free text. */
export const EventIdSchema = z.string().min(1).max(256);
export const StreamIdSchema = z.string().regex(/^(account|transfer)-[a-z0-9][a-z0-9-]{2,63}$/);

export const EventMetadataSchema = z.strictObject({
  /** The id shared by everything one request caused (usually the first command id). */
  correlationId: z.string().min(1).max(256),
  /** The id of the command or event that directly caused this one. */
  causationId: z.string().min(1).max(256),
  /** The command this event was decided from, when there was one. */
  commandId: z.string().min(1).max(256).optional(),
  occurredAt: InstantSchema,
  /** W3C Trace Context of the work that appended the event (docs/observability.md); the handlers continue it. */
  traceparent: z.string().max(64).optional(),
  tracestate: z.string().max(512).optional(),
});
export type EventMetadata = z.infer<typeof EventMetadataSchema>;

const EnvelopeBaseSchema = z.strictObject({
  id: EventIdSchema,
  streamId: StreamIdSchema,
  /** Position in the stream, from 1. */
  version: z.int().min(1),
  type: z.string(),
  data: z.unknown(),
  metadata: EventMetadataSchema,
  schemaVersion: z.int().min(1),
});

/**
 * A stored event: `{id, streamId, version, type, data, metadata, schemaVersion}`. Parsing also
 * checks that `type` and `data` form a valid domain event.
 */
export const EventEnvelopeSchema = EnvelopeBaseSchema.superRefine((envelope, ctx) => {
  const result = DomainEventSchema.safeParse({ type: envelope.type, data: envelope.data });
  if (!result.success) {
    for (const issue of result.error.issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    }
  }
});

/** An envelope around domain event `E`; `type` and `data` stay correlated. */
export type EventEnvelope<E extends DomainEvent = DomainEvent> = E extends DomainEvent
  ? {
      id: string;
      streamId: string;
      version: number;
      type: E['type'];
      data: E['data'];
      metadata: EventMetadata;
      schemaVersion: number;
    }
  : never;

export interface EnvelopeOptions {
  id: string;
  streamId: string;
  version: number;
  metadata: EventMetadata;
}

/** Wraps a domain event for storage. */
export function toEnvelope<E extends DomainEvent>(event: E, options: EnvelopeOptions): EventEnvelope<E> {
  return {
    id: options.id,
    streamId: options.streamId,
    version: options.version,
    type: event.type,
    data: event.data,
    metadata: options.metadata,
    schemaVersion: CURRENT_SCHEMA_VERSION,
  } as EventEnvelope<E>;
}

/** The domain event inside an envelope. */
export function fromEnvelope<E extends DomainEvent>(envelope: EventEnvelope<E>): E {
  return { type: envelope.type, data: envelope.data } as E;
}

/**
 * Wraps events decided together for appending after `expectedVersion`: versions follow on, ids
 * are `{idPrefix}:{index}` unless `ids` gives each its own (deterministic ids make appends idempotent).
 */
export function envelopeAll<E extends DomainEvent>(
  events: readonly E[],
  options: {
    streamId: string;
    expectedVersion: number;
    metadata: EventMetadata;
    idPrefix: string;
    ids?: readonly string[];
  },
): EventEnvelope<E>[] {
  return events.map((event, index) =>
    toEnvelope(event, {
      id: options.ids?.[index] ?? `${options.idPrefix}:${index}`,
      streamId: options.streamId,
      version: options.expectedVersion + index + 1,
      metadata: options.metadata,
    }),
  );
}
