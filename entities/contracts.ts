/**
 * What the transfer process and the `outflowWindow` entity agree on: the entity's name, its
 * operations' inputs and the assessment it returns. The orchestrator imports only this module of entities/.
 */
import type { ApprovalReason } from '../domain';

export const OUTFLOW_WINDOW_ENTITY = 'outflowWindow';

/** `assess`: `at` is an ISO-8601 instant or epoch ms; thresholds default to the app settings. */
export interface AssessOutflow {
  transferId: string;
  amount: number;
  at: string | number;
  approvalThreshold?: number;
  velocityThreshold?: number;
}

export interface CancelOutflow {
  transferId: string;
}

export interface OutflowAssessment {
  requiresApproval: boolean;
  reason: ApprovalReason | null;
  windowTotal: number;
}
