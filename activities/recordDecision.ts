/**
 * Records the approver's decision the process took on the transfer stream (`TransferApproved` /
 * `TransferRejected`, ids `{transferId}:approved` / `:rejected`). This activity is the only writer
 * of decisions, whether they came through the API (the DecideTransfer command handler only checks
 * and raises `ApprovalDecision`) or straight through the Durable HTTP API: so when two approvers
 * decide at once, the stream records the one the process took (test/pipeline/decisionRace).
 * It is the same DecideTransfer decision as the command handler's, source account included.
 * Run again (at-least-once), the decider sees the same decision and appends nothing.
 */
import { transferTarget } from '../domain';
import type { EventStore } from '../stores';
import { handleCommand } from '../stores/commandEngine';
import type { Appended, RecordDecisionInput } from './contracts';
import { metadataOf } from './metadata';

export async function recordDecision(store: EventStore, input: RecordDecisionInput): Promise<Appended> {
  const { transferId, decision, approver } = input;
  const note = input.note === undefined ? {} : { note: input.note };
  const { appended } = await handleCommand(
    store,
    transferTarget({ type: 'DecideTransfer', data: { transferId, decision, approver, ...note } }),
    {
      ids: [`${transferId}:${decision === 'approve' ? 'approved' : 'rejected'}`],
      metadata: metadataOf(input),
    },
  );
  // A rejection here (e.g. not_awaiting_approval: the stream already moved on) leaves the stream as it is.
  return { appended };
}
