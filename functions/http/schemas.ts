/**
 * The HTTP API's contract as zod schemas: path parameters, queries and responses, and their types
 * (`z.infer`). The routes (routes.ts) pair them with handlers; the handlers answer through them, the
 * tests parse with them, the OpenAPI document is generated from them and the clients' types from
 * that document. Request bodies of commands are derived from the domain's command schemas
 * (commandRoutes.ts).
 */
import { z } from 'zod';
import { AccountKindSchema } from '../../domain/commands';
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
  /** When this attempt was submitted. */
  submittedAt: z.string(),
  completedAt: z.string().optional(),
  /** The attempt (from 1): a repeat of a rejected command is evaluated again as its next attempt. */
  attempt: z.int().min(1),
  /** How the earlier attempts ended, oldest first. */
  previousAttempts: z.array(
    z.object({
      status: z.enum(['succeeded', 'rejected', 'failed']),
      reason: z.string().optional(),
      completedAt: z.string().optional(),
    }),
  ),
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
/** `GET /api/transfers/{transferId}/process`: the orchestration's status as a caller may see it. */
export const ProcessStatusResponseSchema = z.object({
  instanceId: z.string(),
  runtimeStatus: z.string(),
  customStatus: z.unknown(),
  output: z.unknown(),
  createdTime: z.string(),
  lastUpdatedTime: z.string(),
});
export type ProcessStatusResponse = z.infer<typeof ProcessStatusResponseSchema>;

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
  /** The operator who cancelled the approval wait, and why (status `failed`, reason `cancelled_by_operator`). */
  cancelledBy: IdSchema.optional(),
  cancelNote: z.string().optional(),
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
  instance: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string(), code: z.string() })).optional(),
});

/** `GET /api/reasons`: every stable code the API or a command outcome can carry, in words. */
export const ReasonsResponseSchema = z.object({ reasons: z.record(z.string(), z.string()) });

// ---- the types, one per schema (what handlers answer and in-repo clients read)

export type IdempotencyKey = z.infer<typeof IdempotencyKeySchema>;
export type InboxStatus = (typeof INBOX_STATUSES)[number];
export type ApprovalsQuery = z.infer<typeof ApprovalsQuerySchema>;
export type StreamQuery = z.infer<typeof StreamQuerySchema>;
export type CommandAccepted = z.infer<typeof CommandAcceptedSchema>;
export type CommandStatusResponse = z.infer<typeof CommandStatusSchema>;
export type CommandOutcomeStatus = CommandStatusResponse['status'];
export type AccountResponse = z.infer<typeof AccountResponseSchema>;
export type StatementEntryResponse = z.infer<typeof StatementEntrySchema>;
export type StatementEntryType = StatementEntryResponse['type'];
export type StatementResponse = z.infer<typeof StatementResponseSchema>;
export type TransferResponseStatus = z.infer<typeof TransferStatusSchema>;
export type TransferResponse = z.infer<typeof TransferResponseSchema>;
export type ApprovalItem = z.infer<typeof ApprovalItemSchema>;
export type ApprovalsResponse = z.infer<typeof ApprovalsResponseSchema>;
export type DeadLetterItem = z.infer<typeof DeadLetterItemSchema>;
export type DeadLettersResponse = z.infer<typeof DeadLettersResponseSchema>;
export type StreamEventResponse = z.infer<typeof StreamEventSchema>;
export type StreamResponse = z.infer<typeof StreamResponseSchema>;
export type ProblemResponse = z.infer<typeof ProblemSchema>;
export type ReasonsResponse = z.infer<typeof ReasonsResponseSchema>;

const HealthStatusSchema = z.enum(['healthy', 'degraded', 'unhealthy']);
/** GET /api/health: the instance's status and each check's (`healthy`/`degraded` 200, `unhealthy` 503). */
export const HealthResponseSchema = z.object({
  status: HealthStatusSchema,
  checkedAt: z.string(),
  checks: z.record(z.string(), z.looseObject({ status: HealthStatusSchema, detail: z.string() })),
});
export type HealthResponse = z.infer<typeof HealthResponseSchema>;
/** GET /api/health/live: the app is loaded and answers. */
export const LivenessResponseSchema = z.object({ status: z.literal('alive'), checkedAt: z.string() });
