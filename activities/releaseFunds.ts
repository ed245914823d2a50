/**
 * Compensation: releases the transfer's reservation on the source (`FundsReleased`, id
 * `{transferId}:release`). Releasing twice, after a capture, or when nothing was reserved changes
 * nothing and is not an error: compensation must always be able to finish.
 *
 * Never once the destination was credited for the transfer (`FundsTransferredIn` on `toAccountId`):
 * releasing then would create money. It answers `{ok: false, reason: 'already_credited'}` and
 * releases nothing, so the process finishes the move instead (a cancel that reached a process whose
 * failed credit attempt had credited the destination before its capture failed).
 */
import { accountDecider, accountStreamId, accountTarget, transferInOf } from '../domain';
import type { EventStore } from '../stores';
import { handleCommand, loadStream } from '../stores/commandEngine';
import type { ReleaseFundsInput, ReleaseFundsResult } from './contracts';
import { metadataOf } from './metadata';

export async function releaseFunds(store: EventStore, input: ReleaseFundsInput): Promise<ReleaseFundsResult> {
  const destination = await loadStream(store, accountStreamId(input.toAccountId), accountDecider);
  if (transferInOf(destination.state, input.transferId)) return { ok: false, reason: 'already_credited' };
  const { decision, appended } = await handleCommand(
    store,
    accountTarget({
      type: 'ReleaseFunds',
      data: { accountId: input.fromAccountId, transferId: input.transferId, reason: input.reason },
    }),
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
