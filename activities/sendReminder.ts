/**
 * Reminds approvers that a transfer still waits (half the approval timeout has passed). The event
 * store has no reminder event (a reminder is a notification, not a fact about the money), so it
 * goes straight to Event Grid as `Cardflow.Transfer.TransferApprovalReminder` with id
 * `{transferId}:reminder` (subscribers deduplicate on it). Without Event Grid settings it is only
 * logged. No reminder goes out for a transfer whose stream already moved past the approval wait.
 */
import { transferDecider, transferStreamId } from '../domain';
import type { EventStore } from '../stores';
import { loadStream } from '../stores/commandEngine';
import type { EventPublisher } from '../stores/eventPublisher';
import type { SendReminderInput } from './contracts';

export const REMINDER_EVENT_TYPE = 'TransferApprovalReminder';

export async function sendReminder(
  store: EventStore,
  publisher: EventPublisher | null,
  input: SendReminderInput,
  log: (message: string) => void,
): Promise<{ sent: boolean }> {
  const streamId = transferStreamId(input.transferId);
  const { state, version } = await loadStream(store, streamId, transferDecider);
  if (state.status !== 'awaiting_approval') return { sent: false };
  const reminder = {
    id: `${input.transferId}:reminder`,
    streamId,
    version,
    type: REMINDER_EVENT_TYPE,
    data: { transferId: input.transferId, reason: input.reason, deadline: input.deadline },
    metadata: { correlationId: input.correlationId, causationId: input.causationId, occurredAt: input.at },
  };
  log(`approval reminder: transfer ${input.transferId} awaits a decision until ${input.deadline}`);
  if (publisher) await publisher.publish([reminder]);
  return { sent: true };
}
