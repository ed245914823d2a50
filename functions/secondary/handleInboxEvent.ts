/**
 * The approvals inbox, a secondary handler fed by Event Grid: keeps one entry per transfer that
 * asked for approval (the pending list GET /api/approvals shows) and records a notification to
 * approvers for each approval request and each reminder. Idempotent on event id, and indifferent
 * to the order Event Grid delivers in.
 */
import { isStoreError, type Views } from '../../stores';
import {
  inboxEntryFrom,
  notificationFor,
  type InboxEntry,
  type Notification,
} from '../projections/approvalsInbox';
import {
  APPROVALS_PARTITION,
  NOTIFICATIONS_PARTITION,
  TRANSFER_VIEW_ID,
  transferPartition,
} from '../projections/layout';
import type { TransferView } from '../projections/transferView';
import { eventTypeOf, type CardflowCloudEvent } from './cloudEvent';

/** The reminder the transfer process publishes straight to Event Grid (activities/sendReminder.ts). */
export const REMINDER_EVENT = 'TransferApprovalReminder';

/** The event types the inbox subscribes to (eventgrid.local.json lists the same). */
export const INBOX_EVENT_TYPES = [
  'TransferApprovalRequested',
  REMINDER_EVENT,
  'TransferApproved',
  'TransferRejected',
  'TransferExpired',
  'TransferCompleted',
  'TransferFailed',
] as const;

const MAX_CONFLICT_RETRIES = 10;

/** The transfer view is behind the event: the primary handler updates views before it publishes, so this only happens after a views rebuild. Retried by Event Grid. */
export class TransferViewMissingError extends Error {
  override readonly name = 'TransferViewMissingError';
}

export type InboxResult = 'ignored' | 'unchanged' | 'updated';

export async function handleInboxEvent(
  views: Views,
  event: CardflowCloudEvent,
  now: () => string,
): Promise<InboxResult> {
  const type = eventTypeOf(event);
  if (!(INBOX_EVENT_TYPES as readonly string[]).includes(type)) return 'ignored';
  const transferId = transferIdOf(event);
  if (!transferId) return 'ignored';
  const transfer = await views.get<TransferView>(transferPartition(transferId), TRANSFER_VIEW_ID);
  if (!transfer)
    throw new TransferViewMissingError(`no transfer view for ${transferId} yet (event ${event.id})`);

  const notificationKind =
    type === 'TransferApprovalRequested'
      ? 'approval_requested'
      : type === REMINDER_EVENT
        ? 'approval_reminder'
        : undefined;
  for (let attempt = 1; ; attempt++) {
    const previous = await views.get<InboxEntry>(APPROVALS_PARTITION, transferId);
    let entry = inboxEntryFrom(transfer, previous);
    if (!entry) return 'ignored';
    if (notificationKind) {
      // The notification's id is the event id: a redelivered event finds it and notifies no one again.
      const existing = await views.get<Notification>(NOTIFICATIONS_PARTITION, event.id);
      if (!existing) await views.put(notificationFor(notificationKind, event.id, entry, event.time ?? now()));
      if (notificationKind === 'approval_reminder') {
        const reminders = await views.query<Notification>(NOTIFICATIONS_PARTITION, {
          where: { transferId, kind: 'approval_reminder' },
          orderBy: 'sentAt',
        });
        const last = reminders[reminders.length - 1];
        entry = { ...entry, reminders: reminders.length, ...(last ? { lastRemindedAt: last.sentAt } : {}) };
      }
    }
    if (previous && sameEntry(previous, entry)) return 'unchanged';
    try {
      await views.put(entry, previous ? { ifMatch: previous._etag } : { expectedVersion: 0 });
      return 'updated';
    } catch (error) {
      if (!isStoreError(error, 'view_version_conflict') || attempt >= MAX_CONFLICT_RETRIES) throw error;
    }
  }
}

function transferIdOf(event: CardflowCloudEvent): string | undefined {
  const data = event.data as { transferId?: unknown } | null | undefined;
  if (typeof data?.transferId === 'string') return data.transferId;
  return event.subject?.startsWith('transfer-') ? event.subject.slice('transfer-'.length) : undefined;
}

function sameEntry(a: InboxEntry, b: InboxEntry): boolean {
  const comparable = (entry: InboxEntry) =>
    JSON.stringify(
      Object.entries(entry)
        .filter(([key]) => key !== '_etag')
        .sort(([x], [y]) => x.localeCompare(y)),
    );
  return comparable(a) === comparable(b);
}
