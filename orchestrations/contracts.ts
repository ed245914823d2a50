/**
 * What the app's functions and the transfer process manager agree on: the orchestration's name and
 * input, and the external events that carry an approval decision and an operator's cancel. The
 * primary event handler starts `transferProcess` with instance id = transfer id; the DecideTransfer
 * command handler (and any operator, through the Durable HTTP API) raises `ApprovalDecision` on it,
 * the CancelTransfer command handler `CancelTransfer`.
 */
import { z } from 'zod';
import { AccountIdSchema, TransferIdSchema, UserIdSchema } from '../domain/ids';
import {
  ApprovalDecisionSchema,
  CancelTransferEventSchema,
  type ApprovalDecisionInput,
  type CancelTransferEventInput,
} from '../domain/transfer';

export const TRANSFER_PROCESS = 'transferProcess';
export const APPROVAL_DECISION_EVENT = 'ApprovalDecision';
export const CANCEL_TRANSFER_EVENT = 'CancelTransfer';

/** Thresholds and timeout in force when the transfer was requested (captured so replays agree). */
export const TransferPolicySchema = z.strictObject({
  approvalThreshold: z.int().min(1),
  velocityThreshold: z.int().min(1),
  /** ISO-8601 duration, e.g. PT24H. */
  approvalTimeout: z.string().min(2),
});
export type TransferPolicy = z.infer<typeof TransferPolicySchema>;

export const TransferProcessInputSchema = z.strictObject({
  transferId: TransferIdSchema,
  fromAccountId: AccountIdSchema,
  toAccountId: AccountIdSchema,
  amount: z.int().min(1),
  requestedBy: UserIdSchema,
  note: z.string().optional(),
  /** occurredAt of the TransferRequested event (ISO-8601). */
  requestedAt: z.string(),
  policy: TransferPolicySchema,
  /** Carried into the metadata of every event the process appends. */
  correlationId: z.string().min(1),
  /** The TransferRequested event's id. */
  causationId: z.string().min(1),
  /** W3C Trace Context of the primary handler that started the process; activity and entity inputs carry it on. */
  trace: z
    .strictObject({ traceparent: z.string().max(64), tracestate: z.string().max(512).optional() })
    .optional(),
});
export type TransferProcessInput = z.infer<typeof TransferProcessInputSchema>;

/** The body of `ApprovalDecision`: `{decision: 'approve'|'reject', approver, note?}`. */
export { ApprovalDecisionSchema };
export type ApprovalDecision = ApprovalDecisionInput;

/** The body of `CancelTransfer`: `{cancelledBy, note}`; the process honours it only while it waits for approval. */
export { CancelTransferEventSchema };
export type CancelTransferEvent = CancelTransferEventInput;
