import {
  accept,
  domainError,
  isReasonCode,
  reasonSentence,
  reject,
  REASON_CODES,
  REASON_MESSAGES,
  ReasonCodeSchema,
} from './reasons';

describe('reason codes', () => {
  it('include every code of the design and give each a human message', () => {
    for (const code of [
      'insufficient_funds',
      'account_not_found',
      'account_closed',
      'same_account',
      'rejected_by_approver',
      'approval_expired',
    ]) {
      expect(REASON_CODES).toContain(code);
    }
    for (const code of REASON_CODES) {
      expect(code).toMatch(/^[a-z_]+$/);
      expect(REASON_MESSAGES[code].length).toBeGreaterThan(10);
      // A clause, so a sentence can carry it ("The approval was refused: <text>.").
      expect(REASON_MESSAGES[code]).toMatch(/^[a-z].*[^.]$/);
    }
  });

  it('are validated by their schema', () => {
    expect(ReasonCodeSchema.parse('same_account')).toBe('same_account');
    expect(ReasonCodeSchema.safeParse('nope').success).toBe(false);
    expect(isReasonCode('account_closed')).toBe(true);
    expect(isReasonCode('toString')).toBe(false);
    expect(isReasonCode(3)).toBe(false);
  });

  it('make domain errors with a code and a message', () => {
    expect(domainError('account_closed')).toEqual({
      code: 'account_closed',
      message: 'The account is closed.',
    });
    expect(domainError('account_closed', 'acc-1').message).toBe('The account is closed. acc-1');
    expect(reasonSentence('rejected_by_approver')).toBe('An approver rejected it.');
    expect(reject('same_account')).toEqual({ ok: false, error: domainError('same_account') });
    expect(accept(1, 2)).toEqual({ ok: true, events: [1, 2] });
  });
});
