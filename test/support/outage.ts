/**
 * Staged store outages for tests of the compiled app. The host loads `dist/`, so the spy goes on
 * the compiled event store class: `before` runs ahead of every append — throw to refuse it (the
 * store "unreachable"), await to hold it back — and then the real append runs.
 */
import type { EventEnvelope } from '../../domain/envelope';
import type { EventStore } from '../../stores';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ContainerEventStore } = require('../../dist/stores/eventStore') as {
  ContainerEventStore: { prototype: EventStore };
};

export function stageAppends(
  before: (streamId: string, events: readonly EventEnvelope[]) => void | Promise<void>,
): jest.SpyInstance {
  const append = ContainerEventStore.prototype.append;
  return jest.spyOn(ContainerEventStore.prototype, 'append').mockImplementation(async function (
    this: EventStore,
    streamId,
    expectedVersion,
    events,
  ) {
    await before(streamId, events);
    return append.call(this, streamId, expectedVersion, events);
  });
}
