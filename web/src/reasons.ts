/**
 * The system's reason codes in words for the people using the dashboard. Codes are the domain's
 * (DESIGN.md §2) plus the HTTP API's; an unknown code is shown as is, never hidden.
 */
import type { ProblemDetails } from './problem.js';

const REASONS: Record<string, string> = {
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
  command_not_found: 'there is no such command',
  not_found: 'it was not found',
  invalid_request: 'the request was not valid',
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
