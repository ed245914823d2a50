/**
 * A transfer's or an account's event stream (GET /api/{transfers|accounts}/{id}/events) as lines
 * people can read: each event's version, type, time and its key data in words, e.g.
 * "Funds reserved 1,500.00 for transfer t-1". No DOM: lookup.ts renders the lines.
 */
import type { EventStream, StreamEvent } from './contracts.js';
import { formatCents } from './money.js';
import { describeReason } from './reasons.js';
import { formatInstant } from './time.js';
import { payloadText } from './timeline.js';

export interface EventLine {
  version: number;
  /** The event type as stored, e.g. `FundsReserved`. */
  type: string;
  /** When it happened (ISO instant), when the event says. */
  at?: string;
  /** The event and its key data in one sentence. */
  summary: string;
}

type Data = Record<string, unknown>;

/** "FundsTransferredOut" → "Funds transferred out". */
export function typeInWords(type: string): string {
  const words = type
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// Readers answer undefined for a missing or mistyped field, so the caller can fall back to raw data.
function text(data: Data, key: string): string | undefined {
  const value = data[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function money(data: Data, key: string): string | undefined {
  const value = data[key];
  return typeof value === 'number' && Number.isSafeInteger(value) ? formatCents(value) : undefined;
}

/** "… — note “rent”" when the event carries a note. */
function withNote(line: string, note: string | undefined): string {
  return note ? `${line} — note “${note}”` : line;
}

/** "… (transfer t-1)" when the event names the entity. */
function naming(line: string, what: string, id: string | undefined): string {
  return id ? `${line} (${what} ${id})` : line;
}

/**
 * Each known event type's sentence, or undefined when a field it needs is missing (an event of a
 * newer schema): the line then shows the raw data rather than a wrong sentence.
 */
const SENTENCES: Record<string, (data: Data) => string | undefined> = {
  AccountOpened: (d) => {
    const name = text(d, 'ownerName');
    const owner = text(d, 'ownerId');
    const kind = text(d, 'kind');
    if (!name || !owner || !kind) return undefined;
    return `Account opened for ${name} (${owner}), a ${kind} account`;
  },
  CreditsLoaded: (d) => {
    const amount = money(d, 'amount');
    const fee = money(d, 'fee');
    const net = money(d, 'net');
    if (!amount || !fee || !net) return undefined;
    return naming(`Credits loaded ${amount}, fee ${fee}, net ${net}`, 'load', text(d, 'loadId'));
  },
  FundsReserved: (d) => moved('Funds reserved', d, 'for transfer'),
  FundsReleased: (d) => {
    const line = moved('Funds released', d, 'for transfer');
    const reason = text(d, 'reason');
    return line && reason ? `${line}: ${describeReason(reason)}` : line;
  },
  FundsTransferredOut: (d) => {
    const amount = money(d, 'amount');
    const to = text(d, 'toAccountId');
    if (!amount || !to) return undefined;
    return naming(`Funds transferred out ${amount} to ${to}`, 'transfer', text(d, 'transferId'));
  },
  FundsTransferredIn: (d) => {
    const amount = money(d, 'amount');
    const from = text(d, 'fromAccountId');
    if (!amount || !from) return undefined;
    return naming(`Funds transferred in ${amount} from ${from}`, 'transfer', text(d, 'transferId'));
  },
  AccountClosed: () => 'Account closed',
  TransferRequested: (d) => {
    const amount = money(d, 'amount');
    const from = text(d, 'fromAccountId');
    const to = text(d, 'toAccountId');
    if (!amount || !from || !to) return undefined;
    const by = text(d, 'requestedBy');
    return withNote(
      `Transfer requested ${amount} from ${from} to ${to}${by ? ` by ${by}` : ''}`,
      text(d, 'note'),
    );
  },
  TransferApprovalRequested: (d) => {
    const reason = text(d, 'reason');
    const deadline = text(d, 'deadline');
    if (!reason || !deadline) return undefined;
    const why = reason === 'amount' ? 'its amount' : reason === 'velocity' ? 'the 24-hour outflow' : reason;
    return `Approval requested for ${why}, deadline ${formatInstant(deadline)}`;
  },
  TransferApproved: (d) => {
    const approver = text(d, 'approver');
    return approver ? withNote(`Approved by ${approver}`, text(d, 'note')) : undefined;
  },
  TransferRejected: (d) => {
    const reason = text(d, 'reason');
    if (!reason) return undefined;
    const approver = text(d, 'approver');
    return withNote(
      `Rejected${approver ? ` by ${approver}` : ''}: ${describeReason(reason)}`,
      text(d, 'note'),
    );
  },
  TransferExpired: (d) => {
    const deadline = text(d, 'deadline');
    return deadline ? `Expired: nobody decided by ${formatInstant(deadline)}` : undefined;
  },
  TransferCompleted: () => 'Transfer completed',
  TransferFailed: (d) => {
    const reason = text(d, 'reason');
    return reason ? `Transfer failed: ${describeReason(reason)}` : undefined;
  },
};

/** "Funds reserved 1,500.00 for transfer t-1". */
function moved(head: string, d: Data, link: string): string | undefined {
  const amount = money(d, 'amount');
  if (!amount) return undefined;
  const transferId = text(d, 'transferId');
  return `${head} ${amount}${transferId ? ` ${link} ${transferId}` : ''}`;
}

/**
 * One event as a line.
 *
 * @example
 * describeEvent({ id: 't-1:reserve', version: 3, type: 'FundsReserved', data: { accountId: 'acc-a', transferId: 't-1', amount: 150000 } }).summary;
 * // "Funds reserved 1,500.00 for transfer t-1"
 */
export function describeEvent(event: StreamEvent): EventLine {
  const known = SENTENCES[event.type]?.(event.data);
  const raw = payloadText(event.data);
  const summary =
    known ?? (raw && raw !== '{}' ? `${typeInWords(event.type)}: ${raw}` : typeInWords(event.type));
  return {
    version: event.version,
    type: event.type,
    ...(event.occurredAt === undefined ? {} : { at: event.occurredAt }),
    summary,
  };
}

/** The stream's events as lines, in version order (the API's order, kept even if it were not). */
export function eventLines(stream: EventStream): EventLine[] {
  return [...stream.events].sort((a, b) => a.version - b.version).map(describeEvent);
}
