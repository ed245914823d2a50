import fc from 'fast-check';
import { AccountCommand } from '../commands';
import { AccountEvent } from '../events';
import { loadFee } from '../fees';
import { accountDecider, AccountState, balancesOf, decide, evolve, initialState } from '.';

/** An in-memory set of account streams, deciding and appending like the command handler does. */
class Ledger {
  readonly streams = new Map<string, AccountEvent[]>();
  readonly states = new Map<string, AccountState>();

  execute(command: AccountCommand): boolean {
    const id = command.data.accountId;
    const decision = decide(command, this.states.get(id) ?? initialState);
    if (!decision.ok) return false;
    const stream = this.streams.get(id) ?? [];
    for (const event of decision.events) {
      stream.push(event);
      this.states.set(id, evolve(this.states.get(id) ?? initialState, event));
    }
    this.streams.set(id, stream);
    return true;
  }

  /** Per-account invariants, recomputed from the events rather than trusted from the state. */
  checkAccount(id: string): { available: number; reserved: number; netLoads: number } {
    const events = this.streams.get(id) ?? [];
    const { available, reserved } = balancesOf(this.states.get(id) ?? initialState);
    let netLoads = 0;
    let moved = 0;
    // Amount reserved per transfer id while the reservation is still open (not released, not captured).
    const open = new Map<string, number>();
    let closed = false;
    for (const event of events) {
      // A closed account takes no loads, no incoming transfers and no new reservations.
      if (closed) expect(['CreditsLoaded', 'FundsTransferredIn', 'FundsReserved']).not.toContain(event.type);
      if (event.type === 'AccountClosed') {
        expect({ available: 0, reserved: 0 }).toEqual({
          available: netLoads + moved - [...open.values()].reduce((sum, amount) => sum + amount, 0),
          reserved: [...open.values()].reduce((sum, amount) => sum + amount, 0),
        });
        closed = true;
      }
      if (event.type === 'CreditsLoaded') {
        netLoads += event.data.net;
        // Every cent of a load is either credited or the fee of docs/architecture.md, domain: none lost, none made up.
        expect(event.data.fee).toBe(loadFee(event.data.amount));
        expect(event.data.net + event.data.fee).toBe(event.data.amount);
      }
      if (event.type === 'FundsTransferredIn') moved += event.data.amount;
      if (event.type === 'FundsTransferredOut') moved -= event.data.amount;
      if (event.type === 'FundsReserved') open.set(event.data.transferId, event.data.amount);
      if (event.type === 'FundsReleased' || event.type === 'FundsTransferredOut') {
        // A reservation settles for exactly what it held: a cent more or less would strand or mint money.
        expect(event.data.amount).toBe(open.get(event.data.transferId));
        open.delete(event.data.transferId);
      }
    }
    expect(available).toBeGreaterThanOrEqual(0);
    expect(reserved).toBeGreaterThanOrEqual(0);
    expect(Number.isSafeInteger(available) && Number.isSafeInteger(reserved)).toBe(true);
    expect(available + reserved).toBe(netLoads + moved);
    // `reserved` is exactly the sum of the open reservations (docs/architecture.md, domain).
    expect(reserved).toBe([...open.values()].reduce((sum, amount) => sum + amount, 0));
    // The state rebuilt from scratch equals the state built incrementally.
    expect(events.reduce(accountDecider.evolve, accountDecider.initialState)).toEqual(
      this.states.get(id) ?? initialState,
    );
    return { available, reserved, netLoads };
  }
}

const accounts = ['acc-a', 'acc-b', 'acc-c'] as const;
const account = fc.constantFrom(...accounts);
const amount = fc.oneof(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 40_000, max: 120_000 }));
// Mostly the two funded accounts, sometimes the one that may not exist.
const destination = fc.constantFrom('acc-a', 'acc-b', 'acc-b', 'acc-a', 'acc-c');
// Sometimes exactly the available balance, or one cent either side, to probe the overdraft boundary.
const requestAmount = fc.oneof(amount, fc.record({ allAvailablePlus: fc.constantFrom(-1, 0, 1) }));
const transferIdx = fc.integer({ min: 0, max: 7 });
const twice = fc.boolean(); // at-least-once: an activity may run twice

type Step =
  | { op: 'open'; acc: string }
  | { op: 'load'; acc: string; loadIdx: number; amount: number; twice: boolean }
  | { op: 'close'; acc: string }
  | {
      op: 'request';
      from: string;
      to: string;
      t: number;
      amount: number | { allAvailablePlus: number };
      twice: boolean;
    }
  | { op: 'complete'; pick: number; twice: boolean }
  | { op: 'cancel'; pick: number; twice: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ op: fc.constant('open' as const), acc: account }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('load' as const),
      acc: account,
      loadIdx: fc.integer({ min: 0, max: 5 }),
      amount,
      twice,
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('close' as const), acc: account }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('request' as const),
      from: account,
      to: destination,
      t: transferIdx,
      amount: requestAmount,
      twice,
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('complete' as const), pick: fc.nat(), twice }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat(), twice }) },
);
// Two open, funded accounts to start from; acc-c only exists if a step opens it.
const setup: Step[] = [
  { op: 'open', acc: 'acc-a' },
  { op: 'open', acc: 'acc-b' },
  { op: 'load', acc: 'acc-a', loadIdx: 9, amount: 100_000, twice: false },
  { op: 'load', acc: 'acc-b', loadIdx: 9, amount: 30_000, twice: false },
];

interface Process {
  transferId: string;
  from: string;
  to: string;
  amount: number;
  state: 'reserved' | 'done' | 'released';
}

/** Runs steps the way the transfer process manager drives accounts: reserve, then credit + capture or release. */
function run(steps: Step[]): { ledger: Ledger; processes: Map<number, Process> } {
  const ledger = new Ledger();
  const processes = new Map<number, Process>();
  const times = (again: boolean, fn: () => boolean): boolean => {
    const first = fn();
    return again ? fn() === first && first : first;
  };
  for (const s of steps) {
    switch (s.op) {
      case 'open':
        ledger.execute({
          type: 'OpenAccount',
          data: { accountId: s.acc, ownerId: `owner-${s.acc}`, ownerName: s.acc, kind: 'user' },
        });
        break;
      case 'load':
        times(s.twice, () =>
          ledger.execute({
            type: 'LoadCredits',
            data: { accountId: s.acc, loadId: `load-${s.loadIdx}`, amount: s.amount, loadedBy: 'otto' },
          }),
        );
        break;
      case 'close':
        ledger.execute({ type: 'CloseAccount', data: { accountId: s.acc } });
        break;
      case 'request': {
        if (processes.has(s.t)) break; // one process per transfer id
        const transferId = `tr-${s.t}`;
        const requested =
          typeof s.amount === 'number'
            ? s.amount
            : balancesOf(ledger.states.get(s.from) ?? initialState).available + s.amount.allAvailablePlus;
        const ok = times(s.twice, () =>
          ledger.execute({
            type: 'ReserveFunds',
            data: { accountId: s.from, transferId, amount: requested },
          }),
        );
        if (ok)
          processes.set(s.t, { transferId, from: s.from, to: s.to, amount: requested, state: 'reserved' });
        break;
      }
      case 'complete': {
        // The process manager moves on a transfer that is still reserved; pick one of those.
        const open = [...processes.values()].filter((candidate) => candidate.state === 'reserved');
        const p = open[s.pick % Math.max(open.length, 1)];
        if (!p) break;
        const transferId = p.transferId;
        const credited = times(s.twice, () =>
          ledger.execute({
            type: 'TransferIn',
            data: { accountId: p.to, transferId, amount: p.amount, fromAccountId: p.from },
          }),
        );
        if (credited) {
          expect(
            times(s.twice, () =>
              ledger.execute({
                type: 'TransferOut',
                data: { accountId: p.from, transferId, toAccountId: p.to },
              }),
            ),
          ).toBe(true);
          p.state = 'done';
        } else {
          expect(
            times(s.twice, () =>
              ledger.execute({
                type: 'ReleaseFunds',
                data: { accountId: p.from, transferId, reason: 'account_closed' },
              }),
            ),
          ).toBe(true);
          p.state = 'released';
        }
        break;
      }
      case 'cancel': {
        // The process manager moves on a transfer that is still reserved; pick one of those.
        const open = [...processes.values()].filter((candidate) => candidate.state === 'reserved');
        const p = open[s.pick % Math.max(open.length, 1)];
        if (!p) break;
        const transferId = p.transferId;
        expect(
          times(s.twice, () =>
            ledger.execute({
              type: 'ReleaseFunds',
              data: { accountId: p.from, transferId, reason: 'approval_expired' },
            }),
          ),
        ).toBe(true);
        p.state = 'released';
        break;
      }
    }
  }
  return { ledger, processes };
}

describe('account balances under random command sequences', () => {
  it('keep available and reserved non-negative and conserve money across accounts', () => {
    const outcomes = { done: 0, released: 0, reserved: 0 };
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const { ledger, processes } = run([...setup, ...steps]);
        for (const p of processes.values()) outcomes[p.state] += 1;
        let total = 0;
        let netLoads = 0;
        for (const id of accounts) {
          const balances = ledger.checkAccount(id);
          total += balances.available + balances.reserved;
          netLoads += balances.netLoads;
        }
        // Transfers create and destroy no money.
        expect(total).toBe(netLoads);
      }),
      { numRuns: 300 },
    );
    // The generator must really exercise completed, released and still-open transfers.
    expect(outcomes.done).toBeGreaterThan(20);
    expect(outcomes.released).toBeGreaterThan(20);
    expect(outcomes.reserved).toBeGreaterThan(10);
  });

  it('keep one account consistent whatever operations arrive, in any order, repeated or not', () => {
    const acc = 'acc-1';
    const tid = fc.constantFrom('tr-1', 'tr-2', 'tr-3');
    const other = fc.constantFrom('acc-1', 'acc-2');
    const command: fc.Arbitrary<AccountCommand> = fc.oneof(
      fc.constant<AccountCommand>({
        type: 'OpenAccount',
        data: { accountId: acc, ownerId: 'alice', ownerName: 'Alice', kind: 'user' },
      }),
      fc
        .record({
          accountId: fc.constant(acc),
          loadId: fc.constantFrom('load-1', 'load-2', 'load-3'),
          amount,
          loadedBy: fc.constantFrom('otto', 'alice'),
        })
        .map((data): AccountCommand => ({ type: 'LoadCredits', data })),
      fc.constant<AccountCommand>({ type: 'CloseAccount', data: { accountId: acc } }),
      fc
        .record({ accountId: fc.constant(acc), transferId: tid, amount })
        .map((data): AccountCommand => ({ type: 'ReserveFunds', data })),
      fc
        .record({
          accountId: fc.constant(acc),
          transferId: tid,
          reason: fc.constantFrom('approval_expired' as const, 'rejected_by_approver' as const),
        })
        .map((data): AccountCommand => ({ type: 'ReleaseFunds', data })),
      fc
        .record({ accountId: fc.constant(acc), transferId: tid, toAccountId: other })
        .map((data): AccountCommand => ({ type: 'TransferOut', data })),
      fc
        .record({ accountId: fc.constant(acc), transferId: tid, amount, fromAccountId: other })
        .map((data): AccountCommand => ({ type: 'TransferIn', data })),
    );
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        const ledger = new Ledger();
        for (const c of commands) {
          if (ledger.execute(c)) {
            // At-least-once delivery: the same operation straight again is accepted and appends nothing.
            const repeat = decide(c, ledger.states.get(acc) ?? initialState);
            expect(repeat).toEqual({ ok: true, events: [] });
          }
          ledger.checkAccount(acc);
        }
      }),
      { numRuns: 300 },
    );
  });
});
