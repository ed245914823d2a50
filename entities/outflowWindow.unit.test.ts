import { emptyOutflowWindow } from '../domain';
import { operateOutflowWindow } from './outflowWindow';

const settings = { APPROVAL_THRESHOLD: '100000', VELOCITY_THRESHOLD: '250000' };
const at = (hour: number) => new Date(Date.UTC(2026, 0, 1, hour)).toISOString();

describe('the outflowWindow entity operations', () => {
  it('asks for approval once the day’s outgoing total reaches the velocity threshold', () => {
    let window = emptyOutflowWindow;
    const answers = [];
    for (const n of [1, 2, 3]) {
      const step = operateOutflowWindow(
        window,
        'assess',
        { transferId: `tr-${n}`, amount: 90_000, at: at(n) },
        settings,
      );
      window = step.window;
      answers.push(step.result);
    }
    expect(answers).toEqual([
      { requiresApproval: false, reason: null, windowTotal: 90_000 },
      { requiresApproval: false, reason: null, windowTotal: 180_000 },
      { requiresApproval: true, reason: 'velocity', windowTotal: 270_000 },
    ]);
  });

  it('answers a repeated assessment the same and counts the transfer once', () => {
    const first = operateOutflowWindow(
      emptyOutflowWindow,
      'assess',
      { transferId: 'tr-1', amount: 150_000, at: at(1) },
      settings,
    );
    const again = operateOutflowWindow(
      first.window,
      'assess',
      { transferId: 'tr-1', amount: 150_000, at: at(5) },
      settings,
    );
    expect(again.result).toEqual({ requiresApproval: true, reason: 'amount', windowTotal: 150_000 });
    expect(again.window).toBe(first.window);
  });

  it('forgets a cancelled transfer, and the thresholds passed in win over the settings', () => {
    const first = operateOutflowWindow(
      emptyOutflowWindow,
      'assess',
      { transferId: 'tr-1', amount: 90_000, at: at(1) },
      settings,
    );
    const cancelled = operateOutflowWindow(first.window, 'cancel', { transferId: 'tr-1' }, settings);
    expect(operateOutflowWindow(cancelled.window, 'get', undefined, settings).result).toEqual({
      outflows: [],
    });
    const strict = operateOutflowWindow(
      cancelled.window,
      'assess',
      { transferId: 'tr-2', amount: 90_000, at: at(2), velocityThreshold: 90_000 },
      settings,
    );
    expect(strict.result).toEqual({ requiresApproval: true, reason: 'velocity', windowTotal: 90_000 });
  });

  it('drops what has left the 24-hour window on prune and on the next assessment', () => {
    const first = operateOutflowWindow(
      emptyOutflowWindow,
      'assess',
      { transferId: 'tr-1', amount: 200_000, at: at(0) },
      settings,
    );
    expect(operateOutflowWindow(first.window, 'prune', at(23), settings).window.outflows).toHaveLength(1);
    expect(operateOutflowWindow(first.window, 'prune', at(24), settings).window.outflows).toHaveLength(0);
    const nextDay = operateOutflowWindow(
      first.window,
      'assess',
      { transferId: 'tr-2', amount: 90_000, at: at(24) },
      settings,
    );
    expect(nextDay.result).toEqual({ requiresApproval: false, reason: null, windowTotal: 90_000 });
  });

  it('rejects unknown operations and malformed input', () => {
    expect(() => operateOutflowWindow(emptyOutflowWindow, 'drop', {}, settings)).toThrow(
      /no operation "drop"/,
    );
    expect(() =>
      operateOutflowWindow(
        emptyOutflowWindow,
        'assess',
        { transferId: 'tr-1', amount: 1.5, at: at(1) },
        settings,
      ),
    ).toThrow();
    expect(() =>
      operateOutflowWindow(
        emptyOutflowWindow,
        'assess',
        { transferId: 'tr-1', amount: 1, at: 'yesterday' },
        settings,
      ),
    ).toThrow(/not an instant/);
  });
});
