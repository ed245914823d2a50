/**
 * The host services every host runs unless told otherwise (`startHost({services})`). Each call
 * returns fresh instances: a service belongs to one host.
 */
import type { HostService } from './contracts';
import { CosmosDBTriggerService, LocalDocumentStoreService } from './docstore';
import { createDurableService } from './durable';
import { EventGridTopicService } from './eventgrid';
import { TelemetryService } from './telemetry';
import { TimerTriggerService } from './timer';

export function defaultServices(): HostService[] {
  // The document store is published first (app code may run as soon as the durable backend starts); triggers start last.
  return [
    new LocalDocumentStoreService(),
    new TelemetryService(),
    createDurableService(),
    new EventGridTopicService(),
    new CosmosDBTriggerService(),
    new TimerTriggerService(),
  ];
}
