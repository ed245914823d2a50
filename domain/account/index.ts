export {
  acceptsTransfers,
  accountDecider,
  balancesOf,
  decide,
  evolve,
  initialState,
  reservationOf,
  transferInOf,
} from './decider';
export type {
  AccountState,
  OpenedAccount,
  Reservation,
  ReservationStatus,
  IncomingTransfer,
} from './decider';
export { ACCOUNT_SNAPSHOT_FORMAT, accountSnapshot } from './snapshot';
