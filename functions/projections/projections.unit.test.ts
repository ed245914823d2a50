import fc from 'fast-check';
import type { AccountEvent, TransferEvent } from '../../domain/events';
import { projectAccount, type AccountView, type StatementEntry } from './accountView';
import { inboxEntryFrom, withReminder } from './approvalsInbox';
import { projectTransfer, transferResponse, type TransferView } from './transferView';

const at = '2026-01-01T00:00:00.000Z';
const opened: AccountEvent = {
  type: 'AccountOpened',
  data: { accountId: 'acc-1', ownerId: 'alice', ownerName: 'Alice', kind: 'user' },
};

function replay(events: AccountEvent[]): { view: AccountView | undefined; entries: StatementEntry[] } {
  let view: AccountView | undefined;
  const entries: StatementEntry[] = [];
  events.forEach((event, index) => {
    const result = projectAccount(view, { event, version: index + 1, occurredAt: at });
    view = result.view;
    if (result.entry) entries.push(result.entry);
  });
  return { view, entries };
}

describe('account view', () => {
  it('credits the net of a load and lists the fee in the statement', () => {
    const { view, entries } = replay([
      opened,
      {
        type: 'CreditsLoaded',
        data: { accountId: 'acc-1', loadId: 'l-1', amount: 10_000, fee: 2, net: 9_998 },
      },
    ]);
    expect(view).toMatchObject({ available: 9_998, reserved: 0, version: 2, status: 'open' });
    expect(entries).toEqual([
      expect.objectContaining({
        type: 'CreditsLoaded',
        amount: 10_000,
        fee: 2,
        balanceAfter: 9_998,
        id: 'entry-000000000002',
      }),
    ]);
  });

  it('moves a reservation out of available, and back when released', () => {
    const { view, entries } = replay([
      opened,
      {
        type: 'CreditsLoaded',
        data: { accountId: 'acc-1', loadId: 'l-1', amount: 60_000, fee: 0, net: 60_000 },
      },
      { type: 'FundsReserved', data: { accountId: 'acc-1', transferId: 'tr-1', amount: 1_000 } },
      { type: 'FundsReserved', data: { accountId: 'acc-1', transferId: 'tr-2', amount: 2_000 } },
      {
        type: 'FundsReleased',
        data: { accountId: 'acc-1', transferId: 'tr-1', amount: 1_000, reason: 'approval_expired' },
      },
      {
        type: 'FundsTransferredOut',
        data: { accountId: 'acc-1', transferId: 'tr-2', amount: 2_000, toAccountId: 'acc-2' },
      },
      {
        type: 'FundsTransferredIn',
        data: { accountId: 'acc-1', transferId: 'tr-3', amount: 500, fromAccountId: 'acc-2' },
      },
    ]);
    expect(view).toMatchObject({ available: 58_500, reserved: 0, version: 7 });
    expect(entries.map((e) => [e.type, e.balanceAfter])).toEqual([
      ['CreditsLoaded', 60_000],
      ['FundsReserved', 59_000],
      ['FundsReserved', 57_000],
      ['FundsReleased', 58_000],
      ['FundsTransferredOut', 58_000],
      ['FundsTransferredIn', 58_500],
    ]);
  });

  it('ignores events before the account was opened, and closes it', () => {
    expect(
      projectAccount(undefined, {
        event: { type: 'AccountClosed', data: { accountId: 'acc-1' } },
        version: 1,
        occurredAt: at,
      }).view,
    ).toBeUndefined();
    expect(replay([opened, { type: 'AccountClosed', data: { accountId: 'acc-1' } }]).view?.status).toBe(
      'closed',
    );
  });

  it('keeps available + reserved equal to net loads + transfers in - transfers out', () => {
    const amount = fc.integer({ min: 1, max: 5_000 });
    const step = fc.oneof(
      fc.record({ kind: fc.constant('load' as const), amount }),
      fc.record({ kind: fc.constant('reserve' as const), amount }),
      fc.record({ kind: fc.constant('settle' as const), capture: fc.boolean(), pick: fc.nat() }),
      fc.record({ kind: fc.constant('in' as const), amount }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const events: AccountEvent[] = [opened];
        const open: Array<{ transferId: string; amount: number }> = [];
        let expected = 0;
        steps.forEach((s, i) => {
          if (s.kind === 'load') {
            events.push({
              type: 'CreditsLoaded',
              data: { accountId: 'acc-1', loadId: `l-${i}`, amount: s.amount, fee: 0, net: s.amount },
            });
            expected += s.amount;
          } else if (s.kind === 'in') {
            events.push({
              type: 'FundsTransferredIn',
              data: { accountId: 'acc-1', transferId: `in-${i}`, amount: s.amount, fromAccountId: 'acc-2' },
            });
            expected += s.amount;
          } else if (s.kind === 'reserve') {
            events.push({
              type: 'FundsReserved',
              data: { accountId: 'acc-1', transferId: `tr-${i}`, amount: s.amount },
            });
            open.push({ transferId: `tr-${i}`, amount: s.amount });
          } else if (open.length > 0) {
            const [r] = open.splice(s.pick % open.length, 1);
            if (s.capture) {
              events.push({
                type: 'FundsTransferredOut',
                data: {
                  accountId: 'acc-1',
                  transferId: r.transferId,
                  amount: r.amount,
                  toAccountId: 'acc-2',
                },
              });
              expected -= r.amount;
            } else {
              events.push({
                type: 'FundsReleased',
                data: {
                  accountId: 'acc-1',
                  transferId: r.transferId,
                  amount: r.amount,
                  reason: 'approval_expired',
                },
              });
            }
          }
        });
        const { view } = replay(events);
        expect((view?.available ?? 0) + (view?.reserved ?? 0)).toBe(expected);
        expect(view?.reserved).toBe(open.reduce((sum, r) => sum + r.amount, 0));
      }),
    );
  });
});

const requested: TransferEvent = {
  type: 'TransferRequested',
  data: {
    transferId: 'tr-1',
    fromAccountId: 'acc-1',
    toAccountId: 'acc-2',
    amount: 150_000,
    requestedBy: 'alice',
  },
};

function transfer(events: TransferEvent[]): TransferView | undefined {
  return events.reduce<TransferView | undefined>(
    (view, event, i) => projectTransfer(view, { event, version: i + 1, occurredAt: at }),
    undefined,
  );
}

describe('transfer view', () => {
  it('follows the transfer through approval to completion', () => {
    const deadline = '2026-01-02T00:00:00.000Z';
    const waiting = transfer([
      requested,
      { type: 'TransferApprovalRequested', data: { transferId: 'tr-1', reason: 'amount', deadline } },
    ]);
    expect(waiting && transferResponse(waiting)).toEqual({
      transferId: 'tr-1',
      fromAccountId: 'acc-1',
      toAccountId: 'acc-2',
      amount: 150_000,
      status: 'awaiting_approval',
      deadline,
      approvalReason: 'amount',
      requestedBy: 'alice',
      requestedAt: at,
    });
    const done = transfer([
      requested,
      { type: 'TransferApprovalRequested', data: { transferId: 'tr-1', reason: 'amount', deadline } },
      { type: 'TransferApproved', data: { transferId: 'tr-1', approver: 'bob' } },
      { type: 'TransferCompleted', data: { transferId: 'tr-1' } },
    ]);
    expect(done).toMatchObject({ status: 'completed', approver: 'bob', version: 4 });
  });

  it('shows the reason of a rejection', () => {
    expect(
      transfer([
        requested,
        { type: 'TransferRejected', data: { transferId: 'tr-1', reason: 'insufficient_funds' } },
      ]),
    ).toMatchObject({
      status: 'rejected',
      reason: 'insufficient_funds',
    });
  });

  it('names the operator who cancelled and the note', () => {
    const deadline = '2026-01-02T00:00:00.000Z';
    const cancelled = transfer([
      requested,
      { type: 'TransferApprovalRequested', data: { transferId: 'tr-1', reason: 'amount', deadline } },
      {
        type: 'TransferFailed',
        data: { transferId: 'tr-1', reason: 'cancelled_by_operator', cancelledBy: 'otto', note: 'fraud' },
      },
    ]) as TransferView;
    expect(transferResponse(cancelled)).toMatchObject({
      status: 'failed',
      reason: 'cancelled_by_operator',
      cancelledBy: 'otto',
      cancelNote: 'fraud',
    });
    expect(inboxEntryFrom(cancelled)).toMatchObject({
      status: 'failed',
      outcomeReason: 'cancelled_by_operator',
    });
  });

  it('reads a view written before cancels existed', () => {
    const { cancelledBy: _by, cancelNote: _note, ...old } = transfer([requested]) as TransferView;
    const failed = projectTransfer(old as TransferView, {
      event: { type: 'TransferFailed', data: { transferId: 'tr-1', reason: 'account_closed' } },
      version: 2,
      occurredAt: at,
    });
    expect(failed).toMatchObject({ status: 'failed', cancelledBy: null, cancelNote: null });
    // As JSON, the answer leaves the absent fields out.
    expect(JSON.parse(JSON.stringify(transferResponse(old as TransferView)))).not.toHaveProperty(
      'cancelledBy',
    );
  });
});

describe('approvals inbox', () => {
  const deadline = '2026-01-02T00:00:00.000Z';
  const waiting = transfer([
    requested,
    { type: 'TransferApprovalRequested', data: { transferId: 'tr-1', reason: 'velocity', deadline } },
  ]) as TransferView;

  it('lists a transfer awaiting approval with amount, accounts, reason and deadline', () => {
    expect(inboxEntryFrom(waiting)).toMatchObject({
      transferId: 'tr-1',
      status: 'pending',
      amount: 150_000,
      fromAccountId: 'acc-1',
      toAccountId: 'acc-2',
      reason: 'velocity',
      deadline,
    });
  });

  it('has no entry for a transfer that never asked for approval', () => {
    expect(inboxEntryFrom(transfer([requested]) as TransferView)).toBeUndefined();
  });

  it('never moves back to an older version of the transfer, and keeps the reminders', () => {
    const approved = projectTransfer(waiting, {
      event: { type: 'TransferApproved', data: { transferId: 'tr-1', approver: 'bob' } },
      version: 3,
      occurredAt: at,
    }) as TransferView;
    const reminded = withReminder(inboxEntryFrom(waiting)!, at);
    const decided = inboxEntryFrom(approved, reminded);
    expect(decided).toMatchObject({ status: 'approved', approver: 'bob', reminders: 1, version: 3 });
    expect(inboxEntryFrom(waiting, decided)).toBe(decided);
  });
});
