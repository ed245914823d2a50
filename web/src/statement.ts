/**
 * An account's statement (GET /api/accounts/{id}/statement) as lines people read: each entry's
 * name in words ("Transfer out", not `FundsTransferredOut`), its amount signed by what it did to
 * the available balance (debits negative), the fee withheld from a load, and the available balance
 * after it. No DOM: lookup.ts renders the lines.
 */
import type { StatementEntry } from './contracts.js';
import { typeInWords } from './eventStream.js';

export interface StatementLine {
  at: string;
  /** The entry in words, e.g. "Transfer out". */
  label: string;
  /** What the entry says beyond its name, e.g. "from the reservation"; undefined when nothing. */
  note?: string;
  /** Signed cents: positive adds to the account, negative takes from it. */
  amount: number;
  /** Signed cents withheld from a load (negative), when there was a fee. */
  fee?: number;
  transferId?: string;
  /** The available balance after the entry, in cents. */
  balanceAfter: number;
}

/** Each entry type's name and the direction of its amount (+1 credit, −1 debit). */
export const STATEMENT_ENTRIES: Readonly<Record<string, { label: string; sign: 1 | -1; note?: string }>> = {
  CreditsLoaded: { label: 'Credits loaded', sign: 1 },
  FundsReserved: { label: 'Reserved', sign: -1 },
  FundsReleased: { label: 'Released', sign: 1 },
  FundsTransferredOut: { label: 'Transfer out', sign: -1, note: 'from the reservation' },
  FundsTransferredIn: { label: 'Transfer in', sign: 1 },
};

/**
 * One statement entry as a line.
 *
 * @example
 * statementLine({ at: '2026-01-01T00:00:00Z', type: 'FundsTransferredOut', amount: 110000, transferId: 't-1', balanceAfter: 0 });
 * // { label: 'Transfer out', amount: -110000, note: 'from the reservation', … }
 */
export function statementLine(entry: StatementEntry): StatementLine {
  const known = STATEMENT_ENTRIES[entry.type];
  const sign = known?.sign ?? 1;
  const line: StatementLine = {
    at: entry.at,
    label: known?.label ?? typeInWords(entry.type),
    amount: sign * entry.amount,
    balanceAfter: entry.balanceAfter,
  };
  if (known?.note) line.note = known.note;
  if (entry.fee !== undefined && entry.fee !== 0) line.fee = -entry.fee;
  if (entry.transferId !== undefined) line.transferId = entry.transferId;
  return line;
}
