/**
 * How the inbox list changes between two polls, by transfer id, so the view can add and remove
 * single cards and keep the rest (with a half-typed note and the keyboard focus) untouched.
 */
import type { PendingApproval } from './contracts.js';

export interface InboxChanges {
  added: PendingApproval[];
  removed: string[];
  kept: PendingApproval[];
}

/** Items are ordered by deadline (soonest first), then id, in `added` and `kept`. */
export function diffInbox(shownIds: Iterable<string>, latest: readonly PendingApproval[]): InboxChanges {
  const shown = new Set(shownIds);
  const latestIds = new Set(latest.map((item) => item.transferId));
  const ordered = [...latest].sort(
    (a, b) => Date.parse(a.deadline) - Date.parse(b.deadline) || a.transferId.localeCompare(b.transferId),
  );
  return {
    added: ordered.filter((item) => !shown.has(item.transferId)),
    removed: [...shown].filter((id) => !latestIds.has(id)),
    kept: ordered.filter((item) => shown.has(item.transferId)),
  };
}

/** Position of each transfer in the list, soonest deadline first. */
export function inboxOrder(items: readonly PendingApproval[]): string[] {
  return [...items]
    .sort(
      (a, b) => Date.parse(a.deadline) - Date.parse(b.deadline) || a.transferId.localeCompare(b.transferId),
    )
    .map((item) => item.transferId);
}

export const REASON_LABELS: Record<PendingApproval['reason'], string> = {
  amount: 'Large amount',
  velocity: 'High 24-hour outflow',
};
