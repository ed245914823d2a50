export { MACHINE_ID, transferMachine } from './machine';
export type {
  TransferContext,
  TransferInput,
  TransferMachineEvent,
  TransferOutcome,
  TransferResult,
} from './machine';
export { effectsOf, isTimerEvent } from './effects';
export type { ActionLike, TimerEvent, TimerName, TransferEffect, TransferEffectKind } from './effects';
export {
  advanceTransfer,
  ApprovalDecisionSchema,
  CancelTransferEventSchema,
  cancelEvent,
  decisionEvent,
  isCancellable,
  isFinished,
  persistTransfer,
  restoreTransfer,
  startTransfer,
  stateOf,
  transferStatus,
} from './api';
export type {
  ApprovalDecisionInput,
  CancelTransferEventInput,
  PersistedTransfer,
  TransferMachineInput,
  TransferSnapshot,
  TransferStateName,
  TransferStep,
} from './api';
export {
  accountsToRead,
  approvalRequestedEvents,
  decideTransfer,
  evolveTransfer,
  initialTransferState,
  isFinalStatus,
  outcomeEvents,
  recordsDecision,
  transferDecider,
} from './decider';
export type { RequestedTransfer, TransferFacts, TransferState, TransferStatus } from './decider';
