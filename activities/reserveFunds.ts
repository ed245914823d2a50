/**
 * Reserves the transfer's amount on the source account (`FundsReserved`, id `{transferId}:reserve`),
 * after the account decider has said the destination can receive it. Returns the source's owner
 * (who may not approve the transfer) and, unless the outflow window is the entity's
 * (`windowFromStream: false`), the source's outgoing total of the last 24 hours, this transfer
 * included, as its stream shows it at the reservation.
 *
 * A transfer that is already final (the reconciler finished it while its process had not started,
 * or the process runs again after a purge or a rewind) is refused, with the reason it ended for,
 * and nothing is reserved: its reservation would have no process left to release it. The
 * transfer stream is read before the reservation and again after a new one; a transfer that became
 * final in between gets its new reservation released here. A reservation that was already released
 * is not taken again either (`process_ended`).
 */
import { accountTarget, assessOutflowFromStream, coversOutflowWindow, reservationOf } from '../domain';
import type { EventStore } from '../stores';
import { decideOn, handleCommand, readBack } from '../stores/commandEngine';
import type { ReserveFundsInput, ReserveFundsResult } from './contracts';
import { metadataOf } from './metadata';
import { transferStanding } from './transferStatus';

export async function reserveFunds(store: EventStore, input: ReserveFundsInput): Promise<ReserveFundsResult> {
  const { transferId, fromAccountId, toAccountId, amount } = input;
  const before = await transferStanding(store, transferId);
  if (before.final) return { ok: false, reason: before.reason };
  // Asked, not appended: whether the destination would take this transfer in now.
  const destination = await decideOn(
    store,
    accountTarget({
      type: 'TransferIn',
      data: { accountId: toAccountId, transferId, amount, fromAccountId },
    }),
  );
  if (!destination.decision.ok) return { ok: false, reason: destination.decision.error.code };
  const metadata = metadataOf(input);
  const reserved = await handleCommand(
    store,
    accountTarget({ type: 'ReserveFunds', data: { accountId: fromAccountId, transferId, amount } }),
    { ids: [`${transferId}:reserve`], metadata },
  );
  const { decision, state, appended } = reserved;
  if (!decision.ok) return { ok: false, reason: decision.error.code };
  if (state.status === 'none')
    throw new Error(`transfer ${transferId}: reserved on ${fromAccountId}, which has no events`);
  const reservation = reservationOf(state, transferId);
  // Reserved before and released since: the transfer was finished without this process.
  if (reservation?.status === 'released') return { ok: false, reason: 'process_ended' };
  if (appended > 0) {
    const after = await transferStanding(store, transferId);
    if (after.final) {
      await handleCommand(
        store,
        accountTarget({
          type: 'ReleaseFunds',
          data: { accountId: fromAccountId, transferId, reason: 'process_ended' },
        }),
        { ids: [`${transferId}:release`], metadata },
      );
      return { ok: false, reason: after.reason };
    }
  }
  // The events of the window only, not the whole (possibly long) stream: read back from its end.
  if (input.windowFromStream === false) return { ok: true, sourceOwnerId: state.ownerId };
  const recent = await readBack(store, reserved, (events) => coversOutflowWindow(events, { transferId }));
  const { windowTotal } = assessOutflowFromStream(recent, { transferId, amount, at: input.at });
  return { ok: true, sourceOwnerId: state.ownerId, windowTotal };
}
