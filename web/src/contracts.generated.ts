/**
 * GENERATED from the HTTP API's OpenAPI document (GET /api/openapi.json) by test/contracts; do
 * not edit. The types of the operations the dashboard (web/src/contracts.ts) calls.
 * Regenerate: UPDATE_CONTRACTS=1 npx jest test/contracts
 */

/** The `transferId` rule of getTransfer. */
export const ID_PATTERN = new RegExp('^[a-z0-9][a-z0-9-]{2,63}$');

// ---- GET /api/approvals: The approvals inbox, soonest deadline first
export type ListApprovalsResponse = {
  items: Array<{
    transferId: string;
    fromAccountId: string;
    toAccountId: string;
    amount: number;
    reason: 'amount' | 'velocity';
    deadline: string;
    status: 'pending' | 'approved' | 'rejected' | 'expired' | 'completed' | 'failed';
    requestedBy: string;
    requestedAt: string;
    note?: string;
    approver?: string;
    reminders: number;
  }>;
  asOf: string;
};
export type ListApprovalsQuery = {
  status?: 'pending' | 'approved' | 'rejected' | 'expired' | 'completed' | 'failed' | 'all';
};

// ---- POST /api/transfers/{transferId}/decision: Approve or reject a transfer awaiting approval (DecideTransfer); never your own
export type DecideTransferResponse = {
  commandId: string;
  transferId: string;
  statusUrl: string;
};
export type DecideTransferBody = {
  decision: 'approve' | 'reject';
  approver?: string;
  note?: string;
};

// ---- POST /api/transfers/{transferId}/cancel: Cancel a transfer before its destination is credited (CancelTransfer): reserving, awaiting approval or retrying, its reservation is released and it ends failed
export type CancelTransferResponse = DecideTransferResponse;
export type CancelTransferBody = {
  cancelledBy?: string;
  note: string;
};

// ---- GET /api/commands/{commandId}: The outcome of a command
export type GetCommandResponse = {
  commandId: string;
  type: string;
  status: 'pending' | 'succeeded' | 'rejected' | 'failed';
  reason?: string;
  submittedAt: string;
  completedAt?: string;
  attempt: number;
  previousAttempts: Array<{
    status: 'succeeded' | 'rejected' | 'failed';
    reason?: string;
    completedAt?: string;
  }>;
};

// ---- GET /api/transfers/{transferId}: A transfer (read model)
export type GetTransferResponse = {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  status: 'requested' | 'awaiting_approval' | 'approved' | 'completed' | 'rejected' | 'expired' | 'failed';
  reason?: string;
  approver?: string;
  deadline?: string;
  approvalReason?: 'amount' | 'velocity';
  requestedBy: string;
  note?: string;
  requestedAt: string;
  cancelledBy?: string;
  cancelNote?: string;
};

// ---- GET /api/accounts/{accountId}: An account (read model)
export type GetAccountResponse = {
  accountId: string;
  ownerId: string;
  ownerName: string;
  kind: 'user' | 'merchant';
  status: 'open' | 'closed';
  available: number;
  reserved: number;
  version: number;
};

// ---- GET /api/accounts/{accountId}/statement: An account's statement (read model)
export type GetStatementResponse = {
  accountId: string;
  entries: Array<{
    at: string;
    type: 'CreditsLoaded' | 'FundsReserved' | 'FundsReleased' | 'FundsTransferredOut' | 'FundsTransferredIn';
    amount: number;
    fee?: number;
    transferId?: string;
    balanceAfter: number;
  }>;
};

// ---- GET /api/transfers/{transferId}/events: A transfer's event stream (event store)
export type GetTransferEventsResponse = {
  streamId: string;
  version: number;
  events: Array<
    | {
        id: string;
        streamId: string;
        version: number;
        metadata: {
          correlationId: string;
          causationId: string;
          commandId?: string;
          occurredAt: string;
          traceparent?: string;
          tracestate?: string;
        };
        schemaVersion: number;
        type: 'AccountOpened';
        data: {
          accountId: string;
          ownerId: string;
          ownerName: string;
          kind: 'user' | 'merchant';
        };
      }
    | {
        id: string;
        streamId: string;
        version: number;
        metadata: {
          correlationId: string;
          causationId: string;
          commandId?: string;
          occurredAt: string;
          traceparent?: string;
          tracestate?: string;
        };
        schemaVersion: number;
        type: 'CreditsLoaded';
        data: {
          accountId: string;
          loadId: string;
          amount: number;
          fee: number;
          net: number;
          loadedBy?: string;
        };
      }
    | {
        id: string;
        streamId: string;
        version: number;
        metadata: {
          correlationId: string;
          causationId: string;
          commandId?: string;
          occurredAt: string;
          traceparent?: string;
          tracestate?: string;
        };
        schemaVersion: number;
        type: 'FundsReserved';
        data: {
          accountId: string;
          transferId: string;
          amount: number;
        };
      }
    | {
        id: string;
        streamId: string;
        version: number;
        metadata: {
          correlationId: string;
          causationId: string;
          commandId?: string;
          occurredAt: string;
          traceparent?: string;
          tracestate?: string;
        };
        schemaVersion: number;
        type: 'FundsReleased';
        data: {
          accountId: string;
          transferId: string;
          amount: number;
          reason:
            | 'insufficient_funds'
            | 'account_not_found'
            | 'account_closed'
            | 'same_account'
            | 'rejected_by_approver'
            | 'approval_expired'
            | 'account_exists'
            | 'account_not_empty'
            | 'reservation_not_found'
            | 'id_conflict'
            | 'invalid_amount'
            | 'transfer_not_found'
            | 'transfer_exists'
            | 'not_awaiting_approval'
            | 'approver_is_requester'
            | 'approver_is_source_owner'
            | 'processing_failed'
            | 'cancelled_by_operator'
            | 'already_credited'
            | 'not_cancellable'
            | 'process_ended';
        };
      }
    | {
        id: string;
        streamId: string;
        version: number;
        metadata: {
          correlationId: string;
          causationId: string;
          commandId?: string;
          occurredAt: string;
          traceparent?: string;
          tracestate?: string;
        };
        schemaVersion: number;
        type: 'FundsTransferredOut';
        data: {
          accountId: string;
          transferId: string;
          amount: number;
          toAccountId: string;
        };
      }
    | {
        id: string;
        streamId: string;
        version: number;
        metadata: {
          correlationId: string;
          causationId: string;
          commandId?: string;
          occurredAt: string;
          traceparent?: string;
          tracestate?: string;
        };
        schemaVersion: number;
        type: 'FundsTransferredIn';
        data: {
          accountId: string;
          transferId: string;
          amount: number;
          fromAccountId: string;
        };
      }
    | {
        id: string;
        streamId: string;
        version: number;
        metadata: {
          correlationId: string;
          causationId: string;
          commandId?: string;
          occurredAt: string;
          traceparent?: string;
          tracestate?: string;
        };
        schemaVersion: number;
        type: 'AccountClosed';
        data: {
          accountId: string;
        };
      }
    | {
        id: string;
        streamId: string;
        version: number;
        metadata: {
          correlationId: string;
          causationId: string;
          commandId?: string;
          occurredAt: string;
          traceparent?: string;
          tracestate?: string;
        };
        schemaVersion: number;
        type: 'TransferRequested';
        data: {
          transferId: string;
          fromAccountId: string;
          toAccountId: string;
          amount: number;
          requestedBy: string;
          note?: string;
        };
      }
    | {
        id: string;
        streamId: string;
        version: number;
        metadata: {
          correlationId: string;
          causationId: string;
          commandId?: string;
          occurredAt: string;
          traceparent?: string;
          tracestate?: string;
        };
        schemaVersion: number;
        type: 'TransferApprovalRequested';
        data: {
          transferId: string;
          reason: 'amount' | 'velocity';
          deadline: string;
        };
      }
    | {
        id: string;
        streamId: string;
        version: number;
        metadata: {
          correlationId: string;
          causationId: string;
          commandId?: string;
          occurredAt: string;
          traceparent?: string;
          tracestate?: string;
        };
        schemaVersion: number;
        type: 'TransferApproved';
        data: {
          transferId: string;
          approver: string;
          note?: string;
        };
      }
    | {
        id: string;
        streamId: string;
        version: number;
        metadata: {
          correlationId: string;
          causationId: string;
          commandId?: string;
          occurredAt: string;
          traceparent?: string;
          tracestate?: string;
        };
        schemaVersion: number;
        type: 'TransferRejected';
        data: {
          transferId: string;
          reason:
            | 'insufficient_funds'
            | 'account_not_found'
            | 'account_closed'
            | 'same_account'
            | 'rejected_by_approver'
            | 'approval_expired'
            | 'account_exists'
            | 'account_not_empty'
            | 'reservation_not_found'
            | 'id_conflict'
            | 'invalid_amount'
            | 'transfer_not_found'
            | 'transfer_exists'
            | 'not_awaiting_approval'
            | 'approver_is_requester'
            | 'approver_is_source_owner'
            | 'processing_failed'
            | 'cancelled_by_operator'
            | 'already_credited'
            | 'not_cancellable'
            | 'process_ended';
          approver?: string;
          note?: string;
        };
      }
    | {
        id: string;
        streamId: string;
        version: number;
        metadata: {
          correlationId: string;
          causationId: string;
          commandId?: string;
          occurredAt: string;
          traceparent?: string;
          tracestate?: string;
        };
        schemaVersion: number;
        type: 'TransferExpired';
        data: {
          transferId: string;
          deadline: string;
        };
      }
    | {
        id: string;
        streamId: string;
        version: number;
        metadata: {
          correlationId: string;
          causationId: string;
          commandId?: string;
          occurredAt: string;
          traceparent?: string;
          tracestate?: string;
        };
        schemaVersion: number;
        type: 'TransferCompleted';
        data: {
          transferId: string;
        };
      }
    | {
        id: string;
        streamId: string;
        version: number;
        metadata: {
          correlationId: string;
          causationId: string;
          commandId?: string;
          occurredAt: string;
          traceparent?: string;
          tracestate?: string;
        };
        schemaVersion: number;
        type: 'TransferFailed';
        data: {
          transferId: string;
          reason:
            | 'insufficient_funds'
            | 'account_not_found'
            | 'account_closed'
            | 'same_account'
            | 'rejected_by_approver'
            | 'approval_expired'
            | 'account_exists'
            | 'account_not_empty'
            | 'reservation_not_found'
            | 'id_conflict'
            | 'invalid_amount'
            | 'transfer_not_found'
            | 'transfer_exists'
            | 'not_awaiting_approval'
            | 'approver_is_requester'
            | 'approver_is_source_owner'
            | 'processing_failed'
            | 'cancelled_by_operator'
            | 'already_credited'
            | 'not_cancellable'
            | 'process_ended';
          cancelledBy?: string;
          note?: string;
        };
      }
  >;
};
export type GetTransferEventsQuery = {
  fromVersion?: string;
};

// ---- GET /api/accounts/{accountId}/events: An account's event stream (event store)
export type GetAccountEventsResponse = GetTransferEventsResponse;
export type GetAccountEventsQuery = GetTransferEventsQuery;

// ---- GET /api/reasons: Every reason and problem code in words (command outcomes, transfer reasons, problem `code`s)
export type ListReasonsResponse = {
  reasons: Record<string, string>;
};
