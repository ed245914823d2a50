/**
 * One pass of the reconciler: every transfer the read models show as not finished whose process
 * ended abnormally (Terminated, Failed, or gone past a grace period) is finished here, through the
 * activities' own code, so it is idempotent exactly as they are:
 *
 *   nothing reached the destination → releaseFunds (reason `process_ended`), the window share given
 *                                     back (`outflowWindow.cancel`), TransferFailed {process_ended},
 *                                     then releaseFunds once more (a process that started late may
 *                                     have reserved in between; see activities/reserveFunds.ts)
 *   the money moved in full          → TransferCompleted
 *   the move half done               → creditDestination finishes it (credits what is missing,
 *                                     captures the reservation), then TransferCompleted: releasing
 *                                     a credited transfer would create money
 *   credited and released            → left alone and logged: money was already created
 *
 * Decisions read the transfer stream, not only its view (a view may lag its stream). A transfer
 * whose process is Running, Pending or Suspended is never touched, and one whose process was
 * Terminated or Failed only once no activity it started can still be running (`ENDED_GRACE_MS`
 * after the instance's last update, select.ts): an activity outlives the instance's end, and a
 * credit landing between the reconciler's reading of the account streams and its release would
 * create money. After releasing, the reconciler reads the money facts again: a destination
 * credited meanwhile is finished as a half-done move when the release could still be refused, and
 * logged as `money was created` when it could not. A second pass finds nothing to do.
 */
import { creditDestination } from '../../activities/creditDestination';
import { recordOutcome } from '../../activities/recordOutcome';
import { releaseFunds } from '../../activities/releaseFunds';
import type { ActivityContext } from '../../activities/contracts';
import { accountStreamId, transferStreamId } from '../../domain/ids';
import { transferDecider, type RequestedTransfer } from '../../domain/transfer';
import type { EventStore, Views } from '../../stores';
import { loadStream } from '../../stores/commandEngine';
import { OPEN_TRANSFERS_PARTITION, TRANSFER_VIEW_ID, transferPartition } from '../projections/layout';
import type { TransferView } from '../projections/transferView';
import {
  compensationFor,
  OPEN_TRANSFER_STATUSES,
  selectAction,
  type MoneyFacts,
  type ProcessState,
} from './select';

/** The causation of what the reconciler appends: no command caused it. */
export const RECONCILER_CAUSATION = 'reconcileTransfers';

export interface ReconcileDependencies {
  events: EventStore;
  /** The read models: the open-transfers index and the transfer views. */
  views: Views;
  /** The process's runtime status, `{exists: false}` when there is none (purged, never started). */
  process(transferId: string): Promise<ProcessState>;
  /** Takes the transfer out of its source's 24-hour window; null when the window is the stream's (the release does it). */
  cancelOutflow: ((fromAccountId: string, transferId: string) => Promise<void>) | null;
  now(): number;
  /** One line of what it did, with the transfer it is about. */
  log(line: string, fields: { transferId: string }): void;
}

export type ReconcileAction = 'released' | 'completed' | 'stuck' | 'release_refused' | 'credit_refused';

export interface ReconcileSummary {
  /** Transfers looked at (open in the read model). */
  examined: number;
  acted: Array<{ transferId: string; action: ReconcileAction }>;
}

/** Runs one pass; returns what it did. Errors on one transfer are logged and the pass goes on. */
export async function reconcileTransfers(deps: ReconcileDependencies): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { examined: 0, acted: [] };
  for (const transferId of await openTransferIds(deps)) {
    summary.examined += 1;
    try {
      const action = await reconcileOne(deps, transferId);
      if (action) summary.acted.push({ transferId, action });
    } catch (error) {
      // One broken transfer must not stop the others; the next pass tries it again.
      deps.log(
        `reconciler: transfer ${transferId}: failed (${error instanceof Error ? error.message : String(error)}); will retry`,
        { transferId },
      );
    }
  }
  return summary;
}

/**
 * The ids of the transfers whose view is not in a final state, from the open-transfers index (one
 * partition). An entry whose view has become final (a view write raced the index) is removed here.
 */
async function openTransferIds(deps: ReconcileDependencies): Promise<string[]> {
  const ids: string[] = [];
  for (const entry of await deps.views.query(OPEN_TRANSFERS_PARTITION)) {
    const view = await deps.views.get<TransferView>(transferPartition(entry.id), TRANSFER_VIEW_ID);
    if (view && OPEN_TRANSFER_STATUSES.includes(view.status)) ids.push(view.transferId);
    else if (view) await deps.views.delete(OPEN_TRANSFERS_PARTITION, entry.id);
  }
  return ids;
}

async function reconcileOne(
  deps: ReconcileDependencies,
  transferId: string,
): Promise<ReconcileAction | null> {
  const stream = await loadStream(deps.events, transferStreamId(transferId), transferDecider);
  const transfer = stream.state;
  if (transfer.status === 'none') return null;
  const requested = stream.history[0];
  const ageMs = deps.now() - Date.parse(requested.metadata.occurredAt);
  const process = await deps.process(transferId);
  const selection = selectAction({ transferStatus: transfer.status, process, ageMs, now: deps.now() });
  if (selection.action === 'leave') return null;
  if (selection.action === 'wait') {
    deps.log(
      `reconciler: transfer ${transferId}: process ${selection.why}; left until ${new Date(selection.until).toISOString()} (an activity it started may still be running)`,
      { transferId },
    );
    return null;
  }

  const context: ActivityContext = {
    at: new Date(deps.now()).toISOString(),
    correlationId: requested.metadata.correlationId,
    causationId: RECONCILER_CAUSATION,
  };
  const ended = `process ${selection.why}`;
  let how = compensationFor(await moneyFacts(deps.events, transfer));
  if (how === 'release') {
    const released = await release(deps, transfer, context, ended);
    if (released !== 'credited_meanwhile') return released;
    // The destination was credited after the facts were read: the move is half done, finish it.
    how = compensationFor(await moneyFacts(deps.events, transfer));
  }
  if (how === 'stuck') {
    deps.log(
      `reconciler: transfer ${transferId}: ${ended}; ${transfer.toAccountId} was credited but the reservation on ${transfer.fromAccountId} was released: left for an operator (money was created)`,
      { transferId },
    );
    return 'stuck';
  }
  if (how === 'finish') {
    const { fromAccountId, toAccountId, amount } = transfer;
    const finished = await creditDestination(deps.events, {
      ...context,
      transferId,
      fromAccountId,
      toAccountId,
      amount,
    });
    if (!finished.ok) {
      deps.log(
        `reconciler: transfer ${transferId}: ${ended}; the money had half moved and ${toAccountId} could not be credited (${finished.reason}): left for an operator`,
        { transferId },
      );
      return 'credit_refused';
    }
  }
  if (how === 'complete' || how === 'finish') {
    await recordOutcome(deps.events, {
      ...context,
      transferId,
      outcome: 'completed',
      reason: null,
      approver: transfer.approver,
      note: null,
      deadline: null,
    });
    deps.log(
      `reconciler: transfer ${transferId}: ${ended}; ${how === 'finish' ? `finished moving ${transfer.amount} from ${transfer.fromAccountId} to ${transfer.toAccountId}` : 'the money had moved'}, recorded completed`,
      { transferId },
    );
    return 'completed';
  }
  throw new Error(`transfer ${transferId}: the money facts changed while it was being reconciled (${how})`);
}

/**
 * Releases the reservation of a transfer that moved no money and records it failed
 * (`process_ended`). `credited_meanwhile`: the release was refused, the destination having been
 * credited since the facts were read (nothing was released: finish the move instead). A credit
 * that lands after the release is reported as `stuck` (money was created), never hidden.
 */
async function release(
  deps: ReconcileDependencies,
  transfer: RequestedTransfer,
  context: ActivityContext,
  ended: string,
): Promise<ReconcileAction | 'credited_meanwhile'> {
  const { transferId, fromAccountId, toAccountId } = transfer;
  const moneyCreated = async (): Promise<boolean> => {
    if (!(await moneyFacts(deps.events, transfer)).creditedIn) return false;
    deps.log(
      `reconciler: transfer ${transferId}: ${ended}; ${toAccountId} was credited after the reservation on ${fromAccountId} was released: left for an operator (money was created)`,
      { transferId },
    );
    return true;
  };
  const released = await releaseFunds(deps.events, {
    ...context,
    transferId,
    fromAccountId,
    toAccountId,
    reason: 'process_ended',
  });
  if (!released.ok && released.reason === 'already_credited') return 'credited_meanwhile';
  if (!released.ok) {
    deps.log(
      `reconciler: transfer ${transferId}: ${ended}; the reservation could not be released (${released.reason}): left as it is`,
      { transferId },
    );
    return 'release_refused';
  }
  // Read again: a credit that landed just after the release created money; say so, record nothing.
  if (await moneyCreated()) return 'stuck';
  await deps.cancelOutflow?.(transfer.fromAccountId, transferId);
  await recordOutcome(deps.events, {
    ...context,
    transferId,
    outcome: 'failed',
    reason: 'process_ended',
    approver: null,
    note: null,
    deadline: null,
  });
  // A process that started late and reserved after the first release sees the transfer final only
  // now: released again (idempotent), so no reservation outlives its transfer.
  const again = await releaseFunds(deps.events, {
    ...context,
    transferId,
    fromAccountId,
    toAccountId,
    reason: 'process_ended',
  });
  if (again.ok && again.released) await deps.cancelOutflow?.(transfer.fromAccountId, transferId);
  if (await moneyCreated()) return 'stuck';
  deps.log(
    `reconciler: transfer ${transferId}: ${ended} while ${transfer.status}; ${released.released || (again.ok && again.released) ? `released ${transfer.amount} on ${transfer.fromAccountId}` : 'nothing was reserved'}, recorded failed (process_ended)`,
    { transferId },
  );
  return 'released';
}

/** Whether the source's reservation was captured or released and the destination credited, from the account streams. */
async function moneyFacts(events: EventStore, transfer: RequestedTransfer): Promise<MoneyFacts> {
  const has = async (accountId: string, type: string) =>
    (await events.readStream(accountStreamId(accountId))).some(
      (event) =>
        event.type === type && (event.data as { transferId?: unknown }).transferId === transfer.transferId,
    );
  return {
    captured: await has(transfer.fromAccountId, 'FundsTransferredOut'),
    creditedIn: await has(transfer.toAccountId, 'FundsTransferredIn'),
    released: await has(transfer.fromAccountId, 'FundsReleased'),
  };
}
