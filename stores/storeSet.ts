/**
 * The store ports on a driver's three containers, the same on every driver: the event store
 * (with account snapshots in the views container, read with the stream's tail), the command store
 * and the views.
 */
import { ContainerCommandStore } from './commandStore';
import { ContainerEventStore } from './eventStore';
import type { StoreSet } from './ports';
import { ContainerSnapshotStore, keepSnapshots } from './snapshots';
import { ContainerStreamTail } from './streamTail';
import { ContainerViews } from './views';

export function storeSetOn(containers: StoreSet['containers'], now?: () => number): StoreSet {
  const events: StoreSet['events'] = new ContainerEventStore(containers.events);
  keepSnapshots(events, {
    snapshots: new ContainerSnapshotStore(containers.views),
    tail: new ContainerStreamTail(containers.events, events),
  });
  return {
    events,
    commands: new ContainerCommandStore(containers.commands, now),
    views: new ContainerViews(containers.views),
    containers,
  };
}
