/**
 * The transfer read model: the transfer stream folded with the domain's own `evolveTransfer`, so
 * the view's status can never disagree with what the deciders see.
 */
import type { TransferEvent } from '../../domain/events';
import { evolveTransfer, type RequestedTransfer, type TransferStatus } from '../../domain/transfer';
import { TRANSFER_VIEW_ID, transferPartition } from './layout';

export interface TransferView extends RequestedTransfer {
  id: typeof TRANSFER_VIEW_ID;
  pk: string;
  view: 'transfer';
  version: number;
  requestedAt: string;
  updatedAt: string;
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
  };
}

export interface TransferResponse {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  status: TransferStatus;
  reason?: string;
  approver?: string;
  deadline?: string;
  approvalReason?: string;
  requestedBy: string;
  note?: string;
  requestedAt: string;
}

/** The transfer as GET /api/transfers/{id} shows it (absent fields left out, not null). */
export function transferResponse(view: TransferView): TransferResponse {
  const optional = {
    reason: view.reason,
    approver: view.approver,
    deadline: view.deadline,
    approvalReason: view.approvalReason,
    note: view.note,
  };
  return {
    transferId: view.transferId,
    fromAccountId: view.fromAccountId,
    toAccountId: view.toAccountId,
    amount: view.amount,
    status: view.status,
    requestedBy: view.requestedBy,
    requestedAt: view.requestedAt,
    ...Object.fromEntries(
      Object.entries(optional).filter(([, value]) => value !== null && value !== undefined),
    ),
  };
}
