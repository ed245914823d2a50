/**
 * Property: whatever mix of transfers, decisions (by allowed and forbidden approvers) and passing
 * time the process manager sees, once every process has ended no money was created or destroyed,
 * nothing stays reserved, no balance is negative, and each transfer moved money exactly when it completed.
 */
import fc from 'fast-check';
import { HOUR, ProcessHarness } from './processHarness';

const ACCOUNTS = ['acc-p0', 'acc-p1', 'acc-p2'];
const OWNERS = ['own-0', 'own-1', 'own-2'];
const LOADS = [300_000, 120_000, 0];

type Step =
  | { kind: 'transfer'; from: number; to: number; amount: number }
  | { kind: 'decide'; which: number; decision: 'approve' | 'reject'; approver: string }
  | { kind: 'wait'; hours: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('transfer' as const),
    from: fc.integer({ min: 0, max: 2 }),
    to: fc.integer({ min: 0, max: 2 }),
    amount: fc.oneof(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 100_000, max: 250_000 })),
  }),
  fc.record({
    kind: fc.constant('decide' as const),
    which: fc.nat(),
    decision: fc.constantFrom('approve' as const, 'reject' as const),
    approver: fc.constantFrom('checker', 'own-0', 'own-1', 'requester'),
  }),
  fc.record({ kind: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 30 }) }),
);

describe('transferProcess conserves money', () => {
  it('under random transfers, decisions and delays', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
        const harness = await ProcessHarness.start();
        try {
          for (const [i, account] of ACCOUNTS.entries())
            await harness.openAccount(account, OWNERS[i], LOADS[i]);
          const transfers: Array<{ id: string; from: string; to: string; amount: number }> = [];
          for (const [n, s] of steps.entries()) {
            if (s.kind === 'transfer' && s.from !== s.to) {
              const t = { id: `tr-p${n}`, from: ACCOUNTS[s.from], to: ACCOUNTS[s.to], amount: s.amount };
              transfers.push(t);
              await harness.requestTransfer({
                transferId: t.id,
                fromAccountId: t.from,
                toAccountId: t.to,
                amount: t.amount,
                requestedBy: 'requester',
              });
            } else if (s.kind === 'decide' && transfers.length > 0) {
              await harness.raiseDecision(transfers[s.which % transfers.length].id, {
                decision: s.decision,
                approver: s.approver,
              });
            } else if (s.kind === 'wait') {
              await harness.host.advance(s.hours * HOUR);
            }
          }
          await harness.host.advance(25 * HOUR); // past every deadline

          let total = 0;
          for (const account of ACCOUNTS) {
            const { available, reserved } = await harness.account(account);
            expect(available).toBeGreaterThanOrEqual(0);
            expect(reserved).toBe(0);
            total += available + reserved;
          }
          expect(total).toBe(LOADS.reduce((a, b) => a + b, 0));
          for (const t of transfers) {
            const status = await harness.status(t.id);
            expect(status.runtimeStatus).toBe('Completed');
            const movedOut = (await harness.stream(`account-${t.from}`)).some(
              (e) => e.type === 'FundsTransferredOut' && e.data.transferId === t.id,
            );
            const movedIn = (await harness.stream(`account-${t.to}`)).some(
              (e) => e.type === 'FundsTransferredIn' && e.data.transferId === t.id,
            );
            const completed = status.output?.outcome === 'completed';
            expect([movedOut, movedIn]).toEqual([completed, completed]);
            const outcomes = (await harness.eventTypes(`transfer-${t.id}`)).filter((type) =>
              ['TransferCompleted', 'TransferRejected', 'TransferExpired', 'TransferFailed'].includes(type),
            );
            expect(outcomes).toHaveLength(1);
          }
        } finally {
          await harness.stop();
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
