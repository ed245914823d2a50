import { ApprovalReason } from './events';
import { Cents } from './money';
import { ReasonCode } from './reasons';

/** Defaults of docs/architecture.md, domain (APPROVAL_THRESHOLD, VELOCITY_THRESHOLD, APPROVAL_TIMEOUT). */
export const DEFAULT_APPROVAL_THRESHOLD: Cents = 100_000;
export const DEFAULT_VELOCITY_THRESHOLD: Cents = 250_000;
export const DEFAULT_APPROVAL_TIMEOUT = 'PT24H';
/** The velocity rule looks at the source account's outgoing transfers of the last 24 hours. */
export const OUTFLOW_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface ApprovalPolicy {
  readonly approvalThreshold: Cents;
  readonly velocityThreshold: Cents;
}

export interface ApprovalRequirement {
  readonly required: boolean;
  readonly reason: ApprovalReason | null;
}

/**
 * Whether a transfer needs manual approval: when its amount reaches the approval threshold
 * ('amount', checked first), or when the source's outgoing total of the window, this transfer
 * included, reaches the velocity threshold ('velocity'), so splitting a large transfer into small
 * ones does not avoid review.
 *
 * @example requiresApproval({ amount: 100_000, windowTotal: 100_000, approvalThreshold: 100_000, velocityThreshold: 250_000 })
 *   // { required: true, reason: 'amount' }
 */
export function requiresApproval(
  input: { amount: Cents; windowTotal: Cents } & ApprovalPolicy,
): ApprovalRequirement {
  if (input.amount >= input.approvalThreshold) return { required: true, reason: 'amount' };
  // The window total always includes this transfer, even if a caller passed a stale total.
  if (Math.max(input.windowTotal, input.amount) >= input.velocityThreshold)
    return { required: true, reason: 'velocity' };
  return { required: false, reason: null };
}

export type MayDecide =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: Extract<ReasonCode, 'approver_is_requester' | 'approver_is_source_owner'>;
    };

/** Whether `approver` may approve or reject a transfer: neither its requester nor the owner of its source account. */
export function mayDecide(input: {
  approver: string;
  requestedBy: string;
  sourceOwnerId?: string | null;
}): MayDecide {
  if (input.approver === input.requestedBy) return { ok: false, reason: 'approver_is_requester' };
  if (input.sourceOwnerId != null && input.approver === input.sourceOwnerId)
    return { ok: false, reason: 'approver_is_source_owner' };
  return { ok: true };
}
