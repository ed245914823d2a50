/**
 * Compensation: releases the transfer's reservation on the source (`FundsReleased`, id
 * `{transferId}:release`). Releasing twice, after a capture, or when nothing was reserved changes
 * nothing and is not an error: compensation must always be able to finish.
 */
import { accountDecider, accountStreamId, type AccountEvent, type AccountState } from '../domain';
import type { EventStore } from '../stores';
import type { ReleaseFundsInput, ReleaseFundsResult } from './contracts';
import { decideAndAppend, metadataOf } from './streams';

export async function releaseFunds(store: EventStore, input: ReleaseFundsInput): Promise<ReleaseFundsResult> {
  const { decision, appended } = await decideAndAppend<AccountState, AccountEvent>(
    store,
    accountStreamId(input.fromAccountId),
    accountDecider,
    (account) =>
      accountDecider.decide(
        {
          type: 'ReleaseFunds',
          data: { accountId: input.fromAccountId, transferId: input.transferId, reason: input.reason },
        },
        account,
      ),
    { ids: [`${input.transferId}:release`], metadata: metadataOf(input) },
  );
  if (
    !decision.ok &&
    decision.error.code !== 'reservation_not_found' &&
    decision.error.code !== 'account_not_found'
  ) {
    return { ok: false, reason: decision.error.code };
  }
  return { ok: true, released: appended > 0 };
}
