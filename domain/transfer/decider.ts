import {
  acceptsTransfers,
  AccountState,
  initialState as initialAccountState,
  transferInOf,
} from '../account';
import { mayDecide } from '../approvalPolicy';
import { CancelTransfer, DecideTransfer, RequestTransfer, TransferCommand } from '../commands';
import { Decider } from '../decider';
import { ApprovalReason, TransferEvent } from '../events';
import { Cents } from '../money';
import { accept, Decision, ReasonCode, reject } from '../reasons';
import { TransferOutcome } from './machine';

/** Transfer status as the read model and the HTTP API show it. */
export type TransferStatus =
  'requested' | 'awaiting_approval' | 'approved' | 'completed' | 'rejected' | 'expired' | 'failed';

export interface RequestedTransfer {
  readonly status: TransferStatus;
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: Cents;
  readonly requestedBy: string;
  readonly note: string | null;
  readonly approvalReason: ApprovalReason | null;
  readonly deadline: string | null;
  readonly approver: string | null;
  readonly reason: ReasonCode | null;
  /** The operator who cancelled the approval wait, and their note; null unless cancelled. */
  readonly cancelledBy: string | null;
  readonly cancelNote: string | null;
}

/** The state of a transfer stream (`transfer-{transferId}`), folded from its events. */
export type TransferState = { readonly status: 'none' } | RequestedTransfer;

export const initialTransferState: TransferState = { status: 'none' };

const FINAL_STATUSES: readonly TransferStatus[] = ['completed', 'rejected', 'expired', 'failed'];

/** True once the stream records how the transfer ended. */
export function isFinalStatus(status: TransferState['status']): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

export function evolveTransfer(state: TransferState, event: TransferEvent): TransferState {
  if (event.type === 'TransferRequested') {
    const { transferId, fromAccountId, toAccountId, amount, requestedBy, note } = event.data;
    return {
      status: 'requested',
      transferId,
      fromAccountId,
      toAccountId,
      amount,
      requestedBy,
      note: note ?? null,
      approvalReason: null,
      deadline: null,
      approver: null,
      reason: null,
      cancelledBy: null,
      cancelNote: null,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'TransferApprovalRequested':
      return {
        ...state,
        status: 'awaiting_approval',
        approvalReason: event.data.reason,
        deadline: event.data.deadline,
      };
    case 'TransferApproved':
      return { ...state, status: 'approved', approver: event.data.approver };
    case 'TransferRejected':
      return {
        ...state,
        status: 'rejected',
        reason: event.data.reason,
        approver: event.data.approver ?? state.approver,
      };
    case 'TransferExpired':
      return { ...state, status: 'expired', reason: 'approval_expired', deadline: event.data.deadline };
    case 'TransferCompleted':
      return { ...state, status: 'completed', reason: null };
    case 'TransferFailed':
      return {
        ...state,
        status: 'failed',
        reason: event.data.reason,
        cancelledBy: event.data.cancelledBy ?? null,
        cancelNote: event.data.note ?? null,
      };
  }
}

/** What a transfer decision reads of other streams: the states of the accounts it names, by account id. */
export interface TransferFacts {
  readonly accounts?: Readonly<Record<string, AccountState>>;
}

/** The accounts a transfer command reads besides the transfer stream (see {@link TransferFacts}). */
export function accountsToRead(command: TransferCommand, state: TransferState): readonly string[] {
  if (command.type === 'RequestTransfer') return [command.data.fromAccountId, command.data.toAccountId];
  if (state.status === 'none') return [];
  // A cancel is an operator's, so no owner matters to it; the destination says whether it was credited.
  if (command.type === 'CancelTransfer') return [state.toAccountId];
  return [state.fromAccountId];
}

/**
 * Decides the client commands on a transfer stream.
 *
 * - RequestTransfer → TransferRequested; rejects `same_account`, and, when `facts.accounts` is
 *   given, what the account decider says of either account (`account_not_found`,
 *   `account_closed`); repeating it is a no-op, reusing the id for another transfer is `transfer_exists`.
 * - DecideTransfer → TransferApproved, or TransferRejected {reason: 'rejected_by_approver'};
 *   rejects `transfer_not_found`, `not_awaiting_approval` (HTTP 409), `approver_is_requester`,
 *   `approver_is_source_owner` (when `facts.accounts` holds the source); the same decision by the
 *   same approver again is a no-op.
 * - CancelTransfer → TransferFailed {reason: 'cancelled_by_operator', cancelledBy, note}, the event
 *   the process records once it has released the reservation; accepted while the transfer is not
 *   final (requested, awaiting approval, approved: the process reserves, waits or retries) and the
 *   destination not credited; rejects `transfer_not_found`, `already_credited` (completed, or the
 *   destination's stream, when `facts.accounts` holds it, shows the credit: the point of no return),
 *   `not_cancellable` (rejected, expired, failed); the same cancel by the same operator again is a no-op.
 */
export function decideTransfer(
  command: TransferCommand,
  state: TransferState,
  facts: TransferFacts = {},
): Decision<TransferEvent> {
  switch (command.type) {
    case 'RequestTransfer':
      return requestTransfer(command, state, facts);
    case 'DecideTransfer':
      return decideApproval(command, state, facts);
    case 'CancelTransfer':
      return cancelTransfer(command, state, facts);
  }
}

function requestTransfer(
  { data }: RequestTransfer,
  state: TransferState,
  facts: TransferFacts,
): Decision<TransferEvent> {
  if (data.fromAccountId === data.toAccountId) return reject('same_account');
  if (facts.accounts) {
    for (const accountId of [data.fromAccountId, data.toAccountId]) {
      const account = acceptsTransfers(facts.accounts[accountId] ?? initialAccountState, accountId);
      if (!account.ok) return account;
    }
  }
  if (state.status !== 'none') {
    const same =
      state.fromAccountId === data.fromAccountId &&
      state.toAccountId === data.toAccountId &&
      state.amount === data.amount &&
      state.requestedBy === data.requestedBy &&
      state.note === (data.note ?? null);
    return same ? accept() : reject('transfer_exists', data.transferId);
  }
  return accept({ type: 'TransferRequested', data: { ...data } });
}

function decideApproval(
  { data }: DecideTransfer,
  state: TransferState,
  facts: TransferFacts,
): Decision<TransferEvent> {
  if (state.status === 'none') return reject('transfer_not_found', data.transferId);
  const repeated =
    state.approver === data.approver &&
    ((data.decision === 'approve' && state.status === 'approved') ||
      (data.decision === 'reject' && state.status === 'rejected' && state.reason === 'rejected_by_approver'));
  if (repeated) return accept();
  if (state.status !== 'awaiting_approval')
    return reject('not_awaiting_approval', `status is ${state.status}`);
  const source = facts.accounts?.[state.fromAccountId];
  const allowed = mayDecide({
    approver: data.approver,
    requestedBy: state.requestedBy,
    sourceOwnerId: source === undefined || source.status === 'none' ? null : source.ownerId,
  });
  if (!allowed.ok) return reject(allowed.reason);
  const note = data.note === undefined ? {} : { note: data.note };
  return data.decision === 'approve'
    ? accept({
        type: 'TransferApproved',
        data: { transferId: data.transferId, approver: data.approver, ...note },
      })
    : accept({
        type: 'TransferRejected',
        data: {
          transferId: data.transferId,
          reason: 'rejected_by_approver',
          approver: data.approver,
          ...note,
        },
      });
}

/**
 * Whether the transfer's events already record this very decision (the same verdict by the same
 * approver with the same note: the decision the DecideTransfer command names, whose id is the hash
 * of exactly that), whatever happened to the transfer since. The process, not the command handler,
 * records a decision, so this is how a replayed DecideTransfer recognises its own effect.
 */
export function recordsDecision(
  events: ReadonlyArray<{ type: string; data: unknown }>,
  { transferId, decision, approver, note }: DecideTransfer['data'],
): boolean {
  const type = decision === 'approve' ? 'TransferApproved' : 'TransferRejected';
  return events.some((event) => {
    if (event.type !== type) return false;
    const data = event.data as { transferId?: unknown; approver?: unknown; note?: unknown; reason?: unknown };
    return (
      data.transferId === transferId &&
      data.approver === approver &&
      (data.note ?? undefined) === (note ?? undefined) &&
      (decision === 'approve' || data.reason === 'rejected_by_approver')
    );
  });
}

/** Transfer statuses a cancel can still end: the process has not passed the point of no return. */
const CANCELLABLE_STATUSES: readonly TransferStatus[] = ['requested', 'awaiting_approval', 'approved'];

function cancelTransfer(
  { data }: CancelTransfer,
  state: TransferState,
  facts: TransferFacts,
): Decision<TransferEvent> {
  if (state.status === 'none') return reject('transfer_not_found', data.transferId);
  if (state.status === 'completed') return reject('already_credited');
  const repeated =
    state.status === 'failed' &&
    state.reason === 'cancelled_by_operator' &&
    state.cancelledBy === data.cancelledBy &&
    state.cancelNote === data.note;
  if (repeated) return accept();
  if (!CANCELLABLE_STATUSES.includes(state.status))
    return reject('not_cancellable', `status is ${state.status}`);
  const destination = facts.accounts?.[state.toAccountId];
  if (destination !== undefined && transferInOf(destination, data.transferId))
    return reject('already_credited');
  return accept({
    type: 'TransferFailed',
    data: {
      transferId: data.transferId,
      reason: 'cancelled_by_operator',
      cancelledBy: data.cancelledBy,
      note: data.note,
    },
  });
}

/**
 * The TransferApprovalRequested event for the `requestApproval` effect (its deadline is the machine's). No event when the stream already records the request or has moved on.
 */
export function approvalRequestedEvents(
  state: TransferState,
  request: { reason: ApprovalReason; deadline: string },
): TransferEvent[] {
  if (state.status !== 'requested') return [];
  return [
    {
      type: 'TransferApprovalRequested',
      data: { transferId: state.transferId, reason: request.reason, deadline: request.deadline },
    },
  ];
}

/**
 * The final event for the `recordOutcome` effect. Idempotent: no event once the stream records
 * an outcome, so an approver's TransferRejected (appended when the decision was taken) is not
 * repeated, and the first recorded outcome stands if a late decision raced the deadline.
 */
export function outcomeEvents(
  state: TransferState,
  outcome: {
    outcome: TransferOutcome;
    reason: ReasonCode | null;
    approver?: string | null;
    note?: string | null;
    deadline?: string | null;
    cancellation?: { by: string; note: string };
  },
): TransferEvent[] {
  if (state.status === 'none' || isFinalStatus(state.status)) return [];
  const transferId = state.transferId;
  switch (outcome.outcome) {
    case 'completed':
      return [{ type: 'TransferCompleted', data: { transferId } }];
    case 'rejected': {
      const approver = outcome.approver ? { approver: outcome.approver } : {};
      const note = outcome.note ? { note: outcome.note } : {};
      return [
        {
          type: 'TransferRejected',
          data: { transferId, reason: outcome.reason ?? 'processing_failed', ...approver, ...note },
        },
      ];
    }
    case 'expired': {
      const deadline = outcome.deadline ?? state.deadline;
      // A transfer can only expire after its approval request recorded a deadline.
      if (!deadline) throw new Error(`transfer ${transferId} expired without a recorded deadline`);
      return [{ type: 'TransferExpired', data: { transferId, deadline } }];
    }
    case 'failed': {
      const cancellation = outcome.cancellation
        ? { cancelledBy: outcome.cancellation.by, note: outcome.cancellation.note }
        : {};
      return [
        {
          type: 'TransferFailed',
          data: { transferId, reason: outcome.reason ?? 'processing_failed', ...cancellation },
        },
      ];
    }
  }
}

/** The transfer stream as a decider without facts (the accounts are then the machine's and the account decider's concern). */
export const transferDecider: Decider<TransferCommand, TransferEvent, TransferState> = {
  initialState: initialTransferState,
  evolve: evolveTransfer,
  decide: (command, state) => decideTransfer(command, state),
};
