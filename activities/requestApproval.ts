/**
 * Records that the transfer waits for a manual decision until `deadline`
 * (`TransferApprovalRequested`, id `{transferId}:approval-requested`). The approvals inbox learns of
 * it from the event (primary handler → Event Grid → secondary handler), which notifies approvers.
 */
import { accept, approvalRequestedEvents, transferRecord } from '../domain';
import type { EventStore } from '../stores';
import { handleCommand } from '../stores/commandEngine';
import type { Appended, RequestApprovalInput } from './contracts';
import { metadataOf } from './metadata';

export async function requestApproval(store: EventStore, input: RequestApprovalInput): Promise<Appended> {
  const { appended } = await handleCommand(
    store,
    transferRecord(input.transferId, (transfer) =>
      accept(...approvalRequestedEvents(transfer, { reason: input.reason, deadline: input.deadline })),
    ),
    { ids: [`${input.transferId}:approval-requested`], metadata: metadataOf(input) },
  );
  return { appended };
}
