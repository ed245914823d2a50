/**
 * The system's reason codes in words for the people using the dashboard. Codes are the domain's
 * (DESIGN.md §2) plus the HTTP API's; an unknown code is shown as is, never hidden.
 */
import type { ProblemDetails } from './problem.js';

const REASONS: Record<string, string> = {
  insufficient_funds: 'the source account does not have enough available credits',
  account_not_found: 'one of the accounts does not exist',
  account_closed: 'one of the accounts is closed',
  same_account: 'the source and destination accounts are the same',
  rejected_by_approver: 'an approver rejected it',
  approval_expired: 'the approval deadline passed before anyone decided',
  not_awaiting_approval: 'the transfer is no longer waiting for approval (it was already decided, expired or finished)',
  already_decided: 'someone has already decided this transfer',
  transfer_not_found: 'there is no transfer with this id',
  not_found: 'it was not found',
  approver_not_allowed: 'the approver may be neither the requester nor the owner of the source account',
  forbidden_approver: 'the approver may be neither the requester nor the owner of the source account',
  approver_is_requester: 'the approver requested this transfer and may not approve it',
  approver_owns_source: 'the approver owns the source account and may not approve it',
  invalid_request: 'the request was not valid',
  unsupported_media_type: 'the request was not JSON',
  payload_too_large: 'the request was too large',
};

/** A reason code in words, e.g. `approval_expired` → "the approval deadline passed before anyone decided". */
export function describeReason(code: string): string {
  return REASONS[code] ?? code.replace(/_/g, ' ');
}

/** A whole refusal in one sentence, for a status line: what failed, why, and the field issues if any. */
export function describeProblem(problem: ProblemDetails): string {
  const why = problem.code ? describeReason(problem.code) : undefined;
  const parts = [`${problem.title} (${problem.status})`];
  if (why) parts.push(why);
  if (problem.detail && problem.detail !== why) parts.push(problem.detail);
  let sentence = parts.join(': ');
  if (problem.errors && problem.errors.length > 0) {
    sentence += ` — ${problem.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')}`;
  }
  return sentence.endsWith('.') ? sentence : `${sentence}.`;
}
