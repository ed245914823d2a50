import { emptyOutflowWindow } from '../domain';
import { operateOutflowWindow } from './outflowWindow';

const at = (hour: number) => new Date(Date.UTC(2026, 0, 1, hour)).toISOString();

describe('the outflowWindow entity operations', () => {
  it('answers the day’s outgoing total, each transfer included', () => {
    let window = emptyOutflowWindow;
    const answers = [];
    for (const n of [1, 2, 3]) {
      const step = operateOutflowWindow(window, 'assess', {
        transferId: `tr-${n}`,
        amount: 90_000,
        at: at(n),
      });
      window = step.window;
      answers.push(step.result);
    }
    expect(answers).toEqual([{ windowTotal: 90_000 }, { windowTotal: 180_000 }, { windowTotal: 270_000 }]);
  });

  it('answers a repeated assessment the same and counts the transfer once', () => {
    const first = operateOutflowWindow(emptyOutflowWindow, 'assess', {
      transferId: 'tr-1',
      amount: 150_000,
      at: at(1),
    });
    const again = operateOutflowWindow(first.window, 'assess', {
      transferId: 'tr-1',
      amount: 150_000,
      at: at(5),
    });
    expect(again.result).toEqual({ windowTotal: 150_000 });
    expect(again.window).toBe(first.window);
  });

  it('forgets a cancelled transfer, and ignores thresholds an older caller still sends', () => {
    const first = operateOutflowWindow(emptyOutflowWindow, 'assess', {
      transferId: 'tr-1',
      amount: 90_000,
      at: at(1),
    });
    const cancelled = operateOutflowWindow(first.window, 'cancel', { transferId: 'tr-1' });
    expect(operateOutflowWindow(cancelled.window, 'get', undefined).result).toEqual({
      outflows: [],
    });
    const strict = operateOutflowWindow(cancelled.window, 'assess', {
      transferId: 'tr-2',
      amount: 90_000,
      at: at(2),
      velocityThreshold: 90_000,
    });
    // The total is the window's; whether it needs approval is the transfer machine's decision.
    expect(strict.result).toEqual({ windowTotal: 90_000 });
  });

  it('drops what has left the 24-hour window on prune and on the next assessment', () => {
    const first = operateOutflowWindow(emptyOutflowWindow, 'assess', {
      transferId: 'tr-1',
      amount: 200_000,
      at: at(0),
    });
    expect(operateOutflowWindow(first.window, 'prune', at(23)).window.outflows).toHaveLength(1);
    expect(operateOutflowWindow(first.window, 'prune', at(24)).window.outflows).toHaveLength(0);
    const nextDay = operateOutflowWindow(first.window, 'assess', {
      transferId: 'tr-2',
      amount: 90_000,
      at: at(24),
    });
    expect(nextDay.result).toEqual({ windowTotal: 90_000 });
  });

  it('rejects unknown operations and malformed input', () => {
    expect(() => operateOutflowWindow(emptyOutflowWindow, 'drop', {})).toThrow(/no operation "drop"/);
    expect(() =>
      operateOutflowWindow(emptyOutflowWindow, 'assess', { transferId: 'tr-1', amount: 1.5, at: at(1) }),
    ).toThrow();
    expect(() =>
      operateOutflowWindow(emptyOutflowWindow, 'assess', { transferId: 'tr-1', amount: 1, at: 'yesterday' }),
    ).toThrow(/not an instant/);
  });
});
