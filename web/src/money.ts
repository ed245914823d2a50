/**
 * Display of money. Amounts travel as integer cents everywhere (API, read models); only this module
 * turns them into text, with integer arithmetic so no float rounding can creep in.
 */

/**
 * Formats integer cents as credits with thousands separators and two decimals.
 *
 * @example
 * formatCents(123456); // "1,234.56"
 * formatCents(-5);     // "-0.05"
 */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`not an integer number of cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const fraction = abs % 100;
  const grouped = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}.${String(fraction).padStart(2, '0')}`;
}

/** The minus sign of signed amounts (U+2212, as typeset, not the hyphen). */
export const MINUS = '\u2212';

/**
 * Formats integer cents with an explicit sign: credits "+", debits "−" (U+2212); zero has none.
 *
 * @example
 * formatSignedCents(-110000); // "−1,100.00"
 * formatSignedCents(50000);   // "+500.00"
 */
export function formatSignedCents(cents: number): string {
  const text = formatCents(Math.abs(cents));
  if (cents === 0) return text;
  return `${cents < 0 ? MINUS : '+'}${text}`;
}
