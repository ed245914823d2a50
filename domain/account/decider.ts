/**
 * The account aggregate (stream `account-{accountId}`) as one decider: its state, how each event
 * evolves it, and how each command is decided on it (the state's shape in state.ts). A new
 * account command changes this file only.
 */
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
import { Decider } from '../decider';
import { AccountEvent } from '../events';
import { splitLoad } from '../fees';
import { emptyIdMap, idMapGet, idMapSet } from '../idMap';
import { Cents, isAmount } from '../money';
import { accept, Decision, reject } from '../reasons';
import { accountSnapshot } from './snapshot';
import type { AccountState, IncomingTransfer, OpenedAccount, Reservation } from './state';

export type { AccountState, IncomingTransfer, OpenedAccount, Reservation, ReservationStatus } from './state';

/** An account stream with no events yet. */
export const initialState: AccountState = { status: 'none' };

/**
 * Applies one account event. Events are facts, so evolve never rejects; an event that makes no
 * sense for the state (one before AccountOpened) leaves it unchanged.
 */
export function evolve(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === 'AccountOpened') {
    const { accountId, ownerId, ownerName, kind } = event.data;
    return {
      status: 'open',
      accountId,
      ownerId,
      ownerName,
      kind,
      available: 0,
      reserved: 0,
      loads: emptyIdMap(),
      reservations: emptyIdMap(),
      transfersIn: emptyIdMap(),
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'CreditsLoaded':
      return {
        ...state,
        available: state.available + event.data.net,
        loads: idMapSet(state.loads, event.data.loadId, event.data.amount),
      };
    case 'FundsReserved':
      return {
        ...state,
        available: state.available - event.data.amount,
        reserved: state.reserved + event.data.amount,
        reservations: idMapSet(state.reservations, event.data.transferId, {
          amount: event.data.amount,
          status: 'open',
        }),
      };
    case 'FundsReleased':
      return {
        ...state,
        available: state.available + event.data.amount,
        reserved: state.reserved - event.data.amount,
        reservations: idMapSet(state.reservations, event.data.transferId, {
          amount: event.data.amount,
          status: 'released',
        }),
      };
    case 'FundsTransferredOut':
      return {
        ...state,
        reserved: state.reserved - event.data.amount,
        reservations: idMapSet(state.reservations, event.data.transferId, {
          amount: event.data.amount,
          status: 'captured',
        }),
      };
    case 'FundsTransferredIn':
      return {
        ...state,
        available: state.available + event.data.amount,
        transfersIn: idMapSet(state.transfersIn, event.data.transferId, {
          amount: event.data.amount,
          fromAccountId: event.data.fromAccountId,
        }),
      };
    case 'AccountClosed':
      return { ...state, status: 'closed' };
  }
}

/** The account's reservation for a transfer from it; undefined when there is none (or no account). */
export function reservationOf(state: AccountState, transferId: string): Reservation | undefined {
  return state.status === 'none' ? undefined : idMapGet(state.reservations, transferId);
}

/** The transfer into the account with this id; undefined when it has not been credited (or no account). */
export function transferInOf(state: AccountState, transferId: string): IncomingTransfer | undefined {
  return state.status === 'none' ? undefined : idMapGet(state.transfersIn, transferId);
}

/** The balances the read model and the API show. */
export function balancesOf(state: AccountState): { available: Cents; reserved: Cents } {
  return state.status === 'none'
    ? { available: 0, reserved: 0 }
    : { available: state.available, reserved: state.reserved };
}

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
  const previous = idMapGet(state.loads, data.loadId);
  if (previous !== undefined)
    return previous === data.amount ? accept() : reject('id_conflict', `load ${data.loadId}`);
  if (!isAmount(data.amount)) return reject('invalid_amount');
  if (state.status === 'closed') return reject('account_closed', data.accountId);
  const { fee, net } = splitLoad(data.amount);
  return accept({
    type: 'CreditsLoaded',
    data: {
      accountId: data.accountId,
      loadId: data.loadId,
      amount: data.amount,
      fee,
      net,
      loadedBy: data.loadedBy,
    },
  });
}

function closeAccount({ data }: CloseAccount, state: OpenedAccount): AccountDecision {
  if (state.status === 'closed') return accept();
  if (state.available !== 0 || state.reserved !== 0) return reject('account_not_empty', data.accountId);
  return accept({ type: 'AccountClosed', data: { accountId: data.accountId } });
}

function reserveFunds({ data }: ReserveFunds, state: OpenedAccount): AccountDecision {
  const previous = idMapGet(state.reservations, data.transferId);
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
  const reservation = idMapGet(state.reservations, data.transferId);
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
  const reservation = idMapGet(state.reservations, data.transferId);
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
  const previous = idMapGet(state.transfersIn, data.transferId);
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

/**
 * Whether an account can take part in a new transfer: it exists and is not closed. The transfer
 * decider asks this of both accounts when a transfer is requested.
 */
export function acceptsTransfers(state: AccountState, accountId: string): Decision<never> {
  if (state.status === 'none') return reject('account_not_found', accountId);
  if (state.status === 'closed') return reject('account_closed', accountId);
  return accept();
}

export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState> = {
  initialState,
  evolve,
  decide,
  snapshot: accountSnapshot,
};
