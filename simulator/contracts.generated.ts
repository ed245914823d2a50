/**
 * GENERATED from the HTTP API's OpenAPI document (GET /api/openapi.json) by test/contracts; do
 * not edit. The types of the operations the simulator (simulator/api.ts) calls.
 * Regenerate: UPDATE_CONTRACTS=1 npx jest test/contracts
 */

// ---- POST /api/accounts: Open an account (OpenAccount); the owner is the caller, or whom an operator names
export type OpenAccountResponse = {
  commandId: string;
  accountId: string;
  statusUrl: string;
};
export type OpenAccountBody = {
  accountId?: string;
  ownerId?: string;
  ownerName?: string;
  kind: 'user' | 'merchant';
};

// ---- POST /api/accounts/{accountId}/loads: Load credits (LoadCredits) onto an account of your own, or any as an operator
export type LoadCreditsResponse = {
  commandId: string;
  accountId: string;
  loadId: string;
  statusUrl: string;
};
export type LoadCreditsBody = {
  loadId?: string;
  amount: number;
  loadedBy?: string;
};

// ---- POST /api/transfers: Request a transfer (RequestTransfer) from an account of your own
export type RequestTransferResponse = {
  commandId: string;
  transferId: string;
  processStatusUrl: string;
  statusUrl: string;
};
export type RequestTransferBody = {
  transferId?: string;
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  requestedBy?: string;
  note?: string;
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
