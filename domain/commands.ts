import { z } from 'zod';
import { AccountIdSchema, AmountSchema, LoadIdSchema, TransferIdSchema, UserIdSchema } from './ids';
import { ReasonCodeSchema } from './reasons';

/** Free text a person adds to a transfer or a decision; bounded so documents stay small. */
export const NoteSchema = z.string().max(500);
/** Why an operator cancels a transfer: required, so the audit trail always says why. */
export const CancelNoteSchema = z.string().trim().min(1).max(500);
export const AccountKindSchema = z.enum(['user', 'merchant']);
export type AccountKind = z.infer<typeof AccountKindSchema>;
export const DecisionSchema = z.enum(['approve', 'reject']);
export type ApprovalDecision = z.infer<typeof DecisionSchema>;

// Every command is `{type, data}`; `commandId(type, data)` identifies it.
function command<T extends string, D extends z.ZodRawShape>(type: T, data: D) {
  return z.strictObject({ type: z.literal(type), data: z.strictObject(data) });
}

// ---- client commands (HTTP → command store → command handler)

export const OpenAccountSchema = command('OpenAccount', {
  accountId: AccountIdSchema,
  ownerId: UserIdSchema,
  ownerName: z.string().trim().min(1).max(200),
  kind: AccountKindSchema,
});
export const LoadCreditsSchema = command('LoadCredits', {
  accountId: AccountIdSchema,
  loadId: LoadIdSchema,
  amount: AmountSchema,
  /** Who loaded: the authenticated caller. */
  loadedBy: UserIdSchema,
});
export const CloseAccountSchema = command('CloseAccount', { accountId: AccountIdSchema });
export const RequestTransferSchema = command('RequestTransfer', {
  transferId: TransferIdSchema,
  fromAccountId: AccountIdSchema,
  toAccountId: AccountIdSchema,
  amount: AmountSchema,
  requestedBy: UserIdSchema,
  note: NoteSchema.optional(),
});
export const DecideTransferSchema = command('DecideTransfer', {
  transferId: TransferIdSchema,
  decision: DecisionSchema,
  approver: UserIdSchema,
  note: NoteSchema.optional(),
});
export const CancelTransferSchema = command('CancelTransfer', {
  transferId: TransferIdSchema,
  /** Who cancelled: the authenticated operator. */
  cancelledBy: UserIdSchema,
  note: CancelNoteSchema,
});

// ---- account operations of the transfer process manager (activities → account decider)

export const ReserveFundsSchema = command('ReserveFunds', {
  accountId: AccountIdSchema,
  transferId: TransferIdSchema,
  amount: AmountSchema,
});
export const ReleaseFundsSchema = command('ReleaseFunds', {
  accountId: AccountIdSchema,
  transferId: TransferIdSchema,
  reason: ReasonCodeSchema,
});
export const TransferOutSchema = command('TransferOut', {
  accountId: AccountIdSchema,
  transferId: TransferIdSchema,
  toAccountId: AccountIdSchema,
});
export const TransferInSchema = command('TransferIn', {
  accountId: AccountIdSchema,
  transferId: TransferIdSchema,
  amount: AmountSchema,
  fromAccountId: AccountIdSchema,
});

/** Commands a client submits through the HTTP API and the command store. */
export const ClientCommandSchema = z.discriminatedUnion('type', [
  OpenAccountSchema,
  LoadCreditsSchema,
  CloseAccountSchema,
  RequestTransferSchema,
  DecideTransferSchema,
  CancelTransferSchema,
]);
/** Everything the account decider decides. */
export const AccountCommandSchema = z.discriminatedUnion('type', [
  OpenAccountSchema,
  LoadCreditsSchema,
  CloseAccountSchema,
  ReserveFundsSchema,
  ReleaseFundsSchema,
  TransferOutSchema,
  TransferInSchema,
]);
/** Everything the transfer decider decides. */
export const TransferCommandSchema = z.discriminatedUnion('type', [
  RequestTransferSchema,
  DecideTransferSchema,
  CancelTransferSchema,
]);
/** Every command: each belongs to exactly one aggregate's schema above (see streams.ts). */
export const CommandSchema = z.discriminatedUnion('type', [
  ...AccountCommandSchema.options,
  ...TransferCommandSchema.options,
]);

export type OpenAccount = z.infer<typeof OpenAccountSchema>;
export type LoadCredits = z.infer<typeof LoadCreditsSchema>;
export type CloseAccount = z.infer<typeof CloseAccountSchema>;
export type RequestTransfer = z.infer<typeof RequestTransferSchema>;
export type DecideTransfer = z.infer<typeof DecideTransferSchema>;
export type CancelTransfer = z.infer<typeof CancelTransferSchema>;
export type ReserveFunds = z.infer<typeof ReserveFundsSchema>;
export type ReleaseFunds = z.infer<typeof ReleaseFundsSchema>;
export type TransferOut = z.infer<typeof TransferOutSchema>;
export type TransferIn = z.infer<typeof TransferInSchema>;
export type ClientCommand = z.infer<typeof ClientCommandSchema>;
export type AccountCommand = z.infer<typeof AccountCommandSchema>;
export type TransferCommand = z.infer<typeof TransferCommandSchema>;
export type Command = z.infer<typeof CommandSchema>;
export type CommandType = Command['type'];
/** The data of the command of type `T`. */
export type CommandData<T extends CommandType> = Extract<Command, { type: T }>['data'];
