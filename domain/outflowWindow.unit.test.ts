import fc from 'fast-check';
import { OUTFLOW_WINDOW_MS } from './approvalPolicy';
import {
  assessOutflow,
  assessOutflowFromStream,
  cancelOutflow,
  emptyOutflowWindow,
  OutflowWindow,
  outflowTotal,
  pruneOutflows,
} from './outflowWindow';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const HOUR = 3_600_000;

function assessAll(transfers: Array<[string, number, number]>, window: OutflowWindow = emptyOutflowWindow) {
  const results = [];
  for (const [transferId, amount, at] of transfers) {
    const step = assessOutflow(window, { transferId, amount, at });
    window = step.window;
    results.push(step.assessment);
  }
  return { window, results };
}

describe('outflow window', () => {
  it('adds up the small transfers of the last 24 hours', () => {
    const { results } = assessAll([
      ['tr-1', 90_000, T0],
      ['tr-2', 90_000, T0 + HOUR],
      ['tr-3', 70_000, T0 + 2 * HOUR],
    ]);
    expect(results).toEqual([{ windowTotal: 90_000 }, { windowTotal: 180_000 }, { windowTotal: 250_000 }]);
  });

  it('forgets transfers 24 hours old', () => {
    const { results, window } = assessAll([
      ['tr-1', 90_000, T0],
      ['tr-2', 90_000, T0 + HOUR],
      ['tr-3', 90_000, T0 + OUTFLOW_WINDOW_MS],
    ]);
    expect(results[2]).toEqual({ windowTotal: 180_000 });
    expect(window.outflows.map((o) => o.transferId)).toEqual(['tr-2', 'tr-3']);
  });

  it('answers a repeated assessment of a transfer with its first answer and changes nothing', () => {
    const first = assessAll([['tr-1', 200_000, T0]]);
    const again = assessOutflow(first.window, { transferId: 'tr-1', amount: 200_000, at: T0 + HOUR });
    expect(again.window).toBe(first.window);
    expect(again.assessment).toEqual({ windowTotal: 200_000 });
    const second = assessOutflow(first.window, { transferId: 'tr-2', amount: 10_000, at: T0 + HOUR });
    const firstAgain = assessOutflow(second.window, {
      transferId: 'tr-1',
      amount: 200_000,
      at: T0 + 2 * HOUR,
    });
    expect(firstAgain.assessment.windowTotal).toBe(200_000);
    expect(outflowTotal(second.window)).toBe(210_000);
  });

  it('takes a cancelled transfer out of the total', () => {
    const { window } = assessAll([
      ['tr-1', 90_000, T0],
      ['tr-2', 90_000, T0],
    ]);
    const cancelled = cancelOutflow(window, 'tr-1');
    expect(outflowTotal(cancelled)).toBe(90_000);
    expect(cancelOutflow(cancelled, 'tr-1')).toBe(cancelled);
    expect(pruneOutflows(cancelled, T0)).toBe(cancelled);
  });

  it('always totals exactly the distinct transfers of the last 24 hours, in any order and with repeats', () => {
    const transfer = fc.record({
      id: fc.integer({ min: 0, max: 9 }),
      amount: fc.integer({ min: 1, max: 200_000 }),
      gap: fc.integer({ min: 0, max: 10 * HOUR }),
    });
    fc.assert(
      fc.property(fc.array(transfer, { maxLength: 40 }), (transfers) => {
        let window = emptyOutflowWindow;
        let at = T0;
        const firstSeen = new Map<number, { amount: number; at: number }>();
        for (const t of transfers) {
          at += t.gap;
          const { window: next, assessment } = assessOutflow(window, {
            transferId: `tr-${t.id}`,
            amount: t.amount,
            at,
          });
          const known = firstSeen.get(t.id);
          const stillIn = known !== undefined && window.outflows.some((o) => o.transferId === `tr-${t.id}`);
          if (!stillIn) {
            firstSeen.set(t.id, { amount: t.amount, at });
            // Oracle: every distinct transfer first assessed in the 24 hours up to now.
            const expected = [...firstSeen.values()]
              .filter((o) => o.at > at - OUTFLOW_WINDOW_MS)
              .reduce((sum, o) => sum + o.amount, 0);
            expect(assessment.windowTotal).toBe(expected);
          }
          window = next;
          expect(new Set(window.outflows.map((o) => o.transferId)).size).toBe(window.outflows.length);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('the window an account stream shows (assessOutflowFromStream)', () => {
  const at = '2026-01-01T10:00:00.000Z';
  const totalOf = (
    history: Parameters<typeof assessOutflowFromStream>[0],
    transfer: { transferId: string; amount: number; at: string },
  ) => assessOutflowFromStream(history, transfer).windowTotal;
  const reserved = (transferId: string, amount: number, occurredAt: string, version: number) => ({
    id: `${transferId}:reserve`,
    streamId: 'account-acc-a',
    version,
    type: 'FundsReserved' as const,
    data: { accountId: 'acc-a', transferId, amount },
    metadata: { correlationId: 'c', causationId: 'c', occurredAt },
    schemaVersion: 1,
  });

  it('counts reservations of the 24 hours before, not released ones, and answers the same after later transfers', () => {
    const history = [
      reserved('tr-old', 50_000, '2025-12-31T09:00:00.000Z', 1),
      reserved('tr-a', 70_000, '2026-01-01T01:00:00.000Z', 2),
      reserved('tr-b', 20_000, '2026-01-01T02:00:00.000Z', 3),
      {
        ...reserved('tr-b', 20_000, '2026-01-01T03:00:00.000Z', 4),
        id: 'tr-b:release',
        type: 'FundsReleased' as const,
        data: { accountId: 'acc-a', transferId: 'tr-b', amount: 20_000, reason: 'approval_expired' as const },
      },
    ];
    expect(totalOf(history, { transferId: 'tr-new', amount: 10_000, at })).toBe(80_000);
    const later = [
      ...history,
      reserved('tr-new', 10_000, at, 5),
      reserved('tr-later', 99_000, '2026-01-01T12:00:00.000Z', 6),
    ];
    expect(totalOf(later, { transferId: 'tr-new', amount: 10_000, at: '2026-01-01T13:00:00.000Z' })).toBe(
      80_000,
    );
  });

  it('totals the stream window as the entity totals its own', () => {
    const history = [reserved('tr-a', 240_000, '2026-01-01T09:00:00.000Z', 1)];
    expect(assessOutflowFromStream(history, { transferId: 'tr-new', amount: 10_000, at })).toEqual({
      windowTotal: 250_000,
    });
  });
});
