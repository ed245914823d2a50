/**
 * What the money activities read of the transfer stream before they touch an account: whether the
 * transfer is already final. A process can run for a transfer that is: one started late (its start
 * was held past the reconciler's grace period), one started again (its instance was purged and its
 * `TransferRequested` delivered again), one rewound after the reconciler finished the transfer.
 * Such a process must neither reserve nor credit (docs/operations.md).
 */
import { isFinalStatus, transferDecider, transferStreamId, type ReasonCode } from '../domain';
import type { EventStore } from '../stores';
import { loadStream } from '../stores/commandEngine';

export type TransferStanding = { final: false } | { final: true; status: string; reason: ReasonCode };

/** Whether the transfer's stream records an outcome, and the reason the refusal then carries. */
export async function transferStanding(store: EventStore, transferId: string): Promise<TransferStanding> {
  const { state } = await loadStream(store, transferStreamId(transferId), transferDecider);
  if (state.status === 'none' || !isFinalStatus(state.status)) return { final: false };
  // A transfer the reconciler finished says why; one that completed has no reason of its own.
  return { final: true, status: state.status, reason: state.reason ?? 'process_ended' };
}
