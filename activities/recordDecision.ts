/**
 * Records the approver's decision the process took on the transfer stream (`TransferApproved` /
 * `TransferRejected`, ids `{transferId}:approved` / `:rejected`). This activity is the only writer
 * of decisions, whether they came through the API (the DecideTransfer command handler only checks
 * and raises `ApprovalDecision`) or straight through the Durable HTTP API: so when two approvers
 * decide at once, the stream records the one the process took (test/pipeline/decisionRace).
 * Run again (at-least-once), the decider sees the same decision and appends nothing.
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
