/**
 * The approvals inbox: one entry per transfer that asked for manual approval, and the
 * notifications sent to approvers. Event Grid may deliver a transfer's events out of order and
 * more than once, so an entry is derived from the transfer view (which the primary handler updated
 * before publishing the event) and only ever moves forward in stream version.
 */
import type { ApprovalReason } from '../../domain/events';
import type { ApprovalItem, InboxStatus } from '../http/schemas';
import { APPROVALS_PARTITION, NOTIFICATIONS_PARTITION } from './layout';
import type { TransferView } from './transferView';

export type { InboxStatus };

/** An inbox entry: what GET /api/approvals lists, plus the transfer's outcome reason and bookkeeping. */
export interface InboxEntry extends ApprovalItem {
  id: string;
  pk: typeof APPROVALS_PARTITION;
  view: 'approval';
  outcomeReason?: string;
  lastRemindedAt?: string;
  /** The transfer stream version this entry reflects. */
  version: number;
}

const STATUS: Record<TransferView['status'], InboxStatus> = {
  requested: 'pending',
  awaiting_approval: 'pending',
  approved: 'approved',
  completed: 'completed',
  rejected: 'rejected',
  expired: 'expired',
  failed: 'failed',
};

/**
 * The inbox entry for a transfer, from its view. Undefined when the transfer never asked for
 * approval; the previous entry unchanged when the view is not newer than it.
 */
export function inboxEntryFrom(transfer: TransferView, previous?: InboxEntry): InboxEntry | undefined {
  if (transfer.approvalReason === null || transfer.deadline === null) return previous;
  if (previous && previous.version >= transfer.version) return previous;
  return {
    id: transfer.transferId,
    pk: APPROVALS_PARTITION,
    view: 'approval',
    transferId: transfer.transferId,
    fromAccountId: transfer.fromAccountId,
    toAccountId: transfer.toAccountId,
    amount: transfer.amount,
    requestedBy: transfer.requestedBy,
    requestedAt: transfer.requestedAt,
    ...(transfer.note === null ? {} : { note: transfer.note }),
    reason: transfer.approvalReason,
    deadline: transfer.deadline,
    status: STATUS[transfer.status],
    ...(transfer.approver === null ? {} : { approver: transfer.approver }),
    ...(transfer.reason === null ? {} : { outcomeReason: transfer.reason }),
    reminders: previous?.reminders ?? 0,
    ...(previous?.lastRemindedAt ? { lastRemindedAt: previous.lastRemindedAt } : {}),
    version: transfer.version,
  };
}

/** Records one reminder (counted once per reminder event, see {@link Notification}). */
export function withReminder(entry: InboxEntry, at: string): InboxEntry {
  return { ...entry, reminders: entry.reminders + 1, lastRemindedAt: at };
}

/** A notification sent to approvers; its id is the id of the event that caused it, so a redelivery sends nothing new. */
export interface Notification {
  id: string;
  pk: typeof NOTIFICATIONS_PARTITION;
  view: 'notification';
  kind: 'approval_requested' | 'approval_reminder';
  transferId: string;
  amount: number;
  reason: ApprovalReason;
  deadline: string;
  fromAccountId: string;
  toAccountId: string;
  sentAt: string;
}

export function notificationFor(
  kind: Notification['kind'],
  eventId: string,
  entry: InboxEntry,
  sentAt: string,
): Notification {
  return {
    id: eventId,
    pk: NOTIFICATIONS_PARTITION,
    view: 'notification',
    kind,
    transferId: entry.transferId,
    amount: entry.amount,
    reason: entry.reason,
    deadline: entry.deadline,
    fromAccountId: entry.fromAccountId,
    toAccountId: entry.toAccountId,
    sentAt,
  };
}

/** An entry as GET /api/approvals lists it. */
export function approvalResponse(entry: InboxEntry): ApprovalItem {
  const {
    transferId,
    fromAccountId,
    toAccountId,
    amount,
    reason,
    deadline,
    status,
    requestedBy,
    requestedAt,
    note,
    approver,
    reminders,
  } = entry;
  return {
    transferId,
    fromAccountId,
    toAccountId,
    amount,
    reason,
    deadline,
    status,
    requestedBy,
    requestedAt,
    note,
    approver,
    reminders,
  };
}
