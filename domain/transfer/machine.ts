import { assign, setup } from 'xstate';
import { mayDecide, requiresApproval } from '../approvalPolicy';
import { ApprovalReason } from '../events';
import { Cents } from '../money';
import { ReasonCode } from '../reasons';
import type { TransferOutcome, WorkKind, WorkParams } from './effects';

export type { TransferOutcome };

/** What the orchestrator starts a transfer machine with. */
export interface TransferInput {
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: Cents;
  readonly requestedBy: string;
  readonly approvalThreshold: Cents;
  readonly velocityThreshold: Cents;
  readonly approvalTimeoutMs: number;
  /** Owner of the source account, who may not decide on the transfer; the reservation reports it (`RESERVED`) if not known here. */
  readonly sourceOwnerId?: string | null;
}

export interface TransferContext {
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: Cents;
  readonly requestedBy: string;
  readonly approvalThreshold: Cents;
  readonly velocityThreshold: Cents;
  readonly approvalTimeoutMs: number;
  /** Owner of the source account (may not decide); from the input, then from the reservation. */
  readonly sourceOwnerId: string | null;
  /** Outgoing total of the source in the window, this transfer included, once reserved. */
  readonly windowTotal: Cents | null;
  /** Why the transfer needs approval (decided once, at the reservation); null when it does not. */
  readonly approvalReason: ApprovalReason | null;
  /** When the approval wait ends (ISO-8601): the reservation's time plus the approval timeout. */
  readonly deadline: string | null;
  readonly approver: string | null;
  readonly decisionNote: string | null;
  /** The operator who cancelled the wait, and why (set on `CANCELLED`). */
  readonly cancellation: { readonly by: string; readonly note: string } | null;
  /** Whether the approval reminder went out (shown in the custom status). */
  readonly reminderSent: boolean;
  /** Whether the destination's credit was asked for: only then can a release find it credited (`ALREADY_CREDITED`). */
  readonly creditRequested: boolean;
  /** Why the reservation is being released (set on entering `releasing`). */
  readonly releaseReason: ReasonCode | null;
  /** Set on reaching a final state. */
  readonly outcome: TransferOutcome | null;
  readonly reason: ReasonCode | null;
}

/** Results of the durable work, fed back into the machine by the orchestrator. */
export type TransferMachineEvent =
  /** `at`: when the reservation and the window's assessment were done (orchestration time, ISO-8601). */
  | { type: 'RESERVED'; windowTotal: Cents; sourceOwnerId: string; at: string }
  | { type: 'RESERVE_FAILED'; reason: ReasonCode }
  | { type: 'APPROVED'; approver: string; note?: string }
  | { type: 'REJECTED'; approver: string; note?: string }
  /**
   * An operator ends the transfer while it waits (reserving, awaiting approval, crediting: before the
   * destination is credited): the reservation is released and the transfer fails.
   */
  | { type: 'CANCELLED'; by: string; note: string }
  | { type: 'CREDITED' }
  | { type: 'CREDIT_FAILED'; reason: ReasonCode }
  | { type: 'RELEASED' }
  /**
   * The release was refused because the destination was already credited (a cancel reached a process
   * whose failed credit attempt had credited it before the capture failed): the point of no return is
   * behind, so the move is finished (credit again, idempotent, and capture) and the transfer completes.
   */
  | { type: 'ALREADY_CREDITED' };

/** Output of a finished machine. */
export interface TransferResult {
  readonly outcome: TransferOutcome;
  readonly reason: ReasonCode | null;
}

export const MACHINE_ID = 'transfer';

/**
 * Named work whose params are the matching effect's shape (one definition, in effects.ts): the
 * orchestrator performs it from the effects, so the machine's own implementation does nothing.
 */
function work<Kind extends WorkKind>() {
  return (_args: unknown, _params: WorkParams<Kind>): void => undefined;
}

type DecisionEvent = Extract<TransferMachineEvent, { type: 'APPROVED' | 'REJECTED' }>;
type ReservedEvent = Extract<TransferMachineEvent, { type: 'RESERVED' }>;
const decisionNote = (event: DecisionEvent): string | null => event.note ?? null;
const isDecision = (event: TransferMachineEvent): event is DecisionEvent =>
  event.type === 'APPROVED' || event.type === 'REJECTED';

/** What the reservation tells the machine: the window, the source's owner, and whether (and until when) approval is needed. */
function reservedContext(context: TransferContext, event: ReservedEvent): Partial<TransferContext> {
  const { reason } = requiresApproval({
    amount: context.amount,
    windowTotal: event.windowTotal,
    approvalThreshold: context.approvalThreshold,
    velocityThreshold: context.velocityThreshold,
  });
  const deadline =
    reason === null ? null : new Date(Date.parse(event.at) + context.approvalTimeoutMs).toISOString();
  return {
    windowTotal: event.windowTotal,
    sourceOwnerId: event.sourceOwnerId,
    approvalReason: reason,
    deadline,
  };
}

/**
 * The transfer lifecycle of docs/architecture.md, domain, the single source of truth for its transitions. Work is
 * returned as named actions with their params (see `effectsOf`); nothing here performs I/O.
 *
 * requested → reserving → assessing → (awaitingApproval | crediting), or reserving → rejected; awaitingApproval →
 * (crediting | releasing, on rejection, deadline or an operator's cancel); crediting → (completed | releasing);
 * releasing → (rejected | expired | failed), or back to crediting when the destination was already credited.
 * An operator's cancel (`CANCELLED`) leaves every state before the destination is credited (reserving,
 * awaitingApproval, crediting) for releasing.
 */
const transferSetup = setup({
  types: {
    context: {} as TransferContext,
    events: {} as TransferMachineEvent,
    input: {} as TransferInput,
    output: {} as TransferResult,
  },
  delays: {
    approvalDeadline: ({ context }) => context.approvalTimeoutMs,
    // The reminder goes out at half the timeout; it is a targetless transition so the deadline keeps running.
    approvalReminder: ({ context }) => Math.floor(context.approvalTimeoutMs / 2),
  },
  guards: {
    needsApproval: ({ context }) => context.approvalReason !== null,
    // Neither the requester nor the source's owner (the one rule, in approvalPolicy.ts).
    approverMayDecide: ({ context, event }) => isDecision(event) && verdictOn(context, event).ok,
    releasedAfterRejection: ({ context }) => context.releaseReason === 'rejected_by_approver',
    releasedAfterExpiry: ({ context }) => context.releaseReason === 'approval_expired',
    creditWasRequested: ({ context }) => context.creditRequested === true,
  },
  actions: {
    reserveFunds: work<'reserveFunds'>(),
    requestApproval: work<'requestApproval'>(),
    sendReminder: work<'sendReminder'>(),
    recordDecision: work<'recordDecision'>(),
    creditDestination: work<'creditDestination'>(),
    releaseFunds: work<'releaseFunds'>(),
    cancelOutflow: work<'cancelOutflow'>(),
    ignoreDecision: work<'ignoreDecision'>(),
    recordOutcome: work<'recordOutcome'>(),
  },
});

/** Entry of a final state: remember the outcome, give back the window share of a transfer that moved no money, record the outcome. */
function finish(outcome: TransferOutcome, reasonOf: (context: TransferContext) => ReasonCode | null) {
  return transferSetup.enqueueActions(({ context, enqueue }) => {
    const reason = reasonOf(context);
    enqueue.assign({ outcome, reason });
    if (outcome !== 'completed' && context.windowTotal !== null) {
      enqueue({
        type: 'cancelOutflow',
        params: { transferId: context.transferId, fromAccountId: context.fromAccountId },
      });
    }
    enqueue({
      type: 'recordOutcome',
      params: {
        transferId: context.transferId,
        outcome,
        reason,
        approver: context.approver,
        note: context.decisionNote,
        deadline: context.deadline,
        // Only a cancelled transfer names its canceller, so other outcomes record what they always did.
        ...(context.cancellation === null ? {} : { cancellation: context.cancellation }),
      },
    });
  });
}

/** The decision taken, to be recorded on the transfer stream before the money moves or is released. */
function recordDecision(context: TransferContext, event: DecisionEvent) {
  return {
    transferId: context.transferId,
    decision: event.type === 'APPROVED' ? ('approve' as const) : ('reject' as const),
    approver: event.approver,
    ...(event.note === undefined ? {} : { note: event.note }),
  };
}

/** An operator's cancel: from any state before the point of no return, through releasing, to `failed`. */
const cancelled = {
  target: 'releasing',
  actions: transferSetup.assign({
    cancellation: ({ event }) => {
      if (event.type !== 'CANCELLED') throw new Error(`not a cancel: ${event.type}`);
      return { by: event.by, note: event.note };
    },
    releaseReason: 'cancelled_by_operator',
  }),
} as const;

/**
 * What a transfer machine made without input fails with: one error object, made once. xstate's pure
 * `transition` and `initialTransition` build a throwaway actor before every step, and that actor
 * makes the machine's initial context with no input at all (the step never uses it). Reading the
 * absent input threw a new TypeError there each time, and capturing its stack was more than half
 * the time of a step (64 → 27 µs for an event the state ignores).
 */
export const NO_TRANSFER_INPUT = new Error('a transfer machine starts only with its TransferInput');

export const transferMachine = transferSetup.createMachine({
  id: MACHINE_ID,
  context: ({ input }: { input: TransferInput | undefined }) => {
    if (input === undefined) throw NO_TRANSFER_INPUT;
    return {
      transferId: input.transferId,
      fromAccountId: input.fromAccountId,
      toAccountId: input.toAccountId,
      amount: input.amount,
      requestedBy: input.requestedBy,
      approvalThreshold: input.approvalThreshold,
      velocityThreshold: input.velocityThreshold,
      approvalTimeoutMs: input.approvalTimeoutMs,
      sourceOwnerId: input.sourceOwnerId ?? null,
      windowTotal: null,
      approvalReason: null,
      deadline: null,
      approver: null,
      decisionNote: null,
      cancellation: null,
      reminderSent: false,
      creditRequested: false,
      releaseReason: null,
      outcome: null,
      reason: null,
    };
  },
  initial: 'requested',
  output: ({ context }) => ({ outcome: context.outcome ?? 'failed', reason: context.reason }),
  states: {
    requested: {
      always: 'reserving',
    },
    reserving: {
      entry: {
        type: 'reserveFunds',
        params: ({ context }) => ({
          transferId: context.transferId,
          fromAccountId: context.fromAccountId,
          toAccountId: context.toAccountId,
          amount: context.amount,
        }),
      },
      on: {
        RESERVE_FAILED: { target: 'rejected', actions: assign({ reason: ({ event }) => event.reason }) },
        RESERVED: {
          target: 'assessing',
          actions: assign(({ context, event }) => reservedContext(context, event)),
        },
        // While the reservation is being retried: releasing gives back whatever was reserved.
        CANCELLED: cancelled,
      },
    },
    // Transient: the reservation decided whether the transfer needs approval.
    assessing: {
      always: [{ guard: 'needsApproval', target: 'awaitingApproval' }, { target: 'crediting' }],
    },
    awaitingApproval: {
      entry: {
        type: 'requestApproval',
        params: ({ context }) => ({
          transferId: context.transferId,
          reason: context.approvalReason ?? 'amount',
          deadline: context.deadline ?? '',
          windowTotal: context.windowTotal ?? context.amount,
        }),
      },
      after: {
        approvalReminder: {
          actions: [
            {
              type: 'sendReminder',
              params: ({ context }) => ({
                transferId: context.transferId,
                reason: context.approvalReason,
                deadline: context.deadline ?? '',
              }),
            },
            assign({ reminderSent: true }),
          ],
        },
        approvalDeadline: { target: 'releasing', actions: assign({ releaseReason: 'approval_expired' }) },
      },
      on: {
        APPROVED: [
          {
            guard: 'approverMayDecide',
            target: 'crediting',
            actions: [
              assign({
                approver: ({ event }) => event.approver,
                decisionNote: ({ event }) => decisionNote(event),
              }),
              { type: 'recordDecision', params: ({ context, event }) => recordDecision(context, event) },
            ],
          },
          { actions: { type: 'ignoreDecision', params: ({ context, event }) => ignored(context, event) } },
        ],
        REJECTED: [
          {
            guard: 'approverMayDecide',
            target: 'releasing',
            actions: [
              assign({
                approver: ({ event }) => event.approver,
                decisionNote: ({ event }) => decisionNote(event),
                releaseReason: 'rejected_by_approver',
              }),
              { type: 'recordDecision', params: ({ context, event }) => recordDecision(context, event) },
            ],
          },
          { actions: { type: 'ignoreDecision', params: ({ context, event }) => ignored(context, event) } },
        ],
        // Leaving the state cancels both timers; releasing then gives back the reservation and the window share.
        CANCELLED: cancelled,
      },
    },
    crediting: {
      entry: [
        assign({ creditRequested: true }),
        {
          type: 'creditDestination',
          params: ({ context }) => ({
            transferId: context.transferId,
            fromAccountId: context.fromAccountId,
            toAccountId: context.toAccountId,
            amount: context.amount,
          }),
        },
      ],
      on: {
        CREDITED: 'completed',
        CREDIT_FAILED: {
          target: 'releasing',
          actions: assign({ releaseReason: ({ event }) => event.reason }),
        },
        // While the credit is being retried (the orchestrator races the cancel against its retry timer).
        // Should the failed attempt have credited the destination, the release refuses (ALREADY_CREDITED).
        CANCELLED: cancelled,
      },
    },
    releasing: {
      entry: {
        type: 'releaseFunds',
        params: ({ context }) => ({
          transferId: context.transferId,
          fromAccountId: context.fromAccountId,
          toAccountId: context.toAccountId,
          amount: context.amount,
          reason: context.releaseReason ?? 'processing_failed',
        }),
      },
      on: {
        RELEASED: [
          { guard: 'releasedAfterRejection', target: 'rejected' },
          { guard: 'releasedAfterExpiry', target: 'expired' },
          { target: 'failed' },
        ],
        // Past the point of no return after all: the cancel (or failure) no longer applies; finish the move.
        ALREADY_CREDITED: {
          guard: 'creditWasRequested',
          target: 'crediting',
          actions: assign({ cancellation: null, releaseReason: null }),
        },
      },
    },
    completed: { type: 'final', entry: finish('completed', () => null) },
    rejected: {
      type: 'final',
      entry: finish('rejected', (context) => context.reason ?? context.releaseReason ?? 'processing_failed'),
    },
    expired: { type: 'final', entry: finish('expired', () => 'approval_expired') },
    failed: {
      type: 'final',
      entry: finish('failed', (context) => context.releaseReason ?? 'processing_failed'),
    },
  },
});

/** Whether the decision's approver may decide on this transfer. */
function verdictOn(context: TransferContext, event: DecisionEvent) {
  return mayDecide({
    approver: event.approver,
    requestedBy: context.requestedBy,
    sourceOwnerId: context.sourceOwnerId,
  });
}

/** An ignored decision and the approver rule it broke. */
function ignored(context: TransferContext, event: DecisionEvent) {
  const verdict = verdictOn(context, event);
  return {
    transferId: context.transferId,
    decision: event.type === 'APPROVED' ? ('approve' as const) : ('reject' as const),
    approver: event.approver,
    reason: verdict.ok ? ('processing_failed' as const) : verdict.reason,
  };
}
