/** The account aggregate's state: what an account remembers to decide (domain/account/decider.ts). */
import { AccountKind } from '../commands';
import { IdMap } from '../idMap';
import { Cents } from '../money';

export type ReservationStatus = 'open' | 'released' | 'captured';

export interface Reservation {
  readonly amount: Cents;
  readonly status: ReservationStatus;
}

export interface IncomingTransfer {
  readonly amount: Cents;
  readonly fromAccountId: string;
}

/**
 * What an account remembers to decide: balances, and the ids it has seen so repeats are no-ops.
 * The ids are kept in {@link IdMap}s, so an event costs the same however long the history.
 */
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
  readonly loads: IdMap<Cents>;
  /** Reservations (outgoing transfers) by transfer id. */
  readonly reservations: IdMap<Reservation>;
  /** Incoming transfers: amount and source by transfer id. */
  readonly transfersIn: IdMap<IncomingTransfer>;
}

export type AccountState = { readonly status: 'none' } | OpenedAccount;
