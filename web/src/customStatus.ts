/**
 * An orchestration's custom status in words. The transfer process shows its machine's view
 * (`{state, outcome, reason, approvalReason, approver, reminderSent, deadline}`,
 * orchestrations/README.md); any other value is put into words as far as it goes. No DOM.
 */
import { typeInWords } from './eventStream.js';
import { describeReason } from './reasons.js';
import { formatInstant } from './time.js';

/** The transfer process's custom status, as far as the dashboard reads it. */
export interface TransferProcessStatus {
  state: string;
  outcome?: string | null;
  reason?: string | null;
  approvalReason?: string | null;
  approver?: string | null;
  reminderSent?: boolean;
  deadline?: string | null;
}

/** The transfer process's status in a custom status, or undefined when it is something else. */
export function transferProcessStatus(value: unknown): TransferProcessStatus | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.state !== 'string') return undefined;
  const text = (key: string): string | null =>
    typeof record[key] === 'string' ? (record[key] as string) : null;
  return {
    state: record.state,
    outcome: text('outcome'),
    reason: text('reason'),
    approvalReason: text('approvalReason'),
    approver: text('approver'),
    reminderSent: record.reminderSent === true,
    deadline: text('deadline'),
  };
}

const APPROVAL_REASONS: Readonly<Record<string, string>> = {
  amount: 'its amount',
  velocity: 'the 24-hour outflow',
};

const by = (approver: string | null | undefined): string => (approver ? ` by ${approver}` : '');
const because = (reason: string | null | undefined): string => (reason ? `: ${describeReason(reason)}` : '');

/**
 * The transfer process's status in one sentence.
 *
 * @example
 * describeTransferStatus({ state: 'awaitingApproval', approvalReason: 'amount', deadline: '2026-01-02T00:00:00Z' });
 * // "Awaiting approval for its amount until 2026-01-02 00:00:00 UTC"
 */
export function describeTransferStatus(status: TransferProcessStatus): string {
  switch (status.state) {
    case 'requested':
      return 'Requested; the funds are reserved next';
    case 'reserving':
      return 'Reserving the funds';
    case 'assessing':
      return 'Checking whether it needs approval';
    case 'awaitingApproval': {
      const why = status.approvalReason
        ? ` for ${APPROVAL_REASONS[status.approvalReason] ?? status.approvalReason}`
        : '';
      const until = status.deadline ? ` until ${formatInstant(status.deadline)}` : '';
      return `Awaiting approval${why}${until}${status.reminderSent ? '; reminder sent' : ''}`;
    }
    case 'crediting':
      return `Crediting the destination${status.approver ? ` (approved${by(status.approver)})` : ''}`;
    case 'releasing':
      return 'Releasing the reservation';
    case 'completed':
      return `Completed${status.approver ? ` (approved${by(status.approver)})` : ''}`;
    case 'rejected':
      return `Rejected${by(status.approver)}${because(status.reason)}`;
    case 'expired':
      return `Expired${because(status.reason ?? 'approval_expired')}`;
    case 'failed':
      return `Failed${because(status.reason)}`;
    default:
      return typeInWords(status.state);
  }
}

const MAX_SUMMARY = 200;

function valueInWords(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'string') return isIdentifier(value) ? typeInWords(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** `awaitingDecision`, `done`: one word or camelCase, shown as words. */
function isIdentifier(value: string): boolean {
  return /^[a-z][A-Za-z0-9]*$/.test(value);
}

/**
 * Any custom status in words: the transfer process's as a sentence, a camelCase string as words
 * ("awaitingDecision" → "Awaiting decision"), an object as "Key: value; …", nothing as "None".
 */
export function summariseCustomStatus(value: unknown): string {
  const transfer = transferProcessStatus(value);
  if (transfer) return describeTransferStatus(transfer);
  if (value === null || value === undefined || value === '') return 'None';
  if (typeof value === 'string') return isIdentifier(value) ? typeInWords(value) : value;
  if (typeof value !== 'object' || Array.isArray(value)) return valueInWords(value);
  const parts = Object.entries(value as Record<string, unknown>).map(
    ([key, v]) => `${typeInWords(key)}: ${valueInWords(v)}`,
  );
  const text = parts.length === 0 ? 'None' : parts.join('; ');
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
}
