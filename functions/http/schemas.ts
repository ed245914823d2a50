/**
 * Every route of the HTTP API (DESIGN.md §4) as zod schemas: path parameters, query, body and the
 * response. The handlers validate with them, the tests check responses against them and the
 * OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { AccountKindSchema, DecisionSchema, NoteSchema } from '../../domain/commands';
import { ApprovalReasonSchema } from '../../domain/events';
import { AmountSchema, IdSchema } from '../../domain/ids';

// ---- requests

/** `Idempotency-Key`: printable ASCII, so equal keys are equal bytes. */
export const IdempotencyKeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'the Idempotency-Key is 1-200 printable ASCII characters without spaces');

export const OpenAccountBodySchema = z.strictObject({
  accountId: IdSchema.optional(),
  ownerId: IdSchema,
  ownerName: z.string().trim().min(1).max(200),
  kind: AccountKindSchema,
});
export const LoadCreditsBodySchema = z.strictObject({ loadId: IdSchema.optional(), amount: AmountSchema });
export const CloseAccountBodySchema = z.strictObject({});
export const RequestTransferBodySchema = z.strictObject({
  transferId: IdSchema.optional(),
  fromAccountId: IdSchema,
  toAccountId: IdSchema,
  amount: AmountSchema,
  requestedBy: IdSchema,
  note: NoteSchema.optional(),
});
export const DecisionBodySchema = z.strictObject({ decision: DecisionSchema, approver: IdSchema, note: NoteSchema.optional() });

export const AccountParamsSchema = z.object({ accountId: IdSchema });
export const TransferParamsSchema = z.object({ transferId: IdSchema });
export const CommandParamsSchema = z.object({ commandId: z.string().regex(/^[0-9a-f]{64}$/, 'a command id is 64 lower-case hex digits') });

export const INBOX_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'completed', 'failed'] as const;
export const ApprovalsQuerySchema = z.object({ status: z.enum([...INBOX_STATUSES, 'all']).default('pending') });

// ---- responses

export const CommandAcceptedSchema = z.object({
  commandId: z.string(),
  statusUrl: z.url(),
  accountId: IdSchema.optional(),
  loadId: IdSchema.optional(),
  transferId: IdSchema.optional(),
  processStatusUrl: z.url().optional(),
});

export const CommandStatusSchema = z.object({
  commandId: z.string(),
  type: z.string(),
  status: z.enum(['pending', 'succeeded', 'rejected', 'failed']),
  reason: z.string().optional(),
  submittedAt: z.string(),
  completedAt: z.string().optional(),
});

export const AccountResponseSchema = z.object({
  accountId: IdSchema,
  ownerId: IdSchema,
  ownerName: z.string(),
  kind: AccountKindSchema,
  status: z.enum(['open', 'closed']),
  available: z.int().min(0),
  reserved: z.int().min(0),
  version: z.int().min(1),
});

export const StatementEntrySchema = z.object({
  at: z.string(),
  type: z.enum(['CreditsLoaded', 'FundsReserved', 'FundsReleased', 'FundsTransferredOut', 'FundsTransferredIn']),
  amount: z.int().min(1),
  fee: z.int().min(0).optional(),
  transferId: IdSchema.optional(),
  balanceAfter: z.int().min(0),
});
export const StatementResponseSchema = z.object({ accountId: IdSchema, entries: z.array(StatementEntrySchema) });

export const TransferStatusSchema = z.enum(['requested', 'awaiting_approval', 'approved', 'completed', 'rejected', 'expired', 'failed']);
export const TransferResponseSchema = z.object({
  transferId: IdSchema,
  fromAccountId: IdSchema,
  toAccountId: IdSchema,
  amount: AmountSchema,
  status: TransferStatusSchema,
  reason: z.string().optional(),
  approver: z.string().optional(),
  deadline: z.string().optional(),
  approvalReason: ApprovalReasonSchema.optional(),
  requestedBy: IdSchema,
  note: z.string().optional(),
  requestedAt: z.string(),
});

export const ApprovalItemSchema = z.object({
  transferId: IdSchema,
  fromAccountId: IdSchema,
  toAccountId: IdSchema,
  amount: AmountSchema,
  reason: ApprovalReasonSchema,
  deadline: z.string(),
  status: z.enum(INBOX_STATUSES),
  requestedBy: IdSchema,
  requestedAt: z.string(),
  note: z.string().optional(),
  approver: z.string().optional(),
  reminders: z.int().min(0),
});
export const ApprovalsResponseSchema = z.object({ items: z.array(ApprovalItemSchema), asOf: z.string() });

export const DeadLetterItemSchema = z.object({
  commandId: z.string(),
  type: z.string(),
  data: z.unknown(),
  attempts: z.int(),
  reason: z.string(),
  lastError: z.string(),
  failedAt: z.string(),
});
export const DeadLettersResponseSchema = z.object({ items: z.array(DeadLetterItemSchema) });

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  code: z.string(),
  detail: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string(), code: z.string() })).optional(),
});

/** The routes: what the handlers register and the OpenAPI document lists. */
export const ROUTES = {
  openAccount: { method: 'POST', route: 'accounts', body: OpenAccountBodySchema, response: CommandAcceptedSchema, status: 202, summary: 'Open an account (OpenAccount)' },
  loadCredits: { method: 'POST', route: 'accounts/{accountId}/loads', params: AccountParamsSchema, body: LoadCreditsBodySchema, response: CommandAcceptedSchema, status: 202, summary: 'Load credits (LoadCredits)' },
  closeAccount: { method: 'POST', route: 'accounts/{accountId}/close', params: AccountParamsSchema, body: CloseAccountBodySchema, response: CommandAcceptedSchema, status: 202, summary: 'Close an empty account (CloseAccount)' },
  requestTransfer: { method: 'POST', route: 'transfers', body: RequestTransferBodySchema, response: CommandAcceptedSchema, status: 202, summary: 'Request a transfer (RequestTransfer)' },
  decideTransfer: { method: 'POST', route: 'transfers/{transferId}/decision', params: TransferParamsSchema, body: DecisionBodySchema, response: CommandAcceptedSchema, status: 202, summary: 'Approve or reject a transfer awaiting approval (DecideTransfer)' },
  getCommand: { method: 'GET', route: 'commands/{commandId}', params: CommandParamsSchema, response: CommandStatusSchema, status: 200, summary: 'The outcome of a command' },
  getAccount: { method: 'GET', route: 'accounts/{accountId}', params: AccountParamsSchema, response: AccountResponseSchema, status: 200, summary: 'An account (read model)' },
  getStatement: { method: 'GET', route: 'accounts/{accountId}/statement', params: AccountParamsSchema, response: StatementResponseSchema, status: 200, summary: "An account's statement (read model)" },
  getTransfer: { method: 'GET', route: 'transfers/{transferId}', params: TransferParamsSchema, response: TransferResponseSchema, status: 200, summary: 'A transfer (read model)' },
  listApprovals: { method: 'GET', route: 'approvals', query: ApprovalsQuerySchema, response: ApprovalsResponseSchema, status: 200, summary: 'The approvals inbox' },
  listDeadLetters: { method: 'GET', route: 'deadletters', response: DeadLettersResponseSchema, status: 200, summary: 'Commands that failed after every attempt' },
} as const;

export type RouteName = keyof typeof ROUTES;
