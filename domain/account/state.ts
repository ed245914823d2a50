import { AccountKind } from '../commands';
import { AccountEvent } from '../events';
import { Cents } from '../money';

export type ReservationStatus = 'open' | 'released' | 'captured';

export interface Reservation {
  readonly amount: Cents;
  readonly status: ReservationStatus;
}

/** What an account remembers to decide: balances, and the ids it has seen so repeats are no-ops. */
export interface OpenedAccount {
  readonly status: 'open' | 'closed';
  readonly accountId: string;
  readonly ownerId: string;
  readonly ownerName: string;
  readonly kind: AccountKind;
  /** Net loads + transfers in − transfers out − reserved. */
  readonly available: Cents;
  /** Sum of open reservations. */
  readonly reserved: Cents;
  /** Amount of each load by load id. */
  readonly loads: Readonly<Record<string, Cents>>;
  /** Reservations (outgoing transfers) by transfer id. */
  readonly reservations: Readonly<Record<string, Reservation>>;
  /** Incoming transfers: amount and source by transfer id. */
  readonly transfersIn: Readonly<Record<string, { readonly amount: Cents; readonly fromAccountId: string }>>;
}

export type AccountState = { readonly status: 'none' } | OpenedAccount;

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
      loads: {},
      reservations: {},
      transfersIn: {},
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'CreditsLoaded':
      return {
        ...state,
        available: state.available + event.data.net,
        loads: { ...state.loads, [event.data.loadId]: event.data.amount },
      };
    case 'FundsReserved':
      return {
        ...state,
        available: state.available - event.data.amount,
        reserved: state.reserved + event.data.amount,
        reservations: {
          ...state.reservations,
          [event.data.transferId]: { amount: event.data.amount, status: 'open' },
        },
      };
    case 'FundsReleased':
      return {
        ...state,
        available: state.available + event.data.amount,
        reserved: state.reserved - event.data.amount,
        reservations: {
          ...state.reservations,
          [event.data.transferId]: { amount: event.data.amount, status: 'released' },
        },
      };
    case 'FundsTransferredOut':
      return {
        ...state,
        reserved: state.reserved - event.data.amount,
        reservations: {
          ...state.reservations,
          [event.data.transferId]: { amount: event.data.amount, status: 'captured' },
        },
      };
    case 'FundsTransferredIn':
      return {
        ...state,
        available: state.available + event.data.amount,
        transfersIn: {
          ...state.transfersIn,
          [event.data.transferId]: { amount: event.data.amount, fromAccountId: event.data.fromAccountId },
        },
      };
    case 'AccountClosed':
      return { ...state, status: 'closed' };
  }
}

/** The balances the read model and the API show. */
export function balancesOf(state: AccountState): { available: Cents; reserved: Cents } {
  return state.status === 'none'
    ? { available: 0, reserved: 0 }
    : { available: state.available, reserved: state.reserved };
}
