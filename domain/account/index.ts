import { AccountCommand } from '../commands';
import { Decider } from '../decider';
import { AccountEvent } from '../events';
import { decide } from './decide';
import { AccountState, evolve, initialState } from './state';

export { decide } from './decide';
export { balancesOf, evolve, initialState } from './state';
export type { AccountState, OpenedAccount, Reservation, ReservationStatus } from './state';

/** The account aggregate (stream `account-{accountId}`) as a decider. */
export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState> = {
  initialState,
  evolve,
  decide,
};
