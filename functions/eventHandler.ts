/**
 * The primary event handler (docs/architecture.md, the flow, step 4): the `events` container's change feed triggers
 * it; see events/handleEvents.ts for what it does with a batch.
 */
import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getStores } from '../stores';
import { appLog, measure } from '../telemetry';
import { now } from './clock';
import { handleEvents } from './events/handleEvents';
import type { EventPublisher } from '../stores/eventPublisher';
import { feedHandled, publishFailed, publishSucceeded } from './health/signals';
import { appEventPublisher } from './publishing';
import { currentSettings, transferPolicy } from './settings';
import { TransferProcessClient } from './transferProcessClient';
import { changeFeedOn } from './triggers';

export const EVENT_HANDLER = 'eventHandler';

export async function eventHandler(documents: unknown[], context: InvocationContext): Promise<void> {
  const handledAt = now();
  for (const document of documents) {
    const occurredAt = (document as { metadata?: { occurredAt?: unknown } } | null)?.metadata?.occurredAt;
    if (typeof occurredAt !== 'string') continue;
    measure.changeFeedLag('events', handledAt - Date.parse(occurredAt));
    feedHandled('events', handledAt - Date.parse(occurredAt), handledAt);
  }
  await handleEvents(
    {
      stores: getStores(),
      processes: () => new TransferProcessClient(df.getClient(context)),
      publisher: () => observedPublisher(appEventPublisher()),
      policy: () => transferPolicy(currentSettings()),
      log: {
        info: (m, fields) => appLog(context).info(m, fields),
        warn: (m) => appLog(context).warn(m),
        error: (m) => appLog(context).error(m),
      },
    },
    documents,
  );
}

/** The publisher, telling the health check whether publishing to Event Grid works. */
function observedPublisher(publisher: EventPublisher): EventPublisher {
  return {
    publish: async (events) => {
      try {
        await publisher.publish(events);
        publishSucceeded();
      } catch (error) {
        publishFailed(error);
        throw error;
      }
    },
  };
}

app.cosmosDB(EVENT_HANDLER, {
  ...changeFeedOn('events', EVENT_HANDLER),
  extraInputs: [df.input.durableClient()],
  handler: (documents: unknown[], context: InvocationContext) => eventHandler(documents, context),
});
