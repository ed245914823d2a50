import { z } from 'zod';
import { AccountKindSchema, NoteSchema } from './commands';
import { AccountIdSchema, AmountSchema, LoadIdSchema, TransferIdSchema, UserIdSchema } from './ids';
import { ReasonCodeSchema } from './reasons';

/** A fee can be zero; a net is at most the amount. Both whole cents. */
const CentsSchema = z.int().min(0).max(1_000_000_000_000);
/** Instants are ISO-8601 UTC timestamps (`2026-01-31T12:00:00.000Z`). */
export const InstantSchema = z.iso.datetime({ offset: false });

// Every event is `{type, data}`; the envelope adds id, stream, version and metadata.
function event<T extends string, D extends z.ZodRawShape>(type: T, data: D) {
  return z.strictObject({ type: z.literal(type), data: z.strictObject(data) });
}

// ---- account stream `account-{accountId}`

export const AccountOpenedSchema = event('AccountOpened', {
  accountId: AccountIdSchema,
  ownerId: UserIdSchema,
  ownerName: z.string().min(1).max(200),
  kind: AccountKindSchema,
});
export const CreditsLoadedSchema = event('CreditsLoaded', {
  accountId: AccountIdSchema,
  loadId: LoadIdSchema,
  amount: AmountSchema,
  fee: CentsSchema,
  net: CentsSchema,
  /** Who loaded (the authenticated caller); absent on loads recorded before identities were known. */
  loadedBy: UserIdSchema.optional(),
}).refine((e) => e.data.fee + e.data.net === e.data.amount, {
  message: 'fee + net must equal amount',
  path: ['data', 'net'],
});
export const FundsReservedSchema = event('FundsReserved', {
  accountId: AccountIdSchema,
  transferId: TransferIdSchema,
  amount: AmountSchema,
});
export const FundsReleasedSchema = event('FundsReleased', {
  accountId: AccountIdSchema,
  transferId: TransferIdSchema,
  amount: AmountSchema,
  reason: ReasonCodeSchema,
});
export const FundsTransferredOutSchema = event('FundsTransferredOut', {
  accountId: AccountIdSchema,
  transferId: TransferIdSchema,
  amount: AmountSchema,
  toAccountId: AccountIdSchema,
});
export const FundsTransferredInSchema = event('FundsTransferredIn', {
  accountId: AccountIdSchema,
  transferId: TransferIdSchema,
  amount: AmountSchema,
  fromAccountId: AccountIdSchema,
});
export const AccountClosedSchema = event('AccountClosed', { accountId: AccountIdSchema });

// ---- transfer stream `transfer-{transferId}`

export const ApprovalReasonSchema = z.enum(['amount', 'velocity']);
export type ApprovalReason = z.infer<typeof ApprovalReasonSchema>;

export const TransferRequestedSchema = event('TransferRequested', {
  transferId: TransferIdSchema,
  fromAccountId: AccountIdSchema,
  toAccountId: AccountIdSchema,
  amount: AmountSchema,
  requestedBy: UserIdSchema,
  note: NoteSchema.optional(),
});
export const TransferApprovalRequestedSchema = event('TransferApprovalRequested', {
  transferId: TransferIdSchema,
  reason: ApprovalReasonSchema,
  deadline: InstantSchema,
});
export const TransferApprovedSchema = event('TransferApproved', {
  transferId: TransferIdSchema,
  approver: UserIdSchema,
  note: NoteSchema.optional(),
});
export const TransferRejectedSchema = event('TransferRejected', {
  transferId: TransferIdSchema,
  reason: ReasonCodeSchema,
  approver: UserIdSchema.optional(),
  note: NoteSchema.optional(),
});
export const TransferExpiredSchema = event('TransferExpired', {
  transferId: TransferIdSchema,
  deadline: InstantSchema,
});
export const TransferCompletedSchema = event('TransferCompleted', { transferId: TransferIdSchema });
export const TransferFailedSchema = event('TransferFailed', {
  transferId: TransferIdSchema,
  reason: ReasonCodeSchema,
  /** The operator who cancelled it (reason `cancelled_by_operator`); absent on other failures. */
  cancelledBy: UserIdSchema.optional(),
  /** The operator's reason for cancelling. */
  note: NoteSchema.optional(),
});

export const AccountEventSchema = z.discriminatedUnion('type', [
  AccountOpenedSchema,
  CreditsLoadedSchema,
  FundsReservedSchema,
  FundsReleasedSchema,
  FundsTransferredOutSchema,
  FundsTransferredInSchema,
  AccountClosedSchema,
]);
export const TransferEventSchema = z.discriminatedUnion('type', [
  TransferRequestedSchema,
  TransferApprovalRequestedSchema,
  TransferApprovedSchema,
  TransferRejectedSchema,
  TransferExpiredSchema,
  TransferCompletedSchema,
  TransferFailedSchema,
]);
/** Every event: each belongs to exactly one stream's schema above. */
export const DomainEventSchema = z.discriminatedUnion('type', [
  ...AccountEventSchema.options,
  ...TransferEventSchema.options,
]);

export type AccountOpened = z.infer<typeof AccountOpenedSchema>;
export type CreditsLoaded = z.infer<typeof CreditsLoadedSchema>;
export type FundsReserved = z.infer<typeof FundsReservedSchema>;
export type FundsReleased = z.infer<typeof FundsReleasedSchema>;
export type FundsTransferredOut = z.infer<typeof FundsTransferredOutSchema>;
export type FundsTransferredIn = z.infer<typeof FundsTransferredInSchema>;
export type AccountClosed = z.infer<typeof AccountClosedSchema>;
export type TransferRequested = z.infer<typeof TransferRequestedSchema>;
export type TransferApprovalRequested = z.infer<typeof TransferApprovalRequestedSchema>;
export type TransferApproved = z.infer<typeof TransferApprovedSchema>;
export type TransferRejected = z.infer<typeof TransferRejectedSchema>;
export type TransferExpired = z.infer<typeof TransferExpiredSchema>;
export type TransferCompleted = z.infer<typeof TransferCompletedSchema>;
export type TransferFailed = z.infer<typeof TransferFailedSchema>;
export type AccountEvent = z.infer<typeof AccountEventSchema>;
export type TransferEvent = z.infer<typeof TransferEventSchema>;
export type DomainEvent = z.infer<typeof DomainEventSchema>;
export type DomainEventType = DomainEvent['type'];
/** The data of the event of type `T`. */
export type EventData<T extends DomainEventType> = Extract<DomainEvent, { type: T }>['data'];

export const ACCOUNT_EVENT_TYPES = AccountEventSchema.options.map((o) => o.shape.type.value);
export const TRANSFER_EVENT_TYPES = TransferEventSchema.options.map((o) => o.shape.type.value);
