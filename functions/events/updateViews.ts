/**
 * Applies stored events to the read models, idempotently: each stream's view records the last
 * stream version it applied, an event at or below it is skipped, a gap is filled from the event
 * store, and the view is written with an expected-version check so two writers cannot interleave.
 */
import type { EventEnvelope } from '../../domain/envelope';
import type { AccountEvent, TransferEvent } from '../../domain/events';
import { parseStreamId } from '../../domain/ids';
import {
  isStoreError,
  type EventStore,
  type StoredView,
  type ViewWriteCondition,
  type Views,
} from '../../stores';
import { projectAccount, type AccountView } from '../projections/accountView';
import {
  ACCOUNT_VIEW_ID,
  OPEN_TRANSFER_VIEW,
  OPEN_TRANSFERS_PARTITION,
  TRANSFER_VIEW_ID,
} from '../projections/layout';
import { measure, traceOf } from '../../telemetry';
import { isOpenTransfer, projectTransfer, type TransferView } from '../projections/transferView';

const MAX_CONFLICT_RETRIES = 10;

export interface ViewUpdate {
  streamId: string;
  /** Events applied (0 when everything was already in the view). */
  applied: number;
}

/** Groups events by stream, keeping the order of versions. */
export function byStream(events: readonly EventEnvelope[]): Map<string, EventEnvelope[]> {
  const streams = new Map<string, EventEnvelope[]>();
  for (const event of events) {
    const list = streams.get(event.streamId) ?? [];
    list.push(event);
    streams.set(event.streamId, list);
  }
  for (const list of streams.values()) list.sort((a, b) => a.version - b.version);
  return streams;
}

/** Brings the views of every stream in `events` up to the highest version seen there. */
export async function updateViews(
  stores: { events: EventStore; views: Views },
  events: readonly EventEnvelope[],
): Promise<ViewUpdate[]> {
  const updates: ViewUpdate[] = [];
  for (const [streamId, list] of byStream(events)) {
    updates.push(await updateStream(stores, streamId, list));
  }
  return updates;
}

async function updateStream(
  stores: { events: EventStore; views: Views },
  streamId: string,
  delivered: EventEnvelope[],
): Promise<ViewUpdate> {
  const stream = parseStreamId(streamId);
  if (!stream) return { streamId, applied: 0 };
  const target = delivered[delivered.length - 1].version;
  for (let attempt = 1; ; attempt++) {
    try {
      const applied =
        stream.kind === 'account'
          ? await updateAccount(stores, stream.id, streamId, delivered, target)
          : await updateTransfer(stores, stream.id, streamId, delivered, target);
      return { streamId, applied };
    } catch (error) {
      // Another writer (a concurrent rebuild or a redelivery) moved the view: start again from what it wrote.
      if (!isStoreError(error, 'view_version_conflict') || attempt >= MAX_CONFLICT_RETRIES) throw error;
    }
  }
}

/**
 * The condition a view is written on: the document read is still the stored one (its etag, checked
 * by the store in the write itself), or nothing is stored yet. Either fails as a version conflict.
 */
function writtenOver(stored: StoredView | undefined): ViewWriteCondition {
  if (!stored) return { expectedVersion: 0 };
  // A driver that gave no etag still gets a checked write: on the version read.
  return typeof stored._etag === 'string'
    ? { ifMatch: stored._etag }
    : { expectedVersion: stored.version ?? 0 };
}

/** The events after `version` up to `target`: from the delivery when it is contiguous, else from the store. */
async function pending(
  events: EventStore,
  streamId: string,
  delivered: EventEnvelope[],
  version: number,
  target: number,
): Promise<EventEnvelope[]> {
  if (version >= target) return [];
  const fresh = delivered.filter((event) => event.version > version);
  if (
    fresh.length > 0 &&
    fresh[0].version === version + 1 &&
    fresh.every((event, i) => event.version === version + 1 + i)
  )
    return fresh;
  return (await events.readStream(streamId, version + 1)).filter((event) => event.version <= target);
}

async function updateAccount(
  stores: { events: EventStore; views: Views },
  accountId: string,
  streamId: string,
  delivered: EventEnvelope[],
  target: number,
): Promise<number> {
  const pk = `account-${accountId}`;
  const stored = await stores.views.get<AccountView>(pk, ACCOUNT_VIEW_ID);
  const version = stored?.version ?? 0;
  const todo = await pending(stores.events, streamId, delivered, version, target);
  if (todo.length === 0) return 0;
  let view: AccountView | undefined = stored;
  for (const envelope of todo) {
    const result = projectAccount(view, {
      event: { type: envelope.type, data: envelope.data } as AccountEvent,
      version: envelope.version,
      occurredAt: envelope.metadata.occurredAt,
    });
    view = result.view;
    // Entries first: if the view write below fails, a redelivery writes the same entries again.
    if (result.entry) await stores.views.put(result.entry);
  }
  if (view) await stores.views.put(view, writtenOver(stored));
  return todo.length;
}

async function updateTransfer(
  stores: { events: EventStore; views: Views },
  transferId: string,
  streamId: string,
  delivered: EventEnvelope[],
  target: number,
): Promise<number> {
  const pk = `transfer-${transferId}`;
  const stored = await stores.views.get<TransferView>(pk, TRANSFER_VIEW_ID);
  const version = stored?.version ?? 0;
  const todo = await pending(stores.events, streamId, delivered, version, target);
  if (todo.length === 0) return 0;
  let view: TransferView | undefined = stored;
  const measured: Array<() => void> = [];
  for (const envelope of todo) {
    const before = view;
    view = projectTransfer(view, {
      event: { type: envelope.type, data: envelope.data } as TransferEvent,
      version: envelope.version,
      occurredAt: envelope.metadata.occurredAt,
    });
    const trace = envelope.type === 'TransferRequested' ? traceOf(envelope.metadata) : undefined;
    if (view && trace) view = { ...view, trace };
    if (view && envelope.type === 'TransferApprovalRequested')
      view = { ...view, approvalRequestedAt: envelope.metadata.occurredAt };
    const measure = view && measurementOf(envelope, before, view);
    if (measure) measured.push(measure);
  }
  if (!view) return todo.length;
  // The open-transfers index changes only when the transfer opens or finishes; written first, so a
  // failed view write below is repaired by the redelivery (a stale entry the reconciler drops).
  const open = isOpenTransfer(view);
  if (open !== (stored !== undefined && isOpenTransfer(stored))) {
    if (open)
      await stores.views.put({
        id: transferId,
        pk: OPEN_TRANSFERS_PARTITION,
        view: OPEN_TRANSFER_VIEW,
        requestedAt: view.requestedAt,
      });
    else await stores.views.delete(OPEN_TRANSFERS_PARTITION, transferId);
  }
  await stores.views.put(view, writtenOver(stored));
  // Counted once the view holds the events: a redelivery finds them applied and counts nothing.
  for (const measure of measured) measure();
  return todo.length;
}

const OUTCOMES: Record<string, string> = {
  TransferCompleted: 'completed',
  TransferFailed: 'failed',
  TransferRejected: 'rejected',
  TransferExpired: 'expired',
};

/** The metrics one transfer event adds (docs/observability.md): outcomes, their latency, approval waits. */
function measurementOf(envelope: EventEnvelope, before: TransferView | undefined, after: TransferView) {
  const at = Date.parse(envelope.metadata.occurredAt);
  const outcome = OUTCOMES[envelope.type];
  const decided = envelope.type === 'TransferApproved' || envelope.type === 'TransferRejected';
  const asked = before?.approvalRequestedAt ? Date.parse(before.approvalRequestedAt) : undefined;
  if (!outcome && !decided) return undefined;
  return () => {
    if (decided && asked !== undefined)
      measure.approvalDecided(envelope.type === 'TransferApproved' ? 'approved' : 'rejected', at - asked);
    if (outcome) measure.transferFinished(outcome, after.reason, at - Date.parse(after.requestedAt));
  };
}
