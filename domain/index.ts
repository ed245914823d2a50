/**
 * The pure domain of Cardflow: money and fees, ids, commands, events and their envelope, reason
 * codes, the account decider, the transfer decider and machine, and the approval policy.
 * Nothing here performs I/O or reads the clock; time and ids come in as arguments.
 */
export * from './money';
export * from './fees';
export * from './ids';
export * from './reasons';
export * from './commandId';
export * from './duration';
export * from './commands';
export * from './events';
export * from './envelope';
export * from './decider';
export * from './approvalPolicy';
export * from './outflowWindow';
export {
  acceptsTransfers,
  accountDecider,
  balancesOf as accountBalances,
  decide as decideAccount,
  evolve as evolveAccount,
  initialState as initialAccountState,
  reservationOf,
  transferInOf,
  ACCOUNT_SNAPSHOT_FORMAT,
  accountSnapshot,
} from './account';
export type {
  AccountState,
  OpenedAccount,
  Reservation,
  ReservationStatus,
  IncomingTransfer,
} from './account';
export * from './idMap';
export * from './transfer';
export * from './streams';
