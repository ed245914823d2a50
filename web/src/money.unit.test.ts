import fc from 'fast-check';
import { formatCents } from './money';

describe('formatCents', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [99, '0.99'],
    [100, '1.00'],
    [123456, '1,234.56'],
    [100000, '1,000.00'],
    [1_000_000_000_000, '10,000,000,000.00'],
    [-5, '-0.05'],
    [-123456, '-1,234.56'],
  ])('shows %i cents as %s', (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });

  it('refuses amounts that are not integer cents', () => {
    expect(() => formatCents(12.5)).toThrow(RangeError);
    expect(() => formatCents(Number.NaN)).toThrow(RangeError);
    expect(() => formatCents(2 ** 60)).toThrow(RangeError);
  });

  it('reads back as the same number of cents for any amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(10 ** 15), max: 10 ** 15 }), (cents) => {
        const text = formatCents(cents);
        expect(text).toMatch(/^-?\d{1,3}(,\d{3})*\.\d{2}$/);
        const digits = text.replace(/[,.]/g, '');
        expect(Number(digits)).toBe(cents);
      }),
    );
  });
});
