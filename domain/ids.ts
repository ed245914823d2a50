import { z } from 'zod';

/** Ids of accounts, loads and transfers: lower-case letters, digits and dashes, 3 to 64 long. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,63}$/;

export const IdSchema = z
  .string()
  .regex(ID_PATTERN, 'ids are 3-64 characters of a-z, 0-9 and "-", not starting with "-"');
export const AccountIdSchema = IdSchema;
export const LoadIdSchema = IdSchema;
export const TransferIdSchema = IdSchema;
/** People (owners, requesters, approvers) are identified by the same id rule. */
export const UserIdSchema = IdSchema;

export type AccountId = z.infer<typeof AccountIdSchema>;
export type LoadId = z.infer<typeof LoadIdSchema>;
export type TransferId = z.infer<typeof TransferIdSchema>;
export type UserId = z.infer<typeof UserIdSchema>;

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

export type StreamKind = 'account' | 'transfer';
export type AccountStreamId = `account-${string}`;
export type TransferStreamId = `transfer-${string}`;
export type StreamId = AccountStreamId | TransferStreamId;

/** The event stream of an account: `account-{accountId}`. */
export function accountStreamId(accountId: AccountId): AccountStreamId {
  return `account-${accountId}`;
}

/** The event stream of a transfer: `transfer-{transferId}`. */
export function transferStreamId(transferId: TransferId): TransferStreamId {
  return `transfer-${transferId}`;
}

/**
 * Splits a stream id into its kind and entity id; null when it is not a Cardflow stream id.
 *
 * @example parseStreamId('account-alice-1') // { kind: 'account', id: 'alice-1' }
 */
export function parseStreamId(streamId: string): { kind: StreamKind; id: string } | null {
  const match = /^(account|transfer)-(.+)$/.exec(streamId);
  if (!match || !isId(match[2])) return null;
  return { kind: match[1] as StreamKind, id: match[2] };
}

/** Amounts: whole cents, 1 ..= 10^12. */
export const AmountSchema = z.int().min(1).max(1_000_000_000_000);
