import { z } from 'zod';

/**
 * Stable reason codes: why a command was rejected or a transfer did not complete. They appear in
 * events, command outcomes and HTTP problem details, so they never change once published.
 * The first six are the codes of the design; the rest name the other rejections the deciders need.
 * Each text is the one place its words live: a clause ("the account is closed") that fits after
 * "refused: " on the dashboard, which reads them from `GET /api/reasons`.
 */
export const REASON_MESSAGES = {
  insufficient_funds: 'the source account does not have enough available credits',
  account_not_found: 'the account does not exist',
  account_closed: 'the account is closed',
  same_account: 'the source and destination accounts are the same',
  rejected_by_approver: 'an approver rejected it',
  approval_expired: 'the approval deadline passed before anyone decided',
  account_exists: 'an account with this id already exists with different details',
  account_not_empty: 'only an account with no available and no reserved credits can be closed',
  reservation_not_found: 'there is no reservation for this transfer on the account',
  id_conflict: 'this id was already used for a different operation',
  invalid_amount: 'amounts are whole cents between 1 and 10^12',
  transfer_not_found: 'there is no transfer with this id',
  transfer_exists: 'a transfer with this id already exists with different details',
  not_awaiting_approval:
    'the transfer is no longer waiting for approval (it was already decided, expired or finished)',
  approver_is_requester: 'the person who requested a transfer may not approve or reject it',
  approver_is_source_owner: 'the owner of the source account may not approve or reject its transfers',
  processing_failed: 'the transfer could not be processed',
  cancelled_by_operator: 'an operator cancelled it before the destination was credited',
  already_credited: 'the transfer already credited the destination, so it can no longer be cancelled',
  not_cancellable: 'the transfer has already ended, so it can no longer be cancelled',
  process_ended: 'its process ended before the transfer finished, and any reservation was released',
} as const;

export type ReasonCode = keyof typeof REASON_MESSAGES;

/** Every reason code, in a stable order. */
export const REASON_CODES = Object.keys(REASON_MESSAGES) as [ReasonCode, ...ReasonCode[]];

export const ReasonCodeSchema = z.enum(REASON_CODES);

/** True when `value` is one of the stable reason codes. */
export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(REASON_MESSAGES, value);
}

/** A business rejection: a stable code and a human message. Plain data, not an Error. */
export interface DomainError {
  readonly code: ReasonCode;
  readonly message: string;
}

/**
 * The reason's text as a sentence.
 *
 * @example reasonSentence('account_closed') // 'The account is closed.'
 */
export function reasonSentence(code: ReasonCode): string {
  const text = REASON_MESSAGES[code];
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** Builds the DomainError for `code`; `detail` is appended to the standard sentence. */
export function domainError(code: ReasonCode, detail?: string): DomainError {
  const message = detail ? `${reasonSentence(code)} ${detail}` : reasonSentence(code);
  return { code, message };
}

/**
 * The outcome of a decision: the events to append (possibly none, for an idempotent repeat) or
 * a rejection. Deciders return this instead of throwing so callers handle both paths explicitly.
 */
export type Decision<E> =
  { readonly ok: true; readonly events: readonly E[] } | { readonly ok: false; readonly error: DomainError };

export function accept<E>(...events: E[]): Decision<E> {
  return { ok: true, events };
}

export function reject<E = never>(code: ReasonCode, detail?: string): Decision<E> {
  return { ok: false, error: domainError(code, detail) };
}
