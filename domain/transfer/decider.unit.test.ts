import { TransferCommand } from '../commands';
import { TransferEvent } from '../events';
import { AccountState, evolve as evolveAccount, initialState as initialAccountState } from '../account';
import { given as givenDecider } from '../test/givenWhenThen';
import {
  accountsToRead,
  approvalRequestedEvents,
  decideTransfer,
  evolveTransfer,
  initialTransferState,
  outcomeEvents,
  recordsDecision,
  transferDecider,
  TransferState,
} from '.';

const given = (events: TransferEvent[]) => givenDecider(transferDecider, events);
const fold = (events: TransferEvent[]): TransferState => events.reduce(evolveTransfer, initialTransferState);

const deadline = '2026-02-01T12:00:00.000Z';
const requested: TransferEvent = {
  type: 'TransferRequested',
  data: {
    transferId: 'tr-1',
    fromAccountId: 'acc-a',
    toAccountId: 'acc-b',
    amount: 150_000,
    requestedBy: 'alice',
    note: 'rent',
  },
};
const approvalRequested: TransferEvent = {
  type: 'TransferApprovalRequested',
  data: { transferId: 'tr-1', reason: 'amount', deadline },
};
const approved: TransferEvent = { type: 'TransferApproved', data: { transferId: 'tr-1', approver: 'carol' } };
const rejectedByCarol: TransferEvent = {
  type: 'TransferRejected',
  data: { transferId: 'tr-1', reason: 'rejected_by_approver', approver: 'carol', note: 'no' },
};

const request: TransferCommand = {
  type: 'RequestTransfer',
  data: { ...(requested.data as Extract<TransferCommand, { type: 'RequestTransfer' }>['data']) },
};
const decide = (decision: 'approve' | 'reject', approver = 'carol', note?: string): TransferCommand => ({
  type: 'DecideTransfer',
  data:
    note === undefined
      ? { transferId: 'tr-1', decision, approver }
      : { transferId: 'tr-1', decision, approver, note },
});

describe('requesting a transfer', () => {
  it('records the request', () => given([]).when(request).then([requested]));
  it('does nothing when the same request repeats', () => given([requested]).when(request).then([]));
  it('rejects another transfer under the same id', () =>
    given([requested])
      .when({ ...request, data: { ...request.data, amount: 1 } } as TransferCommand)
      .thenRejects('transfer_exists'));
  it('rejects a transfer to the same account', () =>
    given([])
      .when({ ...request, data: { ...request.data, toAccountId: 'acc-a' } } as TransferCommand)
      .thenRejects('same_account'));
});

describe('deciding on a transfer', () => {
  it('records an approval', () =>
    given([requested, approvalRequested]).when(decide('approve')).then([approved]));
  it('records a rejection by the approver, with the note', () =>
    given([requested, approvalRequested])
      .when(decide('reject', 'carol', 'no'))
      .then([rejectedByCarol]));
  it('does nothing when the same approver repeats the decision', () => {
    given([requested, approvalRequested, approved]).when(decide('approve')).then([]);
    given([requested, approvalRequested, rejectedByCarol]).when(decide('reject')).then([]);
  });
  it('rejects a decision on an unknown transfer', () =>
    given([]).when(decide('approve')).thenRejects('transfer_not_found'));
  it('rejects a decision when the transfer is not waiting for one', () => {
    given([requested]).when(decide('approve')).thenRejects('not_awaiting_approval');
    given([requested, approvalRequested, approved])
      .when(decide('reject'))
      .thenRejects('not_awaiting_approval');
    given([requested, approvalRequested, approved])
      .when(decide('approve', 'dave'))
      .thenRejects('not_awaiting_approval');
  });
  it('rejects a decision by the requester', () =>
    given([requested, approvalRequested])
      .when(decide('approve', 'alice'))
      .thenRejects('approver_is_requester'));
  it('rejects a decision by the owner of the source account when the owner is known', () => {
    const state = fold([requested, approvalRequested]);
    const source = evolveAccount(initialAccountState, {
      type: 'AccountOpened',
      data: { accountId: 'acc-a', ownerId: 'olga', ownerName: 'Olga', kind: 'user' },
    });
    const decision = decideTransfer(decide('approve', 'olga'), state, { accounts: { 'acc-a': source } });
    expect(decision.ok ? null : decision.error.code).toBe('approver_is_source_owner');
    expect(decideTransfer(decide('approve', 'carol'), state, { accounts: { 'acc-a': source } }).ok).toBe(
      true,
    );
  });
});

describe('cancelling a transfer', () => {
  const cancel = (cancelledBy = 'otto', note = 'customer called'): TransferCommand => ({
    type: 'CancelTransfer',
    data: { transferId: 'tr-1', cancelledBy, note },
  });
  const cancelled: TransferEvent = {
    type: 'TransferFailed',
    data: {
      transferId: 'tr-1',
      reason: 'cancelled_by_operator',
      cancelledBy: 'otto',
      note: 'customer called',
    },
  };
  const completed: TransferEvent = { type: 'TransferCompleted', data: { transferId: 'tr-1' } };

  it('decides the failure the process records once it has released the reservation', () =>
    given([requested, approvalRequested]).when(cancel()).then([cancelled]));
  it('does nothing when the same operator repeats the same cancel', () =>
    given([requested, approvalRequested, cancelled]).when(cancel()).then([]));
  it('rejects a cancel on an unknown transfer', () =>
    given([]).when(cancel()).thenRejects('transfer_not_found'));
  it('rejects a cancel once the destination was credited', () =>
    given([requested, approvalRequested, approved, completed])
      .when(cancel())
      .thenRejects('already_credited'));
  it('decides it too while the process reserves or credits (requested, approved): before the point of no return', () => {
    given([requested]).when(cancel()).then([cancelled]);
    given([requested, approvalRequested, approved]).when(cancel()).then([cancelled]);
  });
  it('rejects it as already_credited when the destination’s stream shows the credit, though the transfer is not completed yet', () => {
    const destination = (credited: boolean): AccountState =>
      [
        {
          type: 'AccountOpened' as const,
          data: { accountId: 'acc-b', ownerId: 'bob', ownerName: 'Bob', kind: 'user' as const },
        },
        ...(credited
          ? [
              {
                type: 'FundsTransferredIn' as const,
                data: { accountId: 'acc-b', transferId: 'tr-1', amount: 150_000, fromAccountId: 'acc-a' },
              },
            ]
          : []),
      ].reduce(evolveAccount, initialAccountState);
    for (const history of [[requested], [requested, approvalRequested, approved]]) {
      const state = fold(history);
      const refused = decideTransfer(cancel(), state, { accounts: { 'acc-b': destination(true) } });
      expect(refused.ok ? null : refused.error.code).toBe('already_credited');
      expect(decideTransfer(cancel(), state, { accounts: { 'acc-b': destination(false) } }).ok).toBe(true);
    }
  });
  it('rejects a cancel once the transfer has ended otherwise', () => {
    given([requested, approvalRequested, rejectedByCarol]).when(cancel()).thenRejects('not_cancellable');
    given([requested, approvalRequested, { type: 'TransferExpired', data: { transferId: 'tr-1', deadline } }])
      .when(cancel())
      .thenRejects('not_cancellable');
    // Cancelled already, but by someone else or for another reason: not this cancel's repeat.
    given([requested, approvalRequested, cancelled]).when(cancel('oona')).thenRejects('not_cancellable');
    given([requested, approvalRequested, cancelled])
      .when(cancel('otto', 'other'))
      .thenRejects('not_cancellable');
  });
  it('reads the destination account only (whether it was credited), no owner', () => {
    expect(accountsToRead(cancel(), fold([requested, approvalRequested]))).toEqual(['acc-b']);
    expect(accountsToRead(cancel(), initialTransferState)).toEqual([]);
  });
  it('keeps who cancelled and why in the state', () =>
    expect(fold([requested, approvalRequested, cancelled])).toMatchObject({
      status: 'failed',
      reason: 'cancelled_by_operator',
      cancelledBy: 'otto',
      cancelNote: 'customer called',
    }));
  it('records the canceller and the note on the outcome, once', () => {
    const cancellation = { by: 'otto', note: 'customer called' };
    expect(
      outcomeEvents(fold([requested, approvalRequested]), {
        outcome: 'failed',
        reason: 'cancelled_by_operator',
        cancellation,
      }),
    ).toEqual([cancelled]);
    expect(
      outcomeEvents(fold([requested, approvalRequested, cancelled]), {
        outcome: 'failed',
        reason: 'cancelled_by_operator',
        cancellation,
      }),
    ).toEqual([]);
  });
});

describe('requesting a transfer between accounts the account decider knows', () => {
  const openedAccount = (accountId: string, ownerId: string) =>
    evolveAccount(initialAccountState, {
      type: 'AccountOpened',
      data: { accountId, ownerId, ownerName: ownerId, kind: 'user' },
    });
  const both = { 'acc-a': openedAccount('acc-a', 'alice'), 'acc-b': openedAccount('acc-b', 'bob') };
  const code = (accounts: Record<string, AccountState>) => {
    const decision = decideTransfer(request, initialTransferState, { accounts });
    return decision.ok ? decision.events.map((e) => e.type) : decision.error.code;
  };

  it('records the request when both accounts are open', () =>
    expect(code(both)).toEqual(['TransferRequested']));
  it('rejects an unknown source or destination', () => {
    expect(code({ 'acc-b': both['acc-b'] })).toBe('account_not_found');
    expect(code({ 'acc-a': both['acc-a'] })).toBe('account_not_found');
  });
  it('rejects a closed destination', () =>
    expect(
      code({
        ...both,
        'acc-b': evolveAccount(both['acc-b'], { type: 'AccountClosed', data: { accountId: 'acc-b' } }),
      }),
    ).toBe('account_closed'));
  it('reads the source and destination of a request, and the source of a decision', () => {
    expect(accountsToRead(request, initialTransferState)).toEqual(['acc-a', 'acc-b']);
    expect(accountsToRead(decide('approve'), initialTransferState)).toEqual([]);
    expect(accountsToRead(decide('approve'), fold([requested]))).toEqual(['acc-a']);
  });
});

describe('transfer stream state', () => {
  it('follows the status of the read model', () => {
    expect(fold([requested])).toMatchObject({ status: 'requested', amount: 150_000, note: 'rent' });
    expect(fold([requested, approvalRequested])).toMatchObject({
      status: 'awaiting_approval',
      approvalReason: 'amount',
      deadline,
    });
    expect(fold([requested, approvalRequested, approved])).toMatchObject({
      status: 'approved',
      approver: 'carol',
    });
    expect(
      fold([
        requested,
        approvalRequested,
        approved,
        { type: 'TransferCompleted', data: { transferId: 'tr-1' } },
      ]),
    ).toMatchObject({ status: 'completed', reason: null });
    expect(
      fold([
        requested,
        approvalRequested,
        { type: 'TransferExpired', data: { transferId: 'tr-1', deadline } },
      ]),
    ).toMatchObject({ status: 'expired', reason: 'approval_expired' });
    expect(
      fold([requested, { type: 'TransferFailed', data: { transferId: 'tr-1', reason: 'account_closed' } }]),
    ).toMatchObject({ status: 'failed', reason: 'account_closed', cancelledBy: null, cancelNote: null });
    expect(
      fold([
        requested,
        { type: 'TransferRejected', data: { transferId: 'tr-1', reason: 'insufficient_funds' } },
      ]),
    ).toMatchObject({ status: 'rejected', approver: null });
    expect(fold([approved])).toBe(initialTransferState);
  });
});

describe('recording what the transfer process did', () => {
  it('records an approval request once', () => {
    expect(approvalRequestedEvents(fold([requested]), { reason: 'amount', deadline })).toEqual([
      approvalRequested,
    ]);
    expect(
      approvalRequestedEvents(fold([requested, approvalRequested]), { reason: 'amount', deadline }),
    ).toEqual([]);
  });

  it('records each outcome once', () => {
    const waiting = fold([requested, approvalRequested]);
    expect(outcomeEvents(fold([requested]), { outcome: 'completed', reason: null })).toEqual([
      { type: 'TransferCompleted', data: { transferId: 'tr-1' } },
    ]);
    expect(outcomeEvents(fold([requested]), { outcome: 'rejected', reason: 'insufficient_funds' })).toEqual([
      { type: 'TransferRejected', data: { transferId: 'tr-1', reason: 'insufficient_funds' } },
    ]);
    expect(
      outcomeEvents(waiting, {
        outcome: 'rejected',
        reason: 'rejected_by_approver',
        approver: 'carol',
        note: 'no',
      }),
    ).toEqual([rejectedByCarol]);
    expect(outcomeEvents(waiting, { outcome: 'expired', reason: 'approval_expired' })).toEqual([
      { type: 'TransferExpired', data: { transferId: 'tr-1', deadline } },
    ]);
    expect(
      outcomeEvents(fold([requested, approved]), { outcome: 'failed', reason: 'account_closed' }),
    ).toEqual([{ type: 'TransferFailed', data: { transferId: 'tr-1', reason: 'account_closed' } }]);
    // The approver's rejection is already the final fact; a late expiry does not overwrite it.
    expect(
      outcomeEvents(fold([requested, approvalRequested, rejectedByCarol]), {
        outcome: 'rejected',
        reason: 'rejected_by_approver',
      }),
    ).toEqual([]);
    expect(
      outcomeEvents(fold([requested, approvalRequested, rejectedByCarol]), {
        outcome: 'expired',
        reason: 'approval_expired',
      }),
    ).toEqual([]);
    expect(outcomeEvents(initialTransferState, { outcome: 'completed', reason: null })).toEqual([]);
  });

  it('refuses to record an expiry without a deadline', () => {
    expect(() =>
      outcomeEvents(fold([requested]), { outcome: 'expired', reason: 'approval_expired' }),
    ).toThrow(/without a recorded deadline/);
  });
});

describe('recognising a decision already recorded', () => {
  const completed: TransferEvent = { type: 'TransferCompleted', data: { transferId: 'tr-1' } };
  const dataOf = (command: TransferCommand) =>
    command.data as Extract<TransferCommand, { type: 'DecideTransfer' }>['data'];

  it('finds the same verdict by the same approver with the same note, whatever came after', () => {
    expect(
      recordsDecision([requested, approvalRequested, approved, completed], dataOf(decide('approve'))),
    ).toBe(true);
    expect(
      recordsDecision(
        [requested, approvalRequested, rejectedByCarol],
        dataOf(decide('reject', 'carol', 'no')),
      ),
    ).toBe(true);
  });

  it('finds nothing for another approver, verdict or note, or a rejection that was not an approver’s', () => {
    const history = [requested, approvalRequested, approved, completed];
    expect(recordsDecision(history, dataOf(decide('approve', 'dave')))).toBe(false);
    expect(recordsDecision(history, dataOf(decide('reject')))).toBe(false);
    expect(recordsDecision(history, dataOf(decide('approve', 'carol', 'fine')))).toBe(false);
    const expiredRejection: TransferEvent = {
      type: 'TransferRejected',
      data: { transferId: 'tr-1', reason: 'insufficient_funds', approver: 'carol' },
    };
    expect(recordsDecision([requested, expiredRejection], dataOf(decide('reject')))).toBe(false);
  });
});
