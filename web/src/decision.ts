/**
 * Deciding a transfer from the inbox: send the decision, follow the command to its outcome, then
 * follow the transfer until it leaves `awaiting_approval`. What the system did (or refused) ends up
 * as one sentence; the wording lives in `explainDecision`, which is pure.
 */
import { ApiError, pollUntil, type CardflowApi, type Decision, type DecisionRequest } from './api.js';
import type { CommandOutcome, TransferView } from './contracts.js';
import { describeProblem, describeReason } from './reasons.js';

export type DecisionResultKind = 'done' | 'refused' | 'ignored' | 'pending';

export interface DecisionResult {
  kind: DecisionResultKind;
  message: string;
}

/**
 * The outcome of a decision in words. `transfer` is the read model after the command finished
 * (undefined when the command never succeeded); `transferFinal` says it left `awaiting_approval`.
 */
export function explainDecision(
  decision: Decision,
  command: CommandOutcome,
  commandFinal: boolean,
  transfer?: TransferView,
  transferFinal = false,
): DecisionResult {
  const verb = decision === 'approve' ? 'approval' : 'rejection';
  if (!commandFinal || command.status === 'pending') {
    return {
      kind: 'pending',
      message: `The ${verb} was accepted and is still being processed (command ${command.commandId}). The inbox will update when it is done.`,
    };
  }
  if (command.status === 'rejected') {
    return {
      kind: 'refused',
      message: `The ${verb} was refused: ${describeReason(command.reason ?? 'unknown')}.`,
    };
  }
  if (command.status === 'failed') {
    return {
      kind: 'refused',
      message: `The ${verb} failed in the system${command.reason ? ` (${describeReason(command.reason)})` : ''}; it has been dead-lettered for an operator.`,
    };
  }
  if (!transfer || !transferFinal) {
    return {
      kind: 'ignored',
      message: `The ${verb} was recorded but the transfer is still awaiting approval. The process ignores decisions from the requester or the owner of the source account.`,
    };
  }
  const id = transfer.transferId;
  switch (transfer.status) {
    case 'approved':
      return { kind: 'done', message: `Transfer ${id} approved; crediting the destination.` };
    case 'completed':
      return { kind: 'done', message: `Transfer ${id} approved and completed.` };
    case 'rejected':
      return {
        kind: 'done',
        message: `Transfer ${id} rejected${transfer.reason ? `: ${describeReason(transfer.reason)}` : ''}.`,
      };
    case 'expired':
      return { kind: 'refused', message: `Transfer ${id} expired before the decision arrived.` };
    case 'failed':
      return {
        kind: 'done',
        message: `Transfer ${id} failed${transfer.reason ? `: ${describeReason(transfer.reason)}` : ''}.`,
      };
    default:
      return { kind: 'done', message: `Transfer ${id} is now ${transfer.status.replace(/_/g, ' ')}.` };
  }
}

export interface DecisionTiming {
  intervalMs: number;
  timeoutMs: number;
}

/** Sends a decision and follows it through; never throws (a refusal is a result). */
export async function decideAndFollow(
  api: CardflowApi,
  transferId: string,
  request: DecisionRequest,
  timing: DecisionTiming,
  onProgress: (message: string) => void,
): Promise<DecisionResult> {
  const verb = request.decision === 'approve' ? 'approval' : 'rejection';
  try {
    onProgress(`Sending the ${verb}…`);
    const accepted = await api.decideTransfer(transferId, request);
    onProgress(`The ${verb} was accepted; waiting for the outcome…`);
    const command = await pollUntil(
      () => api.command(accepted.commandId),
      (c) => c.status !== 'pending',
      timing,
    );
    if (!command.final || command.value.status !== 'succeeded')
      return explainDecision(request.decision, command.value, command.final);
    const transfer = await pollUntil(
      () => api.transfer(transferId),
      (t) => t.status !== 'awaiting_approval',
      timing,
    );
    return explainDecision(request.decision, command.value, true, transfer.value, transfer.final);
  } catch (error) {
    if (error instanceof ApiError)
      return { kind: 'refused', message: `The ${verb} was refused: ${describeProblem(error.problem)}` };
    return {
      kind: 'refused',
      message: `The ${verb} could not be completed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
