/**
 * Where each read model lives in the `views` container (partition key `/pk`). Projections of a
 * stream share the stream's partition, so one account's view and statement are read together.
 */

/** Account view and statement entries: partition `account-{accountId}`. */
export const accountPartition = (accountId: string): string => `account-${accountId}`;
export const ACCOUNT_VIEW_ID = 'account';
/** Statement entries sort by id: `entry-{stream version, zero-padded}`. */
export const statementEntryId = (version: number): string => `entry-${String(version).padStart(12, '0')}`;

/** Transfer view: partition `transfer-{transferId}`. */
export const transferPartition = (transferId: string): string => `transfer-${transferId}`;
export const TRANSFER_VIEW_ID = 'transfer';

/**
 * Open transfers: one document per transfer whose view is not final (`{id: transferId}`), so the
 * reconciler reads one partition instead of scanning every view. Written before the transfer view,
 * so a crash in between leaves an entry the reconciler finds final and removes.
 */
export const OPEN_TRANSFERS_PARTITION = 'open-transfers';
export const OPEN_TRANSFER_VIEW = 'open-transfer';

/** Approvals inbox: one document per transfer that needed approval. */
export const APPROVALS_PARTITION = 'approvals';
/** Notifications sent to approvers (approval requests, reminders), one per triggering event id. */
export const NOTIFICATIONS_PARTITION = 'notifications';
/** Audit log: partition per stream, one document per event id. */
export const auditPartition = (streamId: string): string => `audit-${streamId}`;

/** Commands that failed after every attempt (not rebuilt: they are not projections of events). */
export const DEADLETTERS_PARTITION = 'deadletters';
/** Attempt counters of commands that failed transiently. */
export const COMMAND_ATTEMPTS_PARTITION = 'command-attempts';

/** Partitions that are projections of the event store: what a rebuild deletes and recreates. */
export function isProjectionPartition(pk: string): boolean {
  return (
    pk.startsWith('account-') ||
    pk.startsWith('transfer-') ||
    pk.startsWith('audit-') ||
    pk === APPROVALS_PARTITION ||
    pk === OPEN_TRANSFERS_PARTITION
  );
}
