/**
 * The host services every host runs unless told otherwise (`startHost({services})`). Each call
 * returns fresh instances: a service belongs to one host.
 */
import type { HostService } from './contracts';
import { createDurableService } from './durable';
import { EventGridTopicService } from './eventgrid';

export function defaultServices(): HostService[] {
  return [createDurableService(), new EventGridTopicService()];
}
