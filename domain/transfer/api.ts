import { initialTransition, SnapshotFrom, transition } from 'xstate';
import { z } from 'zod';
import { CancelNoteSchema, DecisionSchema, NoteSchema } from '../commands';
import { UserIdSchema } from '../ids';
import { ReasonCode } from '../reasons';
import { effectsOf, TimerEvent, TransferEffect } from './effects';
import {
  TransferContext,
  TransferInput,
  TransferMachineEvent,
  transferMachine,
  TransferOutcome,
} from './machine';

export type TransferSnapshot = SnapshotFrom<typeof transferMachine>;
export type TransferStateName =
  | 'requested'
  | 'reserving'
  | 'assessing'
  | 'awaitingApproval'
  | 'crediting'
  | 'releasing'
  | 'completed'
  | 'rejected'
  | 'expired'
  | 'failed';

const FINAL_STATES: readonly TransferStateName[] = ['completed', 'rejected', 'expired', 'failed'];
const STATE_NAMES: readonly TransferStateName[] = [
  'requested',
  'reserving',
  'assessing',
  'awaitingApproval',
  'crediting',
  'releasing',
  ...FINAL_STATES,
];

/** Every event the machine accepts: the results of work and the timers it started. */
export type TransferMachineInput = TransferMachineEvent | TimerEvent;

export interface TransferStep {
  readonly snapshot: TransferSnapshot;
  readonly effects: TransferEffect[];
}

/** Starts a transfer: the first snapshot and the work to do (reserve the funds). */
export function startTransfer(input: TransferInput): TransferStep {
  const [snapshot, actions] = initialTransition(transferMachine, input);
  return { snapshot, effects: effectsOf(actions) };
}

/**
 * Feeds one event (a work result, an approval decision or a fired timer) to the machine.
 * An event the current state does not handle changes nothing and yields no effects.
 */
export function advanceTransfer(snapshot: TransferSnapshot, event: TransferMachineInput): TransferStep {
  const [next, actions] = transition(transferMachine, snapshot, event as TransferMachineEvent);
  return { snapshot: next, effects: effectsOf(actions) };
}

export function stateOf(snapshot: TransferSnapshot): TransferStateName {
  return snapshot.value as TransferStateName;
}

export function isFinished(snapshot: TransferSnapshot): boolean {
  return snapshot.status === 'done';
}

/**
 * Whether an operator's cancel would end the transfer now: in every state before the destination is
 * credited (reserving, awaiting approval, crediting), not once it releases or has finished. The
 * orchestrator races the `CancelTransfer` event against its retry timers only then.
 */
export function isCancellable(snapshot: TransferSnapshot): boolean {
  return snapshot.status !== 'done' && snapshot.can({ type: 'CANCELLED', by: 'operator', note: 'cancel' });
}

/**
 * What the orchestrator shows as its custom status (and the dashboard reads).
 *
 * @example transferStatus(snapshot) // { state: 'awaitingApproval', outcome: null, reason: null, approvalReason: 'velocity', approver: null, reminderSent: false, deadline: '2026-01-02T00:00:00.000Z' }
 */
export function transferStatus(snapshot: TransferSnapshot): {
  state: TransferStateName;
  outcome: TransferOutcome | null;
  reason: ReasonCode | null;
  approvalReason: TransferContext['approvalReason'];
  approver: string | null;
  reminderSent: boolean;
  deadline: string | null;
} {
  const { outcome, reason, approvalReason, approver, reminderSent, deadline } = snapshot.context;
  return { state: stateOf(snapshot), outcome, reason, approvalReason, approver, reminderSent, deadline };
}

/** A snapshot as plain JSON, for storing (e.g. in the orchestration's custom status or a document). */
export interface PersistedTransfer {
  readonly value: TransferStateName;
  readonly context: TransferContext;
}

export function persistTransfer(snapshot: TransferSnapshot): PersistedTransfer {
  return JSON.parse(
    JSON.stringify({ value: snapshot.value, context: snapshot.context }),
  ) as PersistedTransfer;
}

/** Rebuilds a snapshot from {@link persistTransfer}'s output; `transition` continues from it as from the original. */
export function restoreTransfer(persisted: PersistedTransfer): TransferSnapshot {
  if (!STATE_NAMES.includes(persisted?.value)) {
    throw new Error(`not a persisted transfer: unknown state ${JSON.stringify(persisted?.value)}`);
  }
  const { context } = persisted;
  // Final snapshots carry the machine's output, as they did before they were persisted.
  const output = FINAL_STATES.includes(persisted.value)
    ? { outcome: context.outcome ?? 'failed', reason: context.reason }
    : undefined;
  return transferMachine.resolveState({ value: persisted.value, context, output });
}

/** The body of the `ApprovalDecision` external event: `{decision, approver, note?}`. */
export const ApprovalDecisionSchema = z.strictObject({
  decision: DecisionSchema,
  approver: UserIdSchema,
  note: NoteSchema.optional(),
});
export type ApprovalDecisionInput = z.infer<typeof ApprovalDecisionSchema>;

/** The machine event for an approval decision. */
export function decisionEvent(
  decision: ApprovalDecisionInput,
): Extract<TransferMachineEvent, { type: 'APPROVED' | 'REJECTED' }> {
  const type = decision.decision === 'approve' ? 'APPROVED' : 'REJECTED';
  return decision.note === undefined
    ? { type, approver: decision.approver }
    : { type, approver: decision.approver, note: decision.note };
}

/** The body of the `CancelTransfer` external event: `{cancelledBy, note}` (an operator's, the note required). */
export const CancelTransferEventSchema = z.strictObject({
  cancelledBy: UserIdSchema,
  note: CancelNoteSchema,
});
export type CancelTransferEventInput = z.infer<typeof CancelTransferEventSchema>;

/** The machine event for an operator's cancel. */
export function cancelEvent(
  cancel: CancelTransferEventInput,
): Extract<TransferMachineEvent, { type: 'CANCELLED' }> {
  return { type: 'CANCELLED', by: cancel.cancelledBy, note: cancel.note };
}
