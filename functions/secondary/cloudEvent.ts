/**
 * The CloudEvents the secondary handlers receive from Event Grid (see stores/eventPublisher.ts for
 * how they are made): `type` `Cardflow.{Stream}.{EventType}`, `subject` the stream id, `id` the event id.
 */
import { z } from 'zod';

export const CardflowCloudEventSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().regex(/^Cardflow\.[A-Za-z]+\.[A-Za-z]+$/),
  source: z.string().optional(),
  subject: z.string().optional(),
  time: z.string().optional(),
  data: z.unknown(),
  streamversion: z.union([z.number(), z.string()]).optional(),
});

export type CardflowCloudEvent = z.infer<typeof CardflowCloudEventSchema>;

/** `Cardflow.Transfer.TransferApproved` → `TransferApproved`. */
export function eventTypeOf(event: CardflowCloudEvent): string {
  return event.type.slice(event.type.lastIndexOf('.') + 1);
}

export function streamVersionOf(event: CardflowCloudEvent): number | undefined {
  const version = Number(event.streamversion);
  return Number.isSafeInteger(version) && version > 0 ? version : undefined;
}
