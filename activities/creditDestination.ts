/**
 * Moves the money: credits the destination (`FundsTransferredIn`, id `{transferId}:credit-in`), then
 * captures the source's reservation (`FundsTransferredOut`, id `{transferId}:credit-out`). The
 * credit goes first so that a destination that cannot receive (closed, gone) fails the transfer
 * before anything is captured; the reservation is then released by compensation.
 *
 * Before crediting, it checks that the money is still there to move: a transfer already final
 * (the reconciler finished it, docs/operations.md) or whose reservation is gone or released is
 * refused and nothing is credited, since the capture that follows would find nothing to capture
 * and the credit would create money. Once the destination is credited, the capture is always
 * finished (the reconciler relies on this to complete a transfer whose process ended in between).
 */
import {
  accountDecider,
  accountStreamId,
  accountTarget,
  reservationOf,
  transferInOf,
  type ReasonCode,
} from '../domain';
import type { EventStore } from '../stores';
import { handleCommand, loadStream } from '../stores/commandEngine';
import type { CreditDestinationInput, CreditDestinationResult } from './contracts';
import { metadataOf } from './metadata';
import { transferStanding } from './transferStatus';

export async function creditDestination(
  store: EventStore,
  input: CreditDestinationInput,
): Promise<CreditDestinationResult> {
  const metadata = metadataOf(input);
  const { transferId, fromAccountId, toAccountId, amount } = input;
  const refused = await refusal(store, input);
  if (refused) return { ok: false, reason: refused };
  const credit = await handleCommand(
    store,
    accountTarget({
      type: 'TransferIn',
      data: { accountId: toAccountId, transferId, amount, fromAccountId },
    }),
    { ids: [`${transferId}:credit-in`], metadata },
  );
  if (!credit.decision.ok) return { ok: false, reason: credit.decision.error.code };
  const capture = await handleCommand(
    store,
    accountTarget({ type: 'TransferOut', data: { accountId: fromAccountId, transferId, toAccountId } }),
    { ids: [`${transferId}:credit-out`], metadata },
  );
  // The destination is already credited: a capture that cannot happen is not a business outcome
  // to compensate but a broken invariant, so it fails loudly (and is retried, then surfaces).
  if (!capture.decision.ok)
    throw new Error(
      `transfer ${transferId}: credited ${toAccountId} but could not capture: ${capture.decision.error.message}`,
    );
  const reservation = reservationOf(capture.state, transferId);
  if (reservation?.status === 'released')
    throw new Error(`transfer ${transferId}: credited ${toAccountId} but the reservation was released`);
  return { ok: true };
}

/** Why the destination must not be credited now, or null; never once it was credited. */
async function refusal(store: EventStore, input: CreditDestinationInput): Promise<ReasonCode | null> {
  const { transferId, fromAccountId, toAccountId } = input;
  const destination = await loadStream(store, accountStreamId(toAccountId), accountDecider);
  if (transferInOf(destination.state, transferId)) return null;
  const standing = await transferStanding(store, transferId);
  if (standing.final && standing.status !== 'completed') return standing.reason;
  const source = await loadStream(store, accountStreamId(fromAccountId), accountDecider);
  const reservation = reservationOf(source.state, transferId);
  if (!reservation || reservation.status === 'released') return 'reservation_not_found';
  return null;
}
