/**
 * Records that the transfer waits for a manual decision until `deadline`
 * (`TransferApprovalRequested`, id `{transferId}:approval-requested`). The approvals inbox learns of
 * it from the event (primary handler → Event Grid → secondary handler), which notifies approvers.
 */
import {
  accept,
  approvalRequestedEvents,
  transferDecider,
  transferStreamId,
  type TransferEvent,
  type TransferState,
} from '../domain';
import type { EventStore } from '../stores';
import type { Appended, RequestApprovalInput } from './contracts';
import { decideAndAppend, metadataOf } from './streams';

export async function requestApproval(store: EventStore, input: RequestApprovalInput): Promise<Appended> {
  const { appended } = await decideAndAppend<TransferState, TransferEvent>(
    store,
    transferStreamId(input.transferId),
    transferDecider,
    (transfer) =>
      accept(...approvalRequestedEvents(transfer, { reason: input.reason, deadline: input.deadline })),
    { ids: [`${input.transferId}:approval-requested`], metadata: metadataOf(input) },
  );
  return { appended };
}
