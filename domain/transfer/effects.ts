import { ApprovalReason } from '../events';
import { Cents } from '../money';
import { ReasonCode } from '../reasons';

/** How a transfer ended. */
export type TransferOutcome = 'completed' | 'rejected' | 'expired' | 'failed';

export type TimerName = 'approvalReminder' | 'approvalDeadline';

/** A delayed machine event: `xstate.after.{delay}.{stateId}`; feed it back to the machine when its timer fires. */
export type TimerEvent = { type: `xstate.after.${TimerName}.${string}` };

/**
 * Durable work the transfer machine asks for, as plain data. The orchestrator interprets them in
 * order; none of them needs xstate to be understood.
 *
 * - `reserveFunds`: reserve `amount` on the source, assess the outflow window, then send
 *   `RESERVED {windowTotal}` or `RESERVE_FAILED {reason}`.
 * - `requestApproval`: record that approval is needed until `deadline` and notify approvers.
 * - `sendReminder`: remind approvers (half the timeout has passed).
 * - `recordDecision`: record the approver's decision the machine took (on approval and rejection).
 * - `creditDestination`: credit the destination and capture the reservation, then send
 *   `CREDITED` or `CREDIT_FAILED {reason}`.
 * - `releaseFunds`: release the reservation with `reason`, then send `RELEASED`, or `ALREADY_CREDITED`
 *   when the destination (`toAccountId`) was credited for the transfer (nothing is released then).
 * - `cancelOutflow`: take the transfer out of the source's outflow window (it moved no money).
 * - `recordOutcome`: append the final transfer event (completed / rejected / expired / failed;
 *   a cancelled transfer's names the operator and the note, `cancellation`).
 * - `ignoreDecision`: log a decision from someone who may not decide (the requester, the source's
 *   owner); the transfer keeps waiting.
 * - `startTimer`: start a durable timer firing after `delayMs`; when it fires, send `event`.
 * - `cancelTimer`: cancel the timer `id` (a no-op when it already fired or never started).
 *
 * @example
 * const [snapshot, actions] = initialTransition(transferMachine, input);
 * effectsOf(actions);
 * // [{ kind: 'reserveFunds', transferId: 'tr-1', fromAccountId: 'acc-a', toAccountId: 'acc-b', amount: 150_000 }]
 * const reserved = { type: 'RESERVED', windowTotal: 150_000, sourceOwnerId: 'olga', at: '2026-01-01T00:00:00.000Z' };
 * const [next, more] = transition(transferMachine, snapshot, reserved);
 * effectsOf(more);
 * // [{ kind: 'requestApproval', transferId: 'tr-1', reason: 'amount', deadline: '2026-01-02T00:00:00.000Z', windowTotal: 150_000 },
 * //  { kind: 'startTimer', id: 'xstate.after.approvalReminder.transfer.awaitingApproval', name: 'approvalReminder',
 * //    delayMs: 43_200_000, event: { type: 'xstate.after.approvalReminder.transfer.awaitingApproval' } },
 * //  { kind: 'startTimer', id: 'xstate.after.approvalDeadline.transfer.awaitingApproval', name: 'approvalDeadline',
 * //    delayMs: 86_400_000, event: { type: 'xstate.after.approvalDeadline.transfer.awaitingApproval' } }]
 */
export type TransferEffect =
  | { kind: 'reserveFunds'; transferId: string; fromAccountId: string; toAccountId: string; amount: Cents }
  | {
      kind: 'requestApproval';
      transferId: string;
      reason: ApprovalReason;
      /** ISO-8601. */
      deadline: string;
      windowTotal: Cents;
    }
  | { kind: 'sendReminder'; transferId: string; reason: ApprovalReason | null; deadline: string }
  | {
      kind: 'recordDecision';
      transferId: string;
      decision: 'approve' | 'reject';
      approver: string;
      note?: string;
    }
  | {
      kind: 'creditDestination';
      transferId: string;
      fromAccountId: string;
      toAccountId: string;
      amount: Cents;
    }
  | {
      kind: 'releaseFunds';
      transferId: string;
      fromAccountId: string;
      toAccountId: string;
      amount: Cents;
      reason: ReasonCode;
    }
  | { kind: 'cancelOutflow'; transferId: string; fromAccountId: string }
  | {
      kind: 'recordOutcome';
      transferId: string;
      outcome: TransferOutcome;
      reason: ReasonCode | null;
      approver: string | null;
      note: string | null;
      /** The approval deadline, if the transfer waited for one (an expired transfer records it). */
      deadline: string | null;
      /** Who cancelled the approval wait and why; only on a transfer an operator cancelled. */
      cancellation?: { by: string; note: string };
    }
  | {
      kind: 'ignoreDecision';
      transferId: string;
      decision: 'approve' | 'reject';
      approver: string;
      reason: ReasonCode;
    }
  | { kind: 'startTimer'; id: string; name: TimerName; delayMs: number; event: TimerEvent }
  | { kind: 'cancelTimer'; id: string };

export type TransferEffectKind = TransferEffect['kind'];
/** Effects that are named work of the machine (as opposed to timers). */
export type WorkKind = Exclude<TransferEffectKind, 'startTimer' | 'cancelTimer'>;
/** The params of the machine action `Kind`: its effect without `kind`. */
export type WorkParams<Kind extends WorkKind> = Omit<Extract<TransferEffect, { kind: Kind }>, 'kind'>;

// A record, so the compiler insists every kind of work is listed.
const WORK_KINDS: Record<WorkKind, true> = {
  reserveFunds: true,
  requestApproval: true,
  sendReminder: true,
  recordDecision: true,
  creditDestination: true,
  releaseFunds: true,
  cancelOutflow: true,
  recordOutcome: true,
  ignoreDecision: true,
};

/** The shape of an executable action as `transition` / `initialTransition` return it. */
export interface ActionLike {
  readonly type: string;
  readonly params?: unknown;
}

/**
 * Translates the actions of `transition` / `initialTransition` into {@link TransferEffect}s,
 * keeping their order. Throws on an action it does not know: that is a programming error (the
 * machine and this adapter must change together), never a runtime condition.
 */
export function effectsOf(actions: readonly ActionLike[]): TransferEffect[] {
  return actions.map(effectOf);
}

function effectOf(action: ActionLike): TransferEffect {
  if (Object.prototype.hasOwnProperty.call(WORK_KINDS, action.type)) {
    return { kind: action.type, ...(action.params as object) } as TransferEffect;
  }
  if (action.type === 'xstate.raise') {
    const params = action.params as { id?: string; delay?: number; event?: { type?: string } };
    const name = timerName(params.event?.type);
    if (params.delay === undefined || params.id === undefined || name === null) {
      throw new Error(
        `transfer machine raised an event that is not a known timer: ${JSON.stringify(params)}`,
      );
    }
    return {
      kind: 'startTimer',
      id: params.id,
      name,
      delayMs: params.delay,
      event: { type: params.event?.type } as TimerEvent,
    };
  }
  if (action.type === 'xstate.cancel') {
    return { kind: 'cancelTimer', id: (action.params as { sendId: string }).sendId };
  }
  throw new Error(`unknown transfer machine action: ${action.type}`);
}

function timerName(eventType: string | undefined): TimerName | null {
  const match = /^xstate\.after\.(approvalReminder|approvalDeadline)\./.exec(eventType ?? '');
  return match ? (match[1] as TimerName) : null;
}

/** True when `event` is a machine timer event (what a fired `startTimer` effect sends back). */
export function isTimerEvent(event: { type: string }): event is TimerEvent {
  return timerName(event.type) !== null;
}
