/**
 * Records an approver's valid decision on the transfer stream (`TransferApproved` /
 * `TransferRejected`, ids `{transferId}:approved` / `:rejected`). A decision that came through the
 * API was already recorded by the DecideTransfer command handler: then the decider sees the same
 * decision again and appends nothing. Decisions raised straight on the instance (Durable HTTP API)
 * are recorded only here.
 */
import {
  decideTransfer,
  transferDecider,
  transferStreamId,
  type TransferEvent,
  type TransferState,
} from '../domain';
import type { EventStore } from '../stores';
import type { Appended, RecordDecisionInput } from './contracts';
import { decideAndAppend, metadataOf } from './streams';

export async function recordDecision(store: EventStore, input: RecordDecisionInput): Promise<Appended> {
  const note = input.note === undefined ? {} : { note: input.note };
  const { appended } = await decideAndAppend<TransferState, TransferEvent>(
    store,
    transferStreamId(input.transferId),
    transferDecider,
    (transfer) =>
      decideTransfer(
        {
          type: 'DecideTransfer',
          data: { transferId: input.transferId, decision: input.decision, approver: input.approver, ...note },
        },
        transfer,
        { sourceOwnerId: input.sourceOwnerId },
      ),
    {
      ids: [`${input.transferId}:${input.decision === 'approve' ? 'approved' : 'rejected'}`],
      metadata: metadataOf(input),
    },
  );
  // A rejection here (e.g. not_awaiting_approval: the stream already moved on) leaves the stream as it is.
  return { appended };
}
