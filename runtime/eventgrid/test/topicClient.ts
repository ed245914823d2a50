/**
 * Publishes to the local topic with `@azure/eventgrid`'s own EventGridPublisherClient, the way an
 * app's publisher does (the host's tests import nothing from an app).
 */
import { AzureKeyCredential, EventGridPublisherClient, type SendCloudEventInput } from '@azure/eventgrid';

/** An event of a stream, as the tests publish it: `account-ac-1` events become `Cardflow.Account.*`. */
export interface StreamEvent {
  id: string;
  streamId: string;
  version: number;
  type: string;
  data: unknown;
  metadata?: { occurredAt?: string };
}

/** The CloudEvent of a stream event: type `Cardflow.{Kind}.{type}`, source `/cardflow/{streamId}`, extension `streamversion`. */
export function toCloudEvent(event: StreamEvent): SendCloudEventInput<unknown> {
  const prefix = event.streamId.slice(0, event.streamId.indexOf('-'));
  const occurredAt = event.metadata?.occurredAt;
  return {
    type: `Cardflow.${prefix[0].toUpperCase()}${prefix.slice(1)}.${event.type}`,
    source: `/cardflow/${event.streamId}`,
    subject: event.streamId,
    id: event.id,
    time: occurredAt === undefined ? undefined : new Date(occurredAt),
    datacontenttype: 'application/json',
    data: event.data,
    extensionAttributes: { streamversion: event.version },
  };
}

export class TopicClient {
  private readonly client: EventGridPublisherClient<'CloudEvent'>;

  /** `endpoint` is the local topic's URL, e.g. `{baseUrl}/runtime/eventgrid/topics/cardflow`; no retries. */
  constructor(endpoint: string, key: string) {
    this.client = new EventGridPublisherClient(endpoint, 'CloudEvent', new AzureKeyCredential(key), {
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 0 },
    });
  }

  /** Sends the events as one batch; rejects when the topic refuses it. */
  async publish(events: readonly StreamEvent[]): Promise<void> {
    await this.client.send(events.map(toCloudEvent));
  }
}
