/**
 * Records how the transfer ended (`TransferCompleted` / `TransferRejected` / `TransferExpired` /
 * `TransferFailed`, id `{transferId}:{outcome}`; a cancelled transfer's names the operator and the
 * note). Nothing is appended once the stream records an
 * outcome, so an approver's rejection recorded earlier stands.
 */
import { accept, outcomeEvents, transferRecord } from '../domain';
import type { EventStore } from '../stores';
import { handleCommand } from '../stores/commandEngine';
import type { Appended, RecordOutcomeInput } from './contracts';
import { metadataOf } from './metadata';

export async function recordOutcome(store: EventStore, input: RecordOutcomeInput): Promise<Appended> {
  const { outcome, reason, approver, note, deadline, cancellation } = input;
  const { appended } = await handleCommand(
    store,
    transferRecord(input.transferId, (transfer) =>
      accept(...outcomeEvents(transfer, { outcome, reason, approver, note, deadline, cancellation })),
    ),
    { ids: [`${input.transferId}:${outcome}`], metadata: metadataOf(input) },
  );
  return { appended };
}
