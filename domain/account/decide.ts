import {
  AccountCommand,
  CloseAccount,
  LoadCredits,
  OpenAccount,
  ReleaseFunds,
  ReserveFunds,
  TransferIn,
  TransferOut,
} from '../commands';
import { AccountEvent } from '../events';
import { splitLoad } from '../fees';
import { isAmount } from '../money';
import { accept, Decision, reject } from '../reasons';
import { AccountState, OpenedAccount } from './state';

type AccountDecision = Decision<AccountEvent>;

/**
 * Decides an account command against the account's state.
 *
 * Returns `{ok: true, events}` (an empty list when the command repeats one already applied:
 * activities run at least once, so every operation is idempotent per loadId / transferId) or
 * `{ok: false, error: {code, message}}` with a stable reason code. Never throws for business rules.
 */
export function decide(command: AccountCommand, state: AccountState): AccountDecision {
  if (command.type === 'OpenAccount') return openAccount(command, state);
  if (state.status === 'none') return reject('account_not_found', command.data.accountId);
  switch (command.type) {
    case 'LoadCredits':
      return loadCredits(command, state);
    case 'CloseAccount':
      return closeAccount(command, state);
    case 'ReserveFunds':
      return reserveFunds(command, state);
    case 'ReleaseFunds':
      return releaseFunds(command, state);
    case 'TransferOut':
      return transferOut(command, state);
    case 'TransferIn':
      return transferIn(command, state);
  }
}

function openAccount({ data }: OpenAccount, state: AccountState): AccountDecision {
  if (state.status !== 'none') {
    const same =
      state.ownerId === data.ownerId && state.ownerName === data.ownerName && state.kind === data.kind;
    return same ? accept() : reject('account_exists', data.accountId);
  }
  return accept({ type: 'AccountOpened', data: { ...data } });
}

function loadCredits({ data }: LoadCredits, state: OpenedAccount): AccountDecision {
  const previous = state.loads[data.loadId];
  if (previous !== undefined)
    return previous === data.amount ? accept() : reject('id_conflict', `load ${data.loadId}`);
  if (!isAmount(data.amount)) return reject('invalid_amount');
  if (state.status === 'closed') return reject('account_closed', data.accountId);
  const { fee, net } = splitLoad(data.amount);
  return accept({
    type: 'CreditsLoaded',
    data: { accountId: data.accountId, loadId: data.loadId, amount: data.amount, fee, net },
  });
}

function closeAccount({ data }: CloseAccount, state: OpenedAccount): AccountDecision {
  if (state.status === 'closed') return accept();
  if (state.available !== 0 || state.reserved !== 0) return reject('account_not_empty', data.accountId);
  return accept({ type: 'AccountClosed', data: { accountId: data.accountId } });
}

function reserveFunds({ data }: ReserveFunds, state: OpenedAccount): AccountDecision {
  const previous = state.reservations[data.transferId];
  if (previous)
    return previous.amount === data.amount ? accept() : reject('id_conflict', `transfer ${data.transferId}`);
  if (!isAmount(data.amount)) return reject('invalid_amount');
  if (state.status === 'closed') return reject('account_closed', data.accountId);
  if (state.available < data.amount) return reject('insufficient_funds');
  return accept({
    type: 'FundsReserved',
    data: { accountId: data.accountId, transferId: data.transferId, amount: data.amount },
  });
}

function releaseFunds({ data }: ReleaseFunds, state: OpenedAccount): AccountDecision {
  const reservation = state.reservations[data.transferId];
  if (!reservation) return reject('reservation_not_found', `transfer ${data.transferId}`);
  // Released or captured already: compensation arriving twice, or after capture, changes nothing.
  if (reservation.status !== 'open') return accept();
  return accept({
    type: 'FundsReleased',
    data: {
      accountId: data.accountId,
      transferId: data.transferId,
      amount: reservation.amount,
      reason: data.reason,
    },
  });
}

function transferOut({ data }: TransferOut, state: OpenedAccount): AccountDecision {
  const reservation = state.reservations[data.transferId];
  if (!reservation) return reject('reservation_not_found', `transfer ${data.transferId}`);
  if (reservation.status !== 'open') return accept();
  if (data.toAccountId === data.accountId) return reject('same_account');
  return accept({
    type: 'FundsTransferredOut',
    data: {
      accountId: data.accountId,
      transferId: data.transferId,
      amount: reservation.amount,
      toAccountId: data.toAccountId,
    },
  });
}

function transferIn({ data }: TransferIn, state: OpenedAccount): AccountDecision {
  const previous = state.transfersIn[data.transferId];
  if (previous) {
    const same = previous.amount === data.amount && previous.fromAccountId === data.fromAccountId;
    return same ? accept() : reject('id_conflict', `transfer ${data.transferId}`);
  }
  if (!isAmount(data.amount)) return reject('invalid_amount');
  if (data.fromAccountId === data.accountId) return reject('same_account');
  if (state.status === 'closed') return reject('account_closed', data.accountId);
  return accept({
    type: 'FundsTransferredIn',
    data: {
      accountId: data.accountId,
      transferId: data.transferId,
      amount: data.amount,
      fromAccountId: data.fromAccountId,
    },
  });
}
