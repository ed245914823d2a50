/**
 * The primary event handler's work on one change-feed batch of the `events` container, in the
 * order of docs/architecture.md, the flow: update the read models, start a transfer process for each
 * TransferRequested, then publish every event to Event Grid. Each step is idempotent, and any
 * failure throws, so the change feed redelivers the batch and its checkpoint never passes an event
 * that was not fully handled.
 */
import type { EventEnvelope } from '../../domain/envelope';
import { DomainEventSchema, type TransferRequested } from '../../domain/events';
import { fromEventDocument, type EventStore, type Views } from '../../stores';
import type { EventPublisher, PublishableEvent } from '../../stores/eventPublisher';
import type { TransferPolicy, TransferProcessInput } from '../../orchestrations/contracts';
import {
  attr,
  currentTrace,
  inSpan,
  linkFrom,
  SpanKind,
  traceOf,
  type Attributes,
  type TraceCarrier,
} from '../../telemetry';
import type { TransferProcessClient } from '../transferProcessClient';
import { inParallel } from './inParallel';
import { byStream, updateViews, type ViewUpdate } from './updateViews';

/** Streams of one change-feed batch handled at once. */
const STREAMS_AT_ONCE = 16;

export interface EventHandlerDeps {
  stores: { events: EventStore; views: Views };
  /** Undefined when the app has no transfer process registered (then nothing is started). */
  processes: () => TransferProcessClient | undefined;
  publisher: () => EventPublisher;
  policy: () => TransferPolicy;
  log: {
    info(message: string, fields?: Record<string, string>): void;
    warn(message: string): void;
    error(message: string): void;
  };
}

export interface EventBatchResult {
  views: ViewUpdate[];
  /** Transfer ids whose process this batch started (not those already running). */
  started: string[];
  published: number;
  invalid: string[];
}

/** The process input for a requested transfer (contract in orchestrations/contracts.ts). */
export function transferProcessInput(
  envelope: EventEnvelope<TransferRequested>,
  policy: TransferPolicy,
): TransferProcessInput {
  const { transferId, fromAccountId, toAccountId, amount, requestedBy, note } = envelope.data;
  return {
    transferId,
    fromAccountId,
    toAccountId,
    amount,
    requestedBy,
    ...(note === undefined ? {} : { note }),
    requestedAt: envelope.metadata.occurredAt,
    policy,
    correlationId: envelope.metadata.correlationId,
    causationId: envelope.id,
  };
}

export async function handleEvents(
  deps: EventHandlerDeps,
  documents: readonly unknown[],
): Promise<EventBatchResult> {
  const all: EventEnvelope[] = [];
  const invalid: string[] = [];
  for (const document of documents) {
    let envelope: EventEnvelope;
    try {
      envelope = fromEventDocument<EventEnvelope>(document as object);
    } catch (error) {
      // Not a stored event at all (nothing to project or publish): skipped, but never silently.
      const id = String((document as { id?: unknown } | null)?.id);
      deps.log.error(
        `document ${id} of the events container is not a stored event; skipped: ${String(error)}`,
      );
      invalid.push(id);
      continue;
    }
    // Only what the projections read is checked, so metadata may grow without views skipping events.
    const parsed = DomainEventSchema.safeParse({ type: envelope.type, data: envelope.data });
    const occurredAt = (envelope.metadata as { occurredAt?: unknown } | undefined)?.occurredAt;
    if (!parsed.success || typeof occurredAt !== 'string') {
      // A fact that breaks the schema cannot be projected; it is still published, and the log says so.
      const why = parsed.success ? 'metadata.occurredAt is missing' : parsed.error.message;
      deps.log.error(
        `event ${envelope.id} of ${envelope.streamId} is not a valid ${envelope.type}; views skip it: ${why}`,
      );
      invalid.push(envelope.id);
    }
    all.push(envelope);
  }
  const valid = all.filter((envelope) => !invalid.includes(envelope.id));
  const requested = valid.filter(
    (envelope): envelope is EventEnvelope<TransferRequested> => envelope.type === 'TransferRequested',
  );
  const processes = requested.length > 0 ? deps.processes() : undefined;
  if (requested.length > 0 && !processes)
    deps.log.warn(
      `no transfer process is registered: ${requested.length} requested transfer(s) will not be processed`,
    );

  // Stream by stream, each in a span that continues the trace its events were appended in. Streams
  // are independent (each has views of its own, written with a version check), so several are
  // handled at once: starting a process is two round trips to the durable client, and one stream
  // after the other the feed fell behind the processes it starts.
  const publishedIn = new Map<string, TraceCarrier>();
  const handled = await inParallel([...byStream(valid)], STREAMS_AT_ONCE, ([streamId, events]) => {
    const traces = events.map((envelope) => traceOf(envelope.metadata)).filter((t) => t !== undefined);
    const [parent, ...others] = [...new Map(traces.map((t) => [t.traceparent, t])).values()];
    return inSpan(
      `handle events ${streamId}`,
      {
        kind: SpanKind.CONSUMER,
        parent: parent ?? null,
        attributes: streamAttributes(streamId, events),
        links: others.map(linkFrom).filter((link) => link !== undefined),
      },
      async () => {
        const views = await updateViews(deps.stores, events);
        const started: string[] = [];
        for (const envelope of events) {
          if (envelope.type !== 'TransferRequested' || !processes) continue;
          const trace = currentTrace();
          const input = {
            ...transferProcessInput(envelope as EventEnvelope<TransferRequested>, deps.policy()),
            ...(trace ? { trace } : {}),
          };
          if (!(await processes.startOnce(input))) continue;
          started.push(input.transferId);
          deps.log.info(`started the process of transfer ${input.transferId}`, {
            transferId: input.transferId,
          });
        }
        const here = currentTrace();
        if (here) for (const envelope of events) publishedIn.set(envelope.id, here);
        return { views, started };
      },
    );
  });
  const views = handled.flatMap((stream) => stream.views);
  const started = handled.flatMap((stream) => stream.started);

  if (all.length > 0)
    await deps.publisher().publish(
      all.map((envelope): PublishableEvent => {
        const trace = publishedIn.get(envelope.id);
        return trace ? { ...envelope, trace } : envelope;
      }),
    );
  return { views, started, published: all.length, invalid };
}

/** What a span of the primary handler says about one stream's events. */
function streamAttributes(streamId: string, events: readonly EventEnvelope[]): Attributes {
  const transferIds = new Set(
    events
      .map((envelope) => (envelope.data as { transferId?: unknown }).transferId)
      .filter((id) => typeof id === 'string'),
  );
  return {
    [attr.COMPONENT]: 'primary handler',
    [attr.STREAM_ID]: streamId,
    [attr.STREAM_VERSION]: events[events.length - 1].version,
    [attr.EVENT_TYPES]: events.map((envelope) => envelope.type),
    ...(transferIds.size === 1 ? { [attr.TRANSFER_ID]: [...transferIds][0] as string } : {}),
  };
}
