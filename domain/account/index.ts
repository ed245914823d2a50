export { acceptsTransfers, accountDecider, balancesOf, decide, evolve, initialState } from './decider';
export type { AccountState, OpenedAccount, Reservation, ReservationStatus } from './decider';
