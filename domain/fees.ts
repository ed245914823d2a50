import { assertCents, Cents, divideHalfUp } from './money';

/** Load fee rate: 2 basis points, expressed as a fraction numerator/denominator. */
const LOAD_FEE = { numerator: 2, denominator: 10_000 } as const;
/** Merchant fee rate: 2.5 basis points = 25 / 100 000. */
const MERCHANT_FEE = { numerator: 25, denominator: 100_000 } as const;
/** A single load strictly above this amount (500.00) carries no fee. */
export const LOAD_FEE_FREE_ABOVE: Cents = 50_000;

/**
 * Fee for loading `amount` cents: 0.02 % rounded half-up to the cent, and none at all when the
 * load is strictly more than 500.00.
 *
 * @example loadFee(10_000) // 2
 * @example loadFee(50_001) // 0
 */
export function loadFee(amount: Cents): Cents {
  assertCents(amount);
  if (amount > LOAD_FEE_FREE_ABOVE) return 0;
  return divideHalfUp(amount * LOAD_FEE.numerator, LOAD_FEE.denominator);
}

/**
 * Fee withheld from a merchant payment of `amount` cents: 0.025 % rounded half-up.
 *
 * @example merchantFee(2_000) // 1 (0.5 rounds up)
 */
export function merchantFee(amount: Cents): Cents {
  assertCents(amount);
  return divideHalfUp(amount * MERCHANT_FEE.numerator, MERCHANT_FEE.denominator);
}

/** How a load of `amount` splits into the fee and what the account is credited (`net = amount - fee`). */
export function splitLoad(amount: Cents): { amount: Cents; fee: Cents; net: Cents } {
  const fee = loadFee(amount);
  return { amount, fee, net: amount - fee };
}

/** How a merchant payment of `amount` splits into the withheld fee and the merchant's net. */
export function splitMerchantPayment(amount: Cents): { amount: Cents; fee: Cents; net: Cents } {
  const fee = merchantFee(amount);
  return { amount, fee, net: amount - fee };
}
