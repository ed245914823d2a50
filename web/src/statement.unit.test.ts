import type { StatementEntry } from './contracts';
import { formatSignedCents } from './money';
import { statementLine, STATEMENT_ENTRIES } from './statement';

const at = '2026-01-01T00:00:00.000Z';

describe('statementLine', () => {
  it.each([
    ['CreditsLoaded', 'Credits loaded', 50_000, '+500.00'],
    ['FundsReserved', 'Reserved', 110_000, '−1,100.00'],
    ['FundsReleased', 'Released', 110_000, '+1,100.00'],
    ['FundsTransferredOut', 'Transfer out', 110_000, '−1,100.00'],
    ['FundsTransferredIn', 'Transfer in', 110_000, '+1,100.00'],
  ])('names %s "%s" and signs its amount', (type, label, amount, shown) => {
    const line = statementLine({ at, type, amount, balanceAfter: 0 });
    expect(line.label).toBe(label);
    expect(formatSignedCents(line.amount)).toBe(shown);
  });

  it('never shows an event type name for a known entry', () => {
    for (const [type, { label }] of Object.entries(STATEMENT_ENTRIES)) {
      expect(label).not.toBe(type);
      expect(label).not.toMatch(/^[A-Z][a-z]+[A-Z]/);
    }
  });

  it('shows the fee withheld from a load as a debit, and no fee of zero', () => {
    const load: StatementEntry = { at, type: 'CreditsLoaded', amount: 50_000, fee: 10, balanceAfter: 49_990 };
    expect(statementLine(load)).toEqual({
      at,
      label: 'Credits loaded',
      amount: 50_000,
      fee: -10,
      balanceAfter: 49_990,
    });
    expect(statementLine({ ...load, fee: 0 }).fee).toBeUndefined();
  });

  it('keeps the transfer and says a transfer out is paid from the reservation', () => {
    const line = statementLine({
      at,
      type: 'FundsTransferredOut',
      amount: 1,
      transferId: 't-1',
      balanceAfter: 5,
    });
    expect(line).toMatchObject({ transferId: 't-1', note: 'from the reservation', balanceAfter: 5 });
  });

  it('puts an entry type it does not know into words, as a credit', () => {
    expect(statementLine({ at, type: 'BonusGranted', amount: 100, balanceAfter: 100 })).toMatchObject({
      label: 'Bonus granted',
      amount: 100,
    });
  });
});

describe('formatSignedCents', () => {
  it.each([
    [0, '0.00'],
    [1, '+0.01'],
    [-1, '−0.01'],
    [-110_000, '−1,100.00'],
  ])('%i → %s', (cents, text) => expect(formatSignedCents(cents)).toBe(text));
});
