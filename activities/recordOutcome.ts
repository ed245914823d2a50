/**
 * Records how the transfer ended (`TransferCompleted` / `TransferRejected` / `TransferExpired` /
 * `TransferFailed`, id `{transferId}:{outcome}`). Nothing is appended once the stream records an
 * outcome, so an approver's rejection recorded earlier stands.
 */
import {
  accept,
  outcomeEvents,
  transferDecider,
  transferStreamId,
  type TransferEvent,
  type TransferState,
} from '../domain';
import type { EventStore } from '../stores';
import type { Appended, RecordOutcomeInput } from './contracts';
import { decideAndAppend, metadataOf } from './streams';

export async function recordOutcome(store: EventStore, input: RecordOutcomeInput): Promise<Appended> {
  const { appended } = await decideAndAppend<TransferState, TransferEvent>(
    store,
    transferStreamId(input.transferId),
    transferDecider,
    (transfer) =>
      accept(
        ...outcomeEvents(transfer, {
          outcome: input.outcome,
          reason: input.reason,
          approver: input.approver,
          note: input.note,
          deadline: input.deadline,
        }),
      ),
    { ids: [`${input.transferId}:${input.outcome}`], metadata: metadataOf(input) },
  );
  return { appended };
}
