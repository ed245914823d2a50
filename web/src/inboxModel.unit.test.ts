import fc from 'fast-check';
import type { PendingApproval } from './contracts';
import { diffInbox, inboxOrder } from './inboxModel';

const item = (transferId: string, deadline: string): PendingApproval => ({
  transferId,
  fromAccountId: 'acc-a',
  toAccountId: 'acc-b',
  amount: 100000,
  reason: 'amount',
  deadline,
});

describe('diffInbox', () => {
  it('adds new transfers, removes the ones that left and keeps the rest, soonest deadline first', () => {
    const latest = [
      item('t-late', '2026-01-03T00:00:00Z'),
      item('t-kept', '2026-01-02T00:00:00Z'),
      item('t-new', '2026-01-01T00:00:00Z'),
    ];
    const changes = diffInbox(['t-kept', 't-gone'], latest);
    expect(changes.added.map((i) => i.transferId)).toEqual(['t-new', 't-late']);
    expect(changes.removed).toEqual(['t-gone']);
    expect(changes.kept.map((i) => i.transferId)).toEqual(['t-kept']);
  });

  it('accounts for every shown and every latest id exactly once', () => {
    const ids = fc.uniqueArray(fc.constantFrom('t-a1', 't-b2', 't-c3', 't-d4', 't-e5', 't-f6'));
    fc.assert(
      fc.property(ids, ids, (shown, latestIds) => {
        const latest = latestIds.map((id, i) => item(id, new Date(Date.UTC(2026, 0, 1 + i)).toISOString()));
        const { added, removed, kept } = diffInbox(shown, latest);
        expect([...added, ...kept].map((i) => i.transferId).sort()).toEqual([...latestIds].sort());
        expect([...removed, ...kept.map((i) => i.transferId)].sort()).toEqual([...shown].sort());
      }),
    );
  });
});

describe('inboxOrder', () => {
  it('orders by deadline, then by id for equal deadlines', () => {
    const same = '2026-01-02T00:00:00Z';
    expect(inboxOrder([item('t-b', same), item('t-a', same), item('t-0', '2026-01-01T00:00:00Z')])).toEqual([
      't-0',
      't-a',
      't-b',
    ]);
  });
});
