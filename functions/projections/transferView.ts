/**
 * The transfer read model: the transfer stream folded with the domain's own `evolveTransfer`, so
 * the view's status can never disagree with what the deciders see.
 */
import type { TransferEvent } from '../../domain/events';
import { evolveTransfer, isFinalStatus, type RequestedTransfer } from '../../domain/transfer';
import type { TransferResponse } from '../http/schemas';
import { TRANSFER_VIEW_ID, transferPartition } from './layout';

export interface TransferView extends RequestedTransfer {
  id: typeof TRANSFER_VIEW_ID;
  pk: string;
  view: 'transfer';
  version: number;
  requestedAt: string;
  updatedAt: string;
  /** The trace the transfer was requested in (its decisions and cancels continue it). */
  trace?: { traceparent: string; tracestate?: string };
  /** When approval was asked for (the approval-wait metric's start). */
  approvalRequestedAt?: string;
}

/** Whether the transfer's process has not finished it yet (what the open-transfers index lists). */
export function isOpenTransfer(view: Pick<TransferView, 'status'>): boolean {
  return !isFinalStatus(view.status);
}

/** Applies one transfer event; undefined until the transfer was requested. */
export function projectTransfer(
  view: TransferView | undefined,
  { event, version, occurredAt }: { event: TransferEvent; version: number; occurredAt: string },
): TransferView | undefined {
  const state = evolveTransfer(view ? toState(view) : { status: 'none' }, event);
  if (state.status === 'none') return undefined;
  return {
    ...state,
    id: TRANSFER_VIEW_ID,
    pk: transferPartition(state.transferId),
    view: 'transfer',
    version,
    requestedAt: view?.requestedAt ?? occurredAt,
    updatedAt: occurredAt,
    ...(view?.trace ? { trace: view.trace } : {}),
    ...(view?.approvalRequestedAt ? { approvalRequestedAt: view.approvalRequestedAt } : {}),
  };
}

function toState(view: TransferView): RequestedTransfer {
  const {
    status,
    transferId,
    fromAccountId,
    toAccountId,
    amount,
    requestedBy,
    note,
    approvalReason,
    deadline,
    approver,
    reason,
  } = view;
  return {
    status,
    transferId,
    fromAccountId,
    toAccountId,
    amount,
    requestedBy,
    note,
    approvalReason,
    deadline,
    approver,
    reason,
    // Views written before cancels existed lack these fields.
    cancelledBy: view.cancelledBy ?? null,
    cancelNote: view.cancelNote ?? null,
  };
}

/** The transfer as GET /api/transfers/{id} shows it (absent fields left out, not null). */
export function transferResponse(view: TransferView): TransferResponse {
  const { transferId, fromAccountId, toAccountId, amount, status, requestedBy, requestedAt } = view;
  // `?? undefined`: an absent field is left out of the JSON rather than sent as null.
  return {
    transferId,
    fromAccountId,
    toAccountId,
    amount,
    status,
    requestedBy,
    requestedAt,
    reason: view.reason ?? undefined,
    approver: view.approver ?? undefined,
    deadline: view.deadline ?? undefined,
    approvalReason: view.approvalReason ?? undefined,
    note: view.note ?? undefined,
    cancelledBy: view.cancelledBy ?? undefined,
    cancelNote: view.cancelNote ?? undefined,
  };
}
