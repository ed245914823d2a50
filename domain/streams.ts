/**
 * Which stream each command acts on and how it is decided there: the one table the command
 * engine dispatches on, for the command handler and the activities alike. A command belongs to the
 * aggregate whose command schema lists it (`AccountCommandSchema`, `TransferCommandSchema`), so a
 * new command needs no entry here.
 */
import { accountDecider, AccountState } from './account';
import { AccountCommand, AccountCommandSchema, Command, TransferCommand } from './commands';
import { AccountEvent, DomainEvent, TransferEvent } from './events';
import { accountStreamId, transferStreamId } from './ids';
import { SnapshotFormat } from './decider';
import { Decision } from './reasons';
import { accountsToRead, decideTransfer, TransferState, transferDecider } from './transfer';

/** Where a stream's state starts and how each event changes it. */
export interface StreamFold<S, E> {
  readonly initialState: S;
  evolve(state: S, event: E): S;
  /** Present for streams worth a snapshot (accounts): the command engine then folds only what follows it. */
  readonly snapshot?: SnapshotFormat<S>;
}

/** The states of accounts a decision reads besides its own stream, by account id (read, not locked). */
export type AccountFacts = Readonly<Record<string, AccountState>>;

/** One command bound to its stream: what the command engine reads, decides on and appends to. */
export interface CommandTarget<S, E extends DomainEvent> {
  readonly streamId: string;
  readonly fold: StreamFold<S, E>;
  /** The accounts the decision reads, given the stream's state; none when absent. */
  accounts?(state: S): readonly string[];
  decide(state: S, accounts: AccountFacts): Decision<E>;
}

export type AccountTarget = CommandTarget<AccountState, AccountEvent>;
export type TransferTarget = CommandTarget<TransferState, TransferEvent>;
/** A target of either stream, for callers that only append and read the decision. */
export type AnyCommandTarget = CommandTarget<unknown, DomainEvent>;

const ACCOUNT_COMMAND_TYPES: ReadonlySet<string> = new Set(
  AccountCommandSchema.options.map((option) => option.shape.type.value),
);

function isAccountCommand(command: Command): command is AccountCommand {
  return ACCOUNT_COMMAND_TYPES.has(command.type);
}

export function accountTarget(command: AccountCommand): AccountTarget {
  return {
    streamId: accountStreamId(command.data.accountId),
    fold: accountDecider,
    decide: (state) => accountDecider.decide(command, state),
  };
}

export function transferTarget(command: TransferCommand): TransferTarget {
  return {
    streamId: transferStreamId(command.data.transferId),
    fold: transferDecider,
    accounts: (state) => accountsToRead(command, state),
    decide: (state, accounts) => decideTransfer(command, state, { accounts }),
  };
}

/** A record the transfer process makes on a transfer stream that is not a client command (approval request, outcome). */
export function transferRecord(
  transferId: string,
  decide: (state: TransferState) => Decision<TransferEvent>,
): TransferTarget {
  return { streamId: transferStreamId(transferId), fold: transferDecider, decide: (state) => decide(state) };
}

/**
 * The stream and decision of any command.
 *
 * @example commandTarget({ type: 'CloseAccount', data: { accountId: 'acc-1' } }).streamId // 'account-acc-1'
 */
export function commandTarget(command: Command): AnyCommandTarget {
  return isAccountCommand(command) ? accountTarget(command) : transferTarget(command);
}
