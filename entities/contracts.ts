/**
 * What the transfer process and the `outflowWindow` entity agree on: the entity's name, its
 * operations' inputs and the assessment it returns. The orchestrator imports only this module of entities/.
 */

export const OUTFLOW_WINDOW_ENTITY = 'outflowWindow';

/** `assess`: `at` is an ISO-8601 instant or epoch ms. */
/** The caller's W3C Trace Context, continued by the operation's span. */
export interface TracedOperation {
  trace?: { traceparent: string; tracestate?: string };
}

export interface AssessOutflow extends TracedOperation {
  transferId: string;
  amount: number;
  at: string | number;
}

export interface CancelOutflow extends TracedOperation {
  transferId: string;
}

/** The source's outgoing total in the window, this transfer included; the machine decides from it. */
export interface OutflowAssessment {
  windowTotal: number;
}
