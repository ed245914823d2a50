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

/** When the tests' reservations happen; the approval deadline is this plus the timeout. */
export const RESERVED_AT = '2026-01-01T00:00:00.000Z';

/** The reservation's report: the window total and the source's owner (olga, as in `smallTransfer`). */
export function reserved(windowTotal: number, sourceOwnerId = 'olga') {
  return { type: 'RESERVED' as const, windowTotal, sourceOwnerId, at: RESERVED_AT };
}
