/**
 * Reserves the transfer's amount on the source account (`FundsReserved`, id `{transferId}:reserve`),
 * after checking that the destination can receive it. Returns the source's owner (who may not
 * approve the transfer) and the source's outgoing total of the last 24 hours, this transfer
 * included, as its stream shows it at the reservation.
 */
import {
  accountDecider,
  accountStreamId,
  OUTFLOW_WINDOW_MS,
  type AccountEvent,
  type AccountState,
  type EventEnvelope,
} from '../domain';
import type { EventStore } from '../stores';
import type { ReserveFundsInput, ReserveFundsResult } from './contracts';
import { decideAndAppend, metadataOf, readState } from './streams';

export async function reserveFunds(store: EventStore, input: ReserveFundsInput): Promise<ReserveFundsResult> {
  if (input.toAccountId === input.fromAccountId) return { ok: false, reason: 'same_account' };
  const destination = await readState<AccountState, AccountEvent>(
    store,
    accountStreamId(input.toAccountId),
    accountDecider,
  );
  if (destination.state.status === 'none') return { ok: false, reason: 'account_not_found' };
  if (destination.state.status === 'closed') return { ok: false, reason: 'account_closed' };

  const { decision, state, history } = await decideAndAppend<AccountState, AccountEvent>(
    store,
    accountStreamId(input.fromAccountId),
    accountDecider,
    (account) =>
      accountDecider.decide(
        {
          type: 'ReserveFunds',
          data: { accountId: input.fromAccountId, transferId: input.transferId, amount: input.amount },
        },
        account,
      ),
    { ids: [`${input.transferId}:reserve`], metadata: metadataOf(input) },
  );
  if (!decision.ok) return { ok: false, reason: decision.error.code };
  if (state.status === 'none') return { ok: false, reason: 'account_not_found' };
  return { ok: true, sourceOwnerId: state.ownerId, windowTotal: outflowAtReservation(history, input) };
}

/**
 * The source's outgoing total in the 24 hours up to this transfer's reservation, this transfer
 * included: reservations not released before it. Only the stream before the reservation counts, so
 * a repeated call answers the same even after later transfers.
 */
export function outflowAtReservation(
  history: readonly EventEnvelope[],
  transfer: { transferId: string; amount: number; at: string },
): number {
  const own = history.find((e) => e.type === 'FundsReserved' && e.data.transferId === transfer.transferId);
  const before = own ? history.slice(0, history.indexOf(own)) : history;
  const at = Date.parse(own ? own.metadata.occurredAt : transfer.at);
  const open = new Map<string, number>();
  for (const event of before) {
    if (event.type === 'FundsReserved' && Date.parse(event.metadata.occurredAt) > at - OUTFLOW_WINDOW_MS)
      open.set(event.data.transferId, event.data.amount);
    if (event.type === 'FundsReleased') open.delete(event.data.transferId);
  }
  let total = transfer.amount;
  for (const amount of open.values()) total += amount;
  return total;
}
