/**
 * The publishing port: how the primary event handler hands events to Event Grid, and its driver on
 * `@azure/eventgrid`'s EventGridPublisherClient, with the topic's key or, keyless, a token
 * credential (Microsoft Entra ID: the identity needs the EventGrid Data Sender role). Every event leaves as a CloudEvent
 * 1.0: type `Cardflow.{Stream}.{EventType}`, source `/cardflow/{streamId}`, subject = stream id,
 * id = event id, data = the event's payload, time = when it occurred.
 */
import type { Agent } from 'node:http';
import { AzureKeyCredential, EventGridPublisherClient, type CloudEvent } from '@azure/eventgrid';
import type { TokenCredential } from '@azure/identity';

/** The fields of a stored event this port needs (structurally the event store's envelope). */
export interface PublishableEvent {
  id: string;
  streamId: string;
  version: number;
  type: string;
  data: unknown;
  metadata?: { occurredAt?: string; traceparent?: string; tracestate?: string; [key: string]: unknown };
  /** The trace the event is published in (the handler's span); else the metadata's, the append's. */
  trace?: { traceparent: string; tracestate?: string };
}

export interface EventPublisher {
  /** Publishes every event, at least once; rejects when any could not be published (the caller retries). */
  publish(events: readonly PublishableEvent[]): Promise<void>;
}

/** Event Grid takes at most 1 MB per publish request. */
export const MAX_BATCH_BYTES = 1024 * 1024;
// Room for the array brackets, separators and the trace context the client adds to each event.
const PER_EVENT_OVERHEAD_BYTES = 512;

export class EventTooLargeError extends Error {
  override readonly name = 'EventTooLargeError';
  readonly code = 'event_too_large';
}

/** `account-a1` → `Account`, `transfer-t1` → `Transfer`: the stream's kind, from its id prefix. */
export function streamKind(streamId: string): string {
  const dash = streamId.indexOf('-');
  const prefix = dash > 0 ? streamId.slice(0, dash) : '';
  if (!/^[a-z][a-z0-9]*$/.test(prefix)) {
    throw new Error(`stream id '${streamId}' has no '{kind}-' prefix`);
  }
  return prefix[0].toUpperCase() + prefix.slice(1);
}

/** The CloudEvent an event leaves as. `streamversion` (an extension attribute) lets subscribers order events of one stream. */
export function toCloudEvent(event: PublishableEvent): CloudEvent<unknown> {
  const occurredAt = event.metadata?.occurredAt;
  return {
    type: `Cardflow.${streamKind(event.streamId)}.${event.type}`,
    source: `/cardflow/${event.streamId}`,
    subject: event.streamId,
    id: event.id,
    time: occurredAt === undefined ? undefined : new Date(occurredAt),
    datacontenttype: 'application/json',
    data: event.data,
    extensionAttributes: { streamversion: event.version, ...traceExtension(event) },
  };
}

/** The CloudEvents distributed-tracing extension: `traceparent`, and `tracestate` when there is one. */
function traceExtension(event: PublishableEvent): Record<string, string> {
  const traceparent = event.trace?.traceparent ?? event.metadata?.traceparent;
  if (typeof traceparent !== 'string') return {};
  const tracestate = event.trace ? event.trace.tracestate : event.metadata?.tracestate;
  return typeof tracestate === 'string' ? { traceparent, tracestate } : { traceparent };
}

function approximateSize(event: CloudEvent<unknown>): number {
  return (
    Buffer.byteLength(JSON.stringify({ specversion: '1.0', ...event, ...event.extensionAttributes })) +
    PER_EVENT_OVERHEAD_BYTES
  );
}

/** Splits events, in order, into batches whose serialized size stays under `maxBytes`. */
export function batchUnder<T extends CloudEvent<unknown>>(
  events: readonly T[],
  maxBytes = MAX_BATCH_BYTES,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let size = 2;
  for (const event of events) {
    const eventSize = approximateSize(event);
    if (eventSize + 2 > maxBytes) {
      throw new EventTooLargeError(
        `event ${event.id} is about ${eventSize} bytes; Event Grid takes at most ${maxBytes} per request`,
      );
    }
    if (current.length > 0 && size + eventSize > maxBytes) {
      batches.push(current);
      current = [];
      size = 2;
    }
    current.push(event);
    size += eventSize;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface EventGridPublisherOptions {
  /** The topic endpoint, e.g. https://{topic}.{region}-1.eventgrid.azure.net/api/events, or the local topic's URL. */
  endpoint: string;
  /** The topic's access key; or */
  key?: string;
  /** a token credential (an https endpoint only: bearer tokens never travel in clear). */
  credential?: TokenCredential;
  /** For tests: an agent trusting a loopback server's certificate. */
  agent?: Agent;
  /** The client's own retries of transient failures (default 3); the caller's retry comes on top. */
  maxRetries?: number;
}

/** Publishes through Event Grid with the real SDK client. */
export class EventGridEventPublisher implements EventPublisher {
  private readonly client: EventGridPublisherClient<'CloudEvent'>;

  constructor(options: EventGridPublisherOptions) {
    const insecure = new URL(options.endpoint).protocol === 'http:';
    const credential = options.key !== undefined ? new AzureKeyCredential(options.key) : options.credential;
    if (!credential) throw new Error('Event Grid publishing needs the topic key or a token credential');
    if (options.key === undefined && insecure)
      throw new Error(
        `Event Grid publishing with a token credential needs an https endpoint, not ${options.endpoint}`,
      );
    this.client = new EventGridPublisherClient(options.endpoint, 'CloudEvent', credential, {
      allowInsecureConnection: insecure,
      retryOptions: { maxRetries: options.maxRetries ?? 3 },
      ...(options.agent ? { agent: options.agent } : {}),
    });
  }

  async publish(events: readonly PublishableEvent[]): Promise<void> {
    // Batches go one after the other; if one fails the caller republishes all, and subscribers dedupe on id.
    for (const batch of batchUnder(events.map(toCloudEvent))) {
      await this.client.send(batch);
    }
  }
}

/**
 * Builds the publisher from app settings EVENTGRID_TOPIC_ENDPOINT and EVENTGRID_TOPIC_KEY, or, with
 * no key, `credential` (keyless); throws naming what is missing.
 */
export function eventPublisherFromSettings(
  settings: Readonly<Record<string, string | undefined>> = process.env,
  credential?: TokenCredential,
): EventGridEventPublisher {
  const endpoint = settings.EVENTGRID_TOPIC_ENDPOINT;
  const key = settings.EVENTGRID_TOPIC_KEY;
  const missing = [
    !endpoint && 'EVENTGRID_TOPIC_ENDPOINT',
    !key && !credential && 'EVENTGRID_TOPIC_KEY',
  ].filter(Boolean);
  if (!endpoint || (!key && !credential))
    throw new Error(`Event Grid publishing is not configured: set ${missing.join(' and ')}`);
  return new EventGridEventPublisher(key ? { endpoint, key } : { endpoint, credential });
}
