/**
 * The monitor's list: the Durable HTTP API pages in its own order (the local host oldest first,
 * Azure Storage by partition), so the monitor reads every page of the filter up to a cap, orders
 * the instances newest first, and pages them itself. No DOM.
 */
import type { InstanceStatus } from './contracts.js';

/** At most this many instances are read for one listing; a larger result asks for a narrower filter. */
export const MAX_LISTED = 1000;
/** The page size asked of the Durable HTTP API while reading them. */
export const FETCH_PAGE_SIZE = 100;

/** Newest created first; equal times by last update (newest first), then by id. */
export function newestFirst(instances: readonly InstanceStatus[]): InstanceStatus[] {
  const time = (iso: string): number => Date.parse(iso) || 0;
  return [...instances].sort(
    (a, b) =>
      time(b.createdTime) - time(a.createdTime) ||
      time(b.lastUpdatedTime) - time(a.lastUpdatedTime) ||
      a.instanceId.localeCompare(b.instanceId),
  );
}

export interface ListPage {
  instances: InstanceStatus[];
  /** From 1. */
  page: number;
  pages: number;
  hasNext: boolean;
}

/** Page `page` (from 1, clamped) of `sorted` at `size` a page. */
export function pageOf(sorted: readonly InstanceStatus[], page: number, size: number): ListPage {
  const pages = Math.max(1, Math.ceil(sorted.length / size));
  const at = Math.min(Math.max(1, Math.floor(page)), pages);
  return {
    instances: sorted.slice((at - 1) * size, at * size),
    page: at,
    pages,
    hasNext: at < pages,
  };
}
