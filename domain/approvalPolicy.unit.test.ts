import fc from 'fast-check';
import {
  DEFAULT_APPROVAL_THRESHOLD,
  DEFAULT_VELOCITY_THRESHOLD,
  mayDecide,
  requiresApproval,
} from './approvalPolicy';
import { parseDurationMs } from './duration';
import { DEFAULT_APPROVAL_TIMEOUT } from './approvalPolicy';

const policy = {
  approvalThreshold: DEFAULT_APPROVAL_THRESHOLD,
  velocityThreshold: DEFAULT_VELOCITY_THRESHOLD,
};

describe('approval policy', () => {
  it('has the defaults of the design', () => {
    expect(policy).toEqual({ approvalThreshold: 100_000, velocityThreshold: 250_000 });
    expect(parseDurationMs(DEFAULT_APPROVAL_TIMEOUT)).toBe(86_400_000);
  });

  it.each([
    [99_999, 99_999, false, null],
    [100_000, 100_000, true, 'amount'],
    [100_000, 300_000, true, 'amount'],
    [1_000, 249_999, false, null],
    [1_000, 250_000, true, 'velocity'],
    [99_999, 260_000, true, 'velocity'],
  ])(
    'a transfer of %i with %i out in the window: required %s (%s)',
    (amount, windowTotal, required, reason) => {
      expect(requiresApproval({ amount, windowTotal, ...policy })).toEqual({ required, reason });
    },
  );

  it('counts the transfer itself in the window even when the caller left it out', () => {
    expect(
      requiresApproval({
        amount: 90_000,
        windowTotal: 0,
        approvalThreshold: 100_000,
        velocityThreshold: 50_000,
      }),
    ).toEqual({ required: true, reason: 'velocity' });
  });

  it('never lets a larger amount or a busier window need less review', () => {
    const cents = fc.integer({ min: 1, max: 1_000_000 });
    fc.assert(
      fc.property(cents, cents, cents, cents, (amount, extra, window, moreWindow) => {
        const before = requiresApproval({ amount, windowTotal: amount + window, ...policy }).required;
        const after = requiresApproval({
          amount: amount + extra,
          windowTotal: amount + extra + window + moreWindow,
          ...policy,
        }).required;
        return !before || after;
      }),
      { numRuns: 300 },
    );
  });

  it('lets anyone decide except the requester and the owner of the source account', () => {
    expect(mayDecide({ approver: 'carol', requestedBy: 'alice', sourceOwnerId: 'olga' })).toEqual({
      ok: true,
    });
    expect(mayDecide({ approver: 'alice', requestedBy: 'alice', sourceOwnerId: 'olga' })).toEqual({
      ok: false,
      reason: 'approver_is_requester',
    });
    expect(mayDecide({ approver: 'olga', requestedBy: 'alice', sourceOwnerId: 'olga' })).toEqual({
      ok: false,
      reason: 'approver_is_source_owner',
    });
    expect(mayDecide({ approver: 'olga', requestedBy: 'alice', sourceOwnerId: null })).toEqual({ ok: true });
    expect(mayDecide({ approver: 'olga', requestedBy: 'alice' })).toEqual({ ok: true });
  });
});
