import fc from 'fast-check';
import { AccountCommand } from '../commands';
import { fold } from '../decider';
import { AccountEvent } from '../events';
import {
  accountDecider,
  accountSnapshot,
  ACCOUNT_SNAPSHOT_FORMAT,
  AccountState,
  decide,
  evolve,
  initialState,
} from '.';

const acc = 'acc-1';
const amount = fc.oneof(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 40_000, max: 120_000 }));
// Enough ids that the id maps outgrow a leaf and split.
const tid = fc.integer({ min: 1, max: 60 }).map((n) => `tr-${n}`);
const command: fc.Arbitrary<AccountCommand> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.constant<AccountCommand>({
      type: 'OpenAccount',
      data: { accountId: acc, ownerId: 'alice', ownerName: 'Alice', kind: 'user' },
    }),
  },
  {
    weight: 6,
    arbitrary: fc
      .record({
        accountId: fc.constant(acc),
        loadId: fc.integer({ min: 1, max: 60 }).map((n) => `load-${n}`),
        amount,
        loadedBy: fc.constant('alice'),
      })
      .map((data): AccountCommand => ({ type: 'LoadCredits', data })),
  },
  { weight: 1, arbitrary: fc.constant<AccountCommand>({ type: 'CloseAccount', data: { accountId: acc } }) },
  {
    weight: 5,
    arbitrary: fc
      .record({ accountId: fc.constant(acc), transferId: tid, amount })
      .map((data): AccountCommand => ({ type: 'ReserveFunds', data })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        accountId: fc.constant(acc),
        transferId: tid,
        reason: fc.constant('approval_expired' as const),
      })
      .map((data): AccountCommand => ({ type: 'ReleaseFunds', data })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({ accountId: fc.constant(acc), transferId: tid, toAccountId: fc.constant('acc-2') })
      .map((data): AccountCommand => ({ type: 'TransferOut', data })),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({ accountId: fc.constant(acc), transferId: tid, amount, fromAccountId: fc.constant('acc-2') })
      .map((data): AccountCommand => ({ type: 'TransferIn', data })),
  },
);

/** The events the decider accepts for these commands, in order: a valid account history. */
function historyOf(commands: readonly AccountCommand[]): AccountEvent[] {
  const events: AccountEvent[] = [];
  let state: AccountState = initialState;
  for (const c of commands) {
    const decision = decide(c, state);
    if (!decision.ok) continue;
    for (const event of decision.events) {
      events.push(event);
      state = evolve(state, event);
    }
  }
  return events;
}

/** The state as it would come back from storage: encoded, through JSON, decoded. */
const stored = (state: AccountState): AccountState | undefined =>
  accountSnapshot.decode(JSON.parse(JSON.stringify(accountSnapshot.encode(state))));

describe('account snapshots', () => {
  it('folding the tail onto a snapshot gives the state of the whole fold, and the same decisions', () => {
    fc.assert(
      fc.property(
        fc.array(command, { maxLength: 150 }),
        fc.nat(),
        fc.array(command, { maxLength: 5 }),
        (commands, cut, next) => {
          const history = historyOf(commands);
          const at = history.length === 0 ? 0 : cut % (history.length + 1);
          const snapshot = stored(fold(accountDecider, history.slice(0, at)));
          expect(snapshot).toBeDefined();
          const resumed = fold(accountDecider, history.slice(at), snapshot);
          const full = fold(accountDecider, history);
          expect(resumed).toEqual(full);
          for (const c of next) expect(decide(c, resumed)).toEqual(decide(c, full));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses JSON that is not a state of this format', () => {
    const state = fold(
      accountDecider,
      historyOf([
        { type: 'OpenAccount', data: { accountId: acc, ownerId: 'alice', ownerName: 'Alice', kind: 'user' } },
        { type: 'LoadCredits', data: { accountId: acc, loadId: 'load-1', amount: 1_000, loadedBy: 'alice' } },
        { type: 'ReserveFunds', data: { accountId: acc, transferId: 'tr-1', amount: 300 } },
      ]),
    );
    const json = accountSnapshot.encode(state) as Record<string, unknown>;
    expect(accountSnapshot.decode(json)).toEqual(state);
    expect(ACCOUNT_SNAPSHOT_FORMAT).toBe('account-state/1');
    for (const damaged of [
      null,
      'open',
      { ...json, available: -1 },
      { ...json, available: 1.5 },
      { ...json, kind: 'robot' },
      { ...json, loads: [['load-1']] },
      { ...json, reservations: undefined },
      // `reserved` no longer the sum of the open reservations.
      { ...json, reserved: 301 },
      { ...json, reservations: [['tr-1', 300, 'captured']] },
    ])
      expect(accountSnapshot.decode(damaged)).toBeUndefined();
  });
});
