/**
 * Executes one client command with the command engine: the command's stream and decision come from
 * the domain's table (`commandTarget`), the events get ids `{commandId}:{n}` (so executing a command
 * twice appends once), and a rejection becomes the command's outcome.
 *
 * A decision and a cancel are the commands the handler does not append: each is checked against
 * the transfer stream (a decision: known transfer, awaiting approval, allowed approver; a cancel:
 * known transfer, not final, and the destination's stream showing no credit for it, else
 * `already_credited`) and then raised on the process instance (`ApprovalDecision`,
 * `CancelTransfer`), whose orchestrator alone records it on the stream, a cancel only after
 * releasing the reservation. `succeeded` then means "raised": when another decision or cancel (e.g.
 * one raised through the Durable HTTP API) reached the process first, or the credit landed between
 * this check and the process's next wait, the process ignores this one, and the transfer (stream,
 * view, process) says what happened instead.
 *
 * A command whose effect is already in the stream records `succeeded` whatever its decider says of
 * the state since: its own events (`recordsCommand`), or, for a decision, the decision the process
 * recorded (`recordsDecision`). That is what a command run again after a crash must report.
 */
import type { CancelTransfer, ClientCommand, DecideTransfer } from '../../domain/commands';
import type { ReasonCode } from '../../domain/reasons';
import { commandTarget } from '../../domain/streams';
import { recordsDecision } from '../../domain/transfer';
import type { EventStore } from '../../stores';
import { commandRecorded, decideOn, handleCommand } from '../../stores/commandEngine';
import { currentTrace } from '../../telemetry';
import type { TransferProcessClient } from '../transferProcessClient';

export type ExecutionOutcome = { status: 'succeeded' } | { status: 'rejected'; reason: ReasonCode };

export interface ExecutionContext {
  events: EventStore;
  commandId: string;
  correlationId: string;
  occurredAt: () => string;
  /** Only DecideTransfer and CancelTransfer need the durable client. */
  processes: () => TransferProcessClient;
}

async function raiseDecision(ctx: ExecutionContext, command: DecideTransfer): Promise<ExecutionOutcome> {
  const { decision, history } = await decideOn(ctx.events, commandTarget(command));
  // Run again after the process took this decision and the transfer moved on (the host died
  // between raising it and recording the outcome): the stream records it, so it succeeded.
  if (recordsDecision(history, command.data)) return { status: 'succeeded' };
  if (!decision.ok) return { status: 'rejected', reason: decision.error.code };
  if (decision.events.length === 0) return { status: 'succeeded' };
  const processes = ctx.processes();
  const { transferId, decision: verdict, approver, note } = command.data;
  const instance = await processes.instance(transferId);
  if (!instance.exists) return { status: 'rejected', reason: 'transfer_not_found' };
  if (instance.finished) return { status: 'rejected', reason: 'not_awaiting_approval' };
  await processes.raiseDecision(
    transferId,
    note === undefined ? { decision: verdict, approver } : { decision: verdict, approver, note },
  );
  return { status: 'succeeded' };
}

async function raiseCancel(ctx: ExecutionContext, command: CancelTransfer): Promise<ExecutionOutcome> {
  const { decision } = await decideOn(ctx.events, commandTarget(command));
  if (!decision.ok) return { status: 'rejected', reason: decision.error.code };
  if (decision.events.length === 0) return { status: 'succeeded' };
  const processes = ctx.processes();
  const { transferId, cancelledBy, note } = command.data;
  const instance = await processes.instance(transferId);
  if (!instance.exists) return { status: 'rejected', reason: 'transfer_not_found' };
  if (instance.finished) return { status: 'rejected', reason: 'not_cancellable' };
  await processes.raiseCancel(transferId, { cancelledBy, note });
  return { status: 'succeeded' };
}

export async function executeCommand(
  ctx: ExecutionContext,
  command: ClientCommand,
): Promise<ExecutionOutcome> {
  if (command.type === 'DecideTransfer') return raiseDecision(ctx, command);
  if (command.type === 'CancelTransfer') return raiseCancel(ctx, command);
  const handled = await handleCommand(ctx.events, commandTarget(command), {
    metadata: {
      correlationId: ctx.correlationId,
      causationId: ctx.commandId,
      commandId: ctx.commandId,
      occurredAt: ctx.occurredAt(),
      // The events continue the command's trace (its span is active here).
      ...currentTrace(),
    },
    idPrefix: ctx.commandId,
  });
  const { decision } = handled;
  if (decision.ok || (await commandRecorded(ctx.events, handled, ctx.commandId)))
    return { status: 'succeeded' };
  return { status: 'rejected', reason: decision.error.code };
}
