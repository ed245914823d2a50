/**
 * Moves the money: credits the destination (`FundsTransferredIn`, id `{transferId}:credit-in`), then
 * captures the source's reservation (`FundsTransferredOut`, id `{transferId}:credit-out`). The
 * credit goes first so that a destination that cannot receive (closed, gone) fails the transfer
 * before anything is captured; the reservation is then released by compensation.
 */
import { accountTarget } from '../domain';
import type { EventStore } from '../stores';
import { handleCommand } from '../stores/commandEngine';
import type { CreditDestinationInput, CreditDestinationResult } from './contracts';
import { metadataOf } from './metadata';

export async function creditDestination(
  store: EventStore,
  input: CreditDestinationInput,
): Promise<CreditDestinationResult> {
  const metadata = metadataOf(input);
  const { transferId, fromAccountId, toAccountId, amount } = input;
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
  const reservation = capture.state.status === 'none' ? undefined : capture.state.reservations[transferId];
  if (reservation?.status === 'released')
    throw new Error(`transfer ${transferId}: credited ${toAccountId} but the reservation was released`);
  return { ok: true };
}
