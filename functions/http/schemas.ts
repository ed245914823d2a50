/**
 * Every route of the HTTP API (DESIGN.md §4) as zod schemas: path parameters, query, body and the
 * response. The handlers validate with them, the tests check responses against them and the
 * OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { AccountKindSchema, DecisionSchema, NoteSchema } from '../../domain/commands';
import { EventIdSchema, EventMetadataSchema, StreamIdSchema } from '../../domain/envelope';
import { ApprovalReasonSchema, DomainEventSchema } from '../../domain/events';
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
export const DecisionBodySchema = z.strictObject({
  decision: DecisionSchema,
  approver: IdSchema,
  note: NoteSchema.optional(),
});

export const AccountParamsSchema = z.object({ accountId: IdSchema });
export const TransferParamsSchema = z.object({ transferId: IdSchema });
export const CommandParamsSchema = z.object({
  commandId: z.string().regex(/^[0-9a-f]{64}$/, 'a command id is 64 lower-case hex digits'),
});

/** `?fromVersion=N`: the first stream version to return (default 1); digits only, so `1e3` or `01` are refused. */
export const StreamQuerySchema = z.object({
  fromVersion: z
    .string()
    .regex(/^[1-9][0-9]{0,14}$/, 'fromVersion is a whole number from 1 (at most 15 digits)')
    .transform(Number)
    .optional(),
});

export const INBOX_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'completed', 'failed'] as const;
export const ApprovalsQuerySchema = z.object({
  status: z.enum([...INBOX_STATUSES, 'all']).default('pending'),
});

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
  type: z.enum([
    'CreditsLoaded',
    'FundsReserved',
    'FundsReleased',
    'FundsTransferredOut',
    'FundsTransferredIn',
  ]),
  amount: z.int().min(1),
  fee: z.int().min(0).optional(),
  transferId: IdSchema.optional(),
  balanceAfter: z.int().min(0),
});
export const StatementResponseSchema = z.object({
  accountId: IdSchema,
  entries: z.array(StatementEntrySchema),
});

export const TransferStatusSchema = z.enum([
  'requested',
  'awaiting_approval',
  'approved',
  'completed',
  'rejected',
  'expired',
  'failed',
]);
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

const envelopeFields = {
  id: EventIdSchema,
  streamId: StreamIdSchema,
  version: z.int().min(1),
  metadata: EventMetadataSchema,
  schemaVersion: z.int().min(1),
};
const envelopes = DomainEventSchema.options.map((event) =>
  z.strictObject({ ...envelopeFields, type: event.shape.type, data: event.shape.data }),
);
/** A stored event as the event store holds it: the envelope, with `data` described per event type. */
export const StreamEventSchema = z.discriminatedUnion(
  'type',
  envelopes as unknown as [(typeof envelopes)[number], ...(typeof envelopes)[number][]],
);
/** A stream's events from `fromVersion` on; `version` is the stream's current version. */
export const StreamResponseSchema = z.object({
  streamId: StreamIdSchema,
  version: z.int().min(1),
  events: z.array(StreamEventSchema),
});

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
  openAccount: {
    method: 'POST',
    route: 'accounts',
    body: OpenAccountBodySchema,
    response: CommandAcceptedSchema,
    status: 202,
    summary: 'Open an account (OpenAccount)',
  },
  loadCredits: {
    method: 'POST',
    route: 'accounts/{accountId}/loads',
    params: AccountParamsSchema,
    body: LoadCreditsBodySchema,
    response: CommandAcceptedSchema,
    status: 202,
    summary: 'Load credits (LoadCredits)',
  },
  closeAccount: {
    method: 'POST',
    route: 'accounts/{accountId}/close',
    params: AccountParamsSchema,
    body: CloseAccountBodySchema,
    response: CommandAcceptedSchema,
    status: 202,
    summary: 'Close an empty account (CloseAccount)',
  },
  requestTransfer: {
    method: 'POST',
    route: 'transfers',
    body: RequestTransferBodySchema,
    response: CommandAcceptedSchema,
    status: 202,
    summary: 'Request a transfer (RequestTransfer)',
  },
  decideTransfer: {
    method: 'POST',
    route: 'transfers/{transferId}/decision',
    params: TransferParamsSchema,
    body: DecisionBodySchema,
    response: CommandAcceptedSchema,
    status: 202,
    summary: 'Approve or reject a transfer awaiting approval (DecideTransfer)',
  },
  getCommand: {
    method: 'GET',
    route: 'commands/{commandId}',
    params: CommandParamsSchema,
    response: CommandStatusSchema,
    status: 200,
    summary: 'The outcome of a command',
  },
  getAccount: {
    method: 'GET',
    route: 'accounts/{accountId}',
    params: AccountParamsSchema,
    response: AccountResponseSchema,
    status: 200,
    summary: 'An account (read model)',
  },
  getStatement: {
    method: 'GET',
    route: 'accounts/{accountId}/statement',
    params: AccountParamsSchema,
    response: StatementResponseSchema,
    status: 200,
    summary: "An account's statement (read model)",
  },
  getAccountEvents: {
    method: 'GET',
    route: 'accounts/{accountId}/events',
    params: AccountParamsSchema,
    query: StreamQuerySchema,
    response: StreamResponseSchema,
    status: 200,
    summary: "An account's event stream (event store)",
  },
  getTransfer: {
    method: 'GET',
    route: 'transfers/{transferId}',
    params: TransferParamsSchema,
    response: TransferResponseSchema,
    status: 200,
    summary: 'A transfer (read model)',
  },
  getTransferEvents: {
    method: 'GET',
    route: 'transfers/{transferId}/events',
    params: TransferParamsSchema,
    query: StreamQuerySchema,
    response: StreamResponseSchema,
    status: 200,
    summary: "A transfer's event stream (event store)",
  },
  listApprovals: {
    method: 'GET',
    route: 'approvals',
    query: ApprovalsQuerySchema,
    response: ApprovalsResponseSchema,
    status: 200,
    summary: 'The approvals inbox',
  },
  listDeadLetters: {
    method: 'GET',
    route: 'deadletters',
    response: DeadLettersResponseSchema,
    status: 200,
    summary: 'Commands that failed after every attempt',
  },
} as const;

export type RouteName = keyof typeof ROUTES;
