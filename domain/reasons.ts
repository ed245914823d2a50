import { z } from 'zod';

/**
 * Stable reason codes: why a command was rejected or a transfer did not complete. They appear in
 * events, command outcomes and HTTP problem details, so they never change once published.
 * The first six are the codes of DESIGN.md §2; the rest name the other rejections the deciders need.
 */
export const REASON_MESSAGES = {
  insufficient_funds: 'The source account does not have enough available credits.',
  account_not_found: 'The account does not exist.',
  account_closed: 'The account is closed.',
  same_account: 'A transfer needs two different accounts.',
  rejected_by_approver: 'An approver rejected the transfer.',
  approval_expired: 'No approval decision arrived before the deadline.',
  account_exists: 'An account with this id already exists with different details.',
  account_not_empty: 'Only an account with no available and no reserved credits can be closed.',
  reservation_not_found: 'There is no reservation for this transfer on the account.',
  id_conflict: 'This id was already used for a different operation.',
  invalid_amount: 'Amounts are whole cents between 1 and 10^12.',
  transfer_not_found: 'The transfer does not exist.',
  transfer_exists: 'A transfer with this id already exists with different details.',
  not_awaiting_approval: 'The transfer is not waiting for an approval decision.',
  approver_is_requester: 'The requester of a transfer may not approve or reject it.',
  approver_is_source_owner: 'The owner of the source account may not approve or reject its transfer.',
  processing_failed: 'The transfer could not be processed.',
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

/** Builds the DomainError for `code`; `detail` is appended to the standard message. */
export function domainError(code: ReasonCode, detail?: string): DomainError {
  const message = detail ? `${REASON_MESSAGES[code]} ${detail}` : REASON_MESSAGES[code];
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
