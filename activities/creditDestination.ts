/**
 * Moves the money: credits the destination (`FundsTransferredIn`, id `{transferId}:credit-in`), then
 * captures the source's reservation (`FundsTransferredOut`, id `{transferId}:credit-out`). The
 * credit goes first so that a destination that cannot receive (closed, gone) fails the transfer
 * before anything is captured; the reservation is then released by compensation.
 */
import { accountDecider, accountStreamId, type AccountEvent, type AccountState } from '../domain';
import type { EventStore } from '../stores';
import type { CreditDestinationInput, CreditDestinationResult } from './contracts';
import { decideAndAppend, metadataOf } from './streams';

export async function creditDestination(
  store: EventStore,
  input: CreditDestinationInput,
): Promise<CreditDestinationResult> {
  const metadata = metadataOf(input);
  const credit = await decideAndAppend<AccountState, AccountEvent>(
    store,
    accountStreamId(input.toAccountId),
    accountDecider,
    (account) =>
      accountDecider.decide(
        {
          type: 'TransferIn',
          data: {
            accountId: input.toAccountId,
            transferId: input.transferId,
            amount: input.amount,
            fromAccountId: input.fromAccountId,
          },
        },
        account,
      ),
    { ids: [`${input.transferId}:credit-in`], metadata },
  );
  if (!credit.decision.ok) return { ok: false, reason: credit.decision.error.code };

  const capture = await decideAndAppend<AccountState, AccountEvent>(
    store,
    accountStreamId(input.fromAccountId),
    accountDecider,
    (account) =>
      accountDecider.decide(
        {
          type: 'TransferOut',
          data: {
            accountId: input.fromAccountId,
            transferId: input.transferId,
            toAccountId: input.toAccountId,
          },
        },
        account,
      ),
    { ids: [`${input.transferId}:credit-out`], metadata },
  );
  // The destination is already credited: a capture that cannot happen is not a business outcome
  // to compensate but a broken invariant, so it fails loudly (and is retried, then surfaces).
  if (!capture.decision.ok)
    throw new Error(
      `transfer ${input.transferId}: credited ${input.toAccountId} but could not capture: ${capture.decision.error.message}`,
    );
  const reservation =
    capture.state.status === 'none' ? undefined : capture.state.reservations[input.transferId];
  if (reservation?.status === 'released')
    throw new Error(
      `transfer ${input.transferId}: credited ${input.toAccountId} but the reservation was released`,
    );
  return { ok: true };
}
