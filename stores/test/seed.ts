/**
 * Appends domain events to a stream as a test's given history: enveloped at the stream's current
 * version with seed metadata, ids `seed-<stream>-<version>-…` unless `ids` names them.
 */
import { envelopeAll, type DomainEvent } from '../../domain';
import type { EventStore } from '../ports';

export async function seedStream(
  events: EventStore,
  streamId: string,
  seeded: DomainEvent[],
  options: { occurredAt: string; ids?: string[] },
): Promise<void> {
  const expectedVersion = await events.streamVersion(streamId);
  const metadata = { correlationId: 'seed', causationId: 'seed', occurredAt: options.occurredAt };
  await events.append(
    streamId,
    expectedVersion,
    envelopeAll(seeded, {
      streamId,
      expectedVersion,
      metadata,
      idPrefix: `seed-${streamId}-${expectedVersion}`,
      ...(options.ids ? { ids: options.ids } : {}),
    }),
  );
}
