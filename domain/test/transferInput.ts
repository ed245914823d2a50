/** The transfer the machine tests start from, and the names xstate gives the two approval timers. */
import type { TransferInput } from '../transfer/machine';

export const HOUR = 3_600_000;

export const smallTransfer: TransferInput = {
  transferId: 'tr-1',
  fromAccountId: 'acc-a',
  toAccountId: 'acc-b',
  amount: 5_000,
  requestedBy: 'alice',
  approvalThreshold: 100_000,
  velocityThreshold: 250_000,
  approvalTimeoutMs: 24 * HOUR,
  sourceOwnerId: 'olga',
};

export const REMINDER = 'xstate.after.approvalReminder.transfer.awaitingApproval';
export const DEADLINE = 'xstate.after.approvalDeadline.transfer.awaitingApproval';
