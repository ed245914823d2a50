/**
 * Money is an integer number of cents (minor units) everywhere in Cardflow; never a float.
 * Arithmetic here stays in safe integers: amounts are at most 10^12 cents, so even amount * 25
 * stays far below 2^53.
 */

/** An integer number of cents. */
export type Cents = number;

/** Smallest amount a command may move: one cent. */
export const MIN_AMOUNT: Cents = 1;
/** Largest amount a command may move: 10^12 cents (10 000 000 000.00). */
export const MAX_AMOUNT: Cents = 1_000_000_000_000;

/** True when `value` is a whole number of cents a command may carry (1 ..= 10^12). */
export function isAmount(value: unknown): value is Cents {
  return Number.isSafeInteger(value) && (value as number) >= MIN_AMOUNT && (value as number) <= MAX_AMOUNT;
}

/** True when `value` is a whole, non-negative, safe-integer number of cents (a balance or a fee). */
export function isCents(value: unknown): value is Cents {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Throws a RangeError unless `value` is a non-negative safe integer; programming errors, not user input. */
export function assertCents(value: number, what = 'amount'): asserts value is Cents {
  if (!isCents(value)) {
    throw new RangeError(`${what} must be a non-negative integer number of cents, got ${String(value)}`);
  }
}

/**
 * `numerator / denominator` rounded half-up, for non-negative safe integers, using only integer
 * operations (`%` and exact division) so no floating-point rounding can creep in.
 *
 * @example divideHalfUp(5_000, 10_000) // 1 (0.5 rounds up)
 */
export function divideHalfUp(numerator: number, denominator: number): number {
  assertCents(numerator, 'numerator');
  if (!Number.isSafeInteger(denominator) || denominator <= 0) {
    throw new RangeError(`denominator must be a positive integer, got ${String(denominator)}`);
  }
  const remainder = numerator % denominator;
  const quotient = (numerator - remainder) / denominator;
  return remainder * 2 >= denominator ? quotient + 1 : quotient;
}

/**
 * Formats cents as a decimal string with two places, for messages and the dashboard.
 *
 * @example formatCents(123456) // "1234.56"
 */
export function formatCents(cents: Cents): string {
  assertCents(cents, 'cents');
  const whole = Math.trunc(cents / 100);
  const minor = cents % 100;
  return `${whole}.${minor.toString().padStart(2, '0')}`;
}
