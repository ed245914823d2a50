/**
 * Reserves the transfer's amount on the source account (`FundsReserved`, id `{transferId}:reserve`),
 * after the account decider has said the destination can receive it. Returns the source's owner
 * (who may not approve the transfer) and the source's outgoing total of the last 24 hours, this
 * transfer included, as its stream shows it at the reservation.
 */
import { accountTarget, assessOutflowFromStream } from '../domain';
import type { EventStore } from '../stores';
import { decideOn, handleCommand } from '../stores/commandEngine';
import type { ReserveFundsInput, ReserveFundsResult } from './contracts';
import { metadataOf } from './metadata';

export async function reserveFunds(store: EventStore, input: ReserveFundsInput): Promise<ReserveFundsResult> {
  const { transferId, fromAccountId, toAccountId, amount } = input;
  // Asked, not appended: whether the destination would take this transfer in now.
  const destination = await decideOn(
    store,
    accountTarget({
      type: 'TransferIn',
      data: { accountId: toAccountId, transferId, amount, fromAccountId },
    }),
  );
  if (!destination.decision.ok) return { ok: false, reason: destination.decision.error.code };
  const { decision, state, history } = await handleCommand(
    store,
    accountTarget({ type: 'ReserveFunds', data: { accountId: fromAccountId, transferId, amount } }),
    { ids: [`${transferId}:reserve`], metadata: metadataOf(input) },
  );
  if (!decision.ok) return { ok: false, reason: decision.error.code };
  if (state.status === 'none')
    throw new Error(`transfer ${transferId}: reserved on ${fromAccountId}, which has no events`);
  const { windowTotal } = assessOutflowFromStream(history, { transferId, amount, at: input.at });
  return { ok: true, sourceOwnerId: state.ownerId, windowTotal };
}
