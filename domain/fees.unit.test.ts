import fc from 'fast-check';
import { loadFee, merchantFee, splitLoad, splitMerchantPayment } from './fees';
import { divideHalfUp, formatCents, isAmount, isCents, MAX_AMOUNT } from './money';

const anyAmount = fc.integer({ min: 1, max: MAX_AMOUNT });

describe('load fee', () => {
  it.each([
    [10_000, 2],
    [2_499, 0],
    [2_500, 1],
    [50_000, 10],
    [50_001, 0],
    [1, 0],
    [7_500, 2], // 1.5 rounds half-up to 2
    [MAX_AMOUNT, 0],
  ])('a load of %i cents costs %i cents', (amount, fee) => {
    expect(loadFee(amount)).toBe(fee);
  });

  it('credits the account with the amount minus the fee', () => {
    expect(splitLoad(10_000)).toEqual({ amount: 10_000, fee: 2, net: 9_998 });
  });

  it('is never negative, never more than the amount, and net + fee = amount', () => {
    fc.assert(
      fc.property(anyAmount, (amount) => {
        const { fee, net } = splitLoad(amount);
        return Number.isSafeInteger(fee) && fee >= 0 && fee <= amount && net + fee === amount && net >= 0;
      }),
      { numRuns: 500 },
    );
  });

  it('is free for every load strictly above 500.00', () => {
    fc.assert(
      fc.property(fc.integer({ min: 50_001, max: MAX_AMOUNT }), (amount) => loadFee(amount) === 0),
      { numRuns: 200 },
    );
  });

  it('matches 2 bp rounded half-up (checked with bigint arithmetic) up to 500.00', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50_000 }), (amount) => {
        const scaled = BigInt(amount) * 2n; // fee * 10 000
        const expected = (scaled + 5_000n) / 10_000n;
        return BigInt(loadFee(amount)) === expected;
      }),
      { numRuns: 500 },
    );
  });

  it('rejects amounts that are not whole cents', () => {
    expect(() => loadFee(1.5)).toThrow(RangeError);
    expect(() => loadFee(-1)).toThrow(RangeError);
    expect(() => loadFee(Number.NaN)).toThrow(RangeError);
  });
});

describe('merchant fee', () => {
  it.each([
    [2_000, 1], // 0.5 rounds up
    [1_999, 0],
    [4_000, 1],
    [6_000, 2], // 1.5 rounds up
    [10_000, 3], // 2.5 rounds up
    [MAX_AMOUNT, 250_000_000],
  ])('a payment of %i cents withholds %i cents', (amount, fee) => {
    expect(merchantFee(amount)).toBe(fee);
  });

  it('is never negative, never more than the amount, and net + fee = amount', () => {
    fc.assert(
      fc.property(anyAmount, (amount) => {
        const { fee, net } = splitMerchantPayment(amount);
        return Number.isSafeInteger(fee) && fee >= 0 && fee <= amount && net + fee === amount;
      }),
      { numRuns: 500 },
    );
  });

  it('matches 2.5 bp rounded half-up (checked with bigint arithmetic)', () => {
    fc.assert(
      fc.property(
        anyAmount,
        (amount) => BigInt(merchantFee(amount)) === (BigInt(amount) * 25n + 50_000n) / 100_000n,
      ),
      { numRuns: 500 },
    );
  });
});

describe('money', () => {
  it('divides half-up with integers only', () => {
    expect(divideHalfUp(0, 7)).toBe(0);
    expect(divideHalfUp(14, 4)).toBe(4); // 3.5
    expect(divideHalfUp(13, 4)).toBe(3); // 3.25
    expect(() => divideHalfUp(1, 0)).toThrow(RangeError);
    expect(() => divideHalfUp(-1, 2)).toThrow(RangeError);
  });

  it('tells amounts from other numbers', () => {
    expect(isAmount(1)).toBe(true);
    expect(isAmount(MAX_AMOUNT)).toBe(true);
    expect(isAmount(MAX_AMOUNT + 1)).toBe(false);
    expect(isAmount(0)).toBe(false);
    expect(isAmount(2.5)).toBe(false);
    expect(isAmount('5')).toBe(false);
    expect(isCents(0)).toBe(true);
    expect(isCents(-1)).toBe(false);
  });

  it('formats cents with two decimal places', () => {
    expect(formatCents(0)).toBe('0.00');
    expect(formatCents(5)).toBe('0.05');
    expect(formatCents(123_456)).toBe('1234.56');
  });
});
