/**
 * The activities of the transfer process: their names, inputs and results. The orchestrator and
 * the activities import only this module from each other. Business rejections come back as values
 * (`{ok: false, reason}`), never as errors, so the retry policy only ever retries transient failures.
 */
import type { ApprovalReason, ReasonCode, TransferOutcome } from '../domain';

export const ACTIVITY = {
  reserveFunds: 'reserveFunds',
  releaseFunds: 'releaseFunds',
  creditDestination: 'creditDestination',
  requestApproval: 'requestApproval',
  sendReminder: 'sendApprovalReminder',
  recordDecision: 'recordApprovalDecision',
  recordOutcome: 'recordOutcome',
} as const;

/** What every activity input carries: when (orchestration time, so replays and virtual clocks agree) and why. */
export interface ActivityContext {
  /** ISO-8601 instant from `context.df.currentUtcDateTime`; becomes the events' `occurredAt`. */
  at: string;
  correlationId: string;
  causationId: string;
  /** The process's trace (W3C Trace Context), continued by the activity's span and its events. */
  trace?: { traceparent: string; tracestate?: string };
}

export type BusinessResult<T extends object = object> =
  ({ ok: true } & T) | { ok: false; reason: ReasonCode };

export interface ReserveFundsInput extends ActivityContext {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  /**
   * Whether the outflow window is assessed from the account stream (`stream` mode), so the
   * activity reads the source's last 24 hours back for `windowTotal`. False in `entity` mode,
   * where the outflowWindow entity keeps the total and that read would be wasted. Absent (inputs
   * scheduled before this field existed): true.
   */
  windowFromStream?: boolean;
}
/**
 * `windowTotal`: the source's outgoing total of the last 24 h including this transfer, read from
 * its stream; only when `windowFromStream` asked for it.
 */
export type ReserveFundsResult = BusinessResult<{ sourceOwnerId: string; windowTotal?: number }>;

export interface ReleaseFundsInput extends ActivityContext {
  transferId: string;
  fromAccountId: string;
  /** The destination: nothing is released once it was credited for the transfer (`already_credited`). */
  toAccountId: string;
  reason: ReasonCode;
}
export type ReleaseFundsResult = BusinessResult<{ released: boolean }>;

export interface CreditDestinationInput extends ActivityContext {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  amount: number;
}
export type CreditDestinationResult = BusinessResult;

export interface RequestApprovalInput extends ActivityContext {
  transferId: string;
  reason: ApprovalReason;
  deadline: string;
}

export interface SendReminderInput extends ActivityContext {
  transferId: string;
  reason: ApprovalReason | null;
  deadline: string;
}

export interface RecordDecisionInput extends ActivityContext {
  transferId: string;
  decision: 'approve' | 'reject';
  approver: string;
  note?: string;
}

export interface RecordOutcomeInput extends ActivityContext {
  transferId: string;
  outcome: TransferOutcome;
  reason: ReasonCode | null;
  approver: string | null;
  note: string | null;
  /** The approval deadline, for an expired transfer. */
  deadline: string | null;
  /** Who cancelled the approval wait and why, for a transfer an operator cancelled. */
  cancellation?: { by: string; note: string };
}

/** How many events an activity appended (0 when it ran before: at-least-once delivery). */
export interface Appended {
  appended: number;
}

/** Every activity: its input (without the {@link ActivityContext} the orchestrator adds) and its result. */
export interface ActivityContracts {
  reserveFunds: { input: ReserveFundsInput; result: ReserveFundsResult };
  releaseFunds: { input: ReleaseFundsInput; result: ReleaseFundsResult };
  creditDestination: { input: CreditDestinationInput; result: CreditDestinationResult };
  requestApproval: { input: RequestApprovalInput; result: Appended };
  sendReminder: { input: SendReminderInput; result: { sent: boolean } };
  recordDecision: { input: RecordDecisionInput; result: Appended };
  recordOutcome: { input: RecordOutcomeInput; result: Appended };
}

export type ActivityKey = keyof typeof ACTIVITY;
export type ActivityInput<K extends ActivityKey> = ActivityContracts[K]['input'];
export type ActivityResult<K extends ActivityKey> = ActivityContracts[K]['result'];
