/**
 * Rebuilds the read models from the event store: deletes every projection document (accounts,
 * statements, transfers, approvals inbox, audit log) and replays each stream through the same
 * projections the handlers use. Dead letters, command attempt counters and notifications are kept:
 * they are not projections of events.
 */
import type { EventEnvelope } from '../../domain/envelope';
import type { DocumentContainer, PartitionKey } from '../../stores/container';
import type { EventStore, Views } from '../../stores';
import { toCloudEvent } from '../../stores/eventPublisher';
import { inboxEntryFrom, type Notification } from '../projections/approvalsInbox';
import { isProjectionPartition, NOTIFICATIONS_PARTITION, TRANSFER_VIEW_ID } from '../projections/layout';
import type { TransferView } from '../projections/transferView';
import { recordAudit } from '../secondary/recordAudit';
import { updateViews } from './updateViews';

export interface RebuildSources {
  events: EventStore;
  views: Views;
  /** The raw containers, to enumerate streams and view documents. */
  eventsContainer: Pick<DocumentContainer, 'listKeys'>;
  viewsContainer: Pick<DocumentContainer, 'listKeys' | 'delete'>;
  now: () => string;
}

export interface RebuildProgress {
  phase: 'deleting' | 'replaying' | 'done';
  streams: number;
  streamsDone: number;
  events: number;
  deleted: number;
}

export interface RebuildSummary {
  deleted: number;
  streams: number;
  events: number;
  approvals: number;
  audited: number;
}

export async function rebuildViews(
  sources: RebuildSources,
  onProgress: (progress: RebuildProgress) => void = () => undefined,
): Promise<RebuildSummary> {
  const viewKeys = (await sources.viewsContainer.listKeys()).filter(
    (key) => typeof key.partitionKey === 'string' && isProjectionPartition(key.partitionKey),
  );
  let deleted = 0;
  for (const key of viewKeys) {
    try {
      await sources.viewsContainer.delete(key.id, key.partitionKey as PartitionKey);
      deleted++;
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }
  onProgress({ phase: 'deleting', streams: 0, streamsDone: 0, events: 0, deleted });

  const streamIds = [
    ...new Set((await sources.eventsContainer.listKeys()).map((key) => String(key.partitionKey))),
  ].sort();
  const summary: RebuildSummary = { deleted, streams: streamIds.length, events: 0, approvals: 0, audited: 0 };
  for (const [index, streamId] of streamIds.entries()) {
    const events = (await sources.events.readStream(streamId)) as EventEnvelope[];
    await updateViews(sources, events);
    for (const event of events) {
      const cloudEvent = toCloudEvent(event);
      const audited = await recordAudit(
        sources.views,
        { ...cloudEvent, time: cloudEvent.time?.toISOString(), streamversion: event.version } as Parameters<
          typeof recordAudit
        >[1],
        sources.now,
      );
      if (audited === 'recorded') summary.audited++;
    }
    if (
      streamId.startsWith('transfer-') &&
      (await rebuildInboxEntry(sources.views, streamId.slice('transfer-'.length)))
    )
      summary.approvals++;
    summary.events += events.length;
    onProgress({
      phase: 'replaying',
      streams: streamIds.length,
      streamsDone: index + 1,
      events: summary.events,
      deleted,
    });
  }
  onProgress({
    phase: 'done',
    streams: streamIds.length,
    streamsDone: streamIds.length,
    events: summary.events,
    deleted,
  });
  return summary;
}

async function rebuildInboxEntry(views: Views, transferId: string): Promise<boolean> {
  const transfer = await views.get<TransferView>(`transfer-${transferId}`, TRANSFER_VIEW_ID);
  const entry = transfer && inboxEntryFrom(transfer);
  if (!entry) return false;
  // Reminders are notifications, not events: their count comes from the notifications that were kept.
  const reminders = await views.query<Notification>(NOTIFICATIONS_PARTITION, {
    where: { transferId, kind: 'approval_reminder' },
    orderBy: 'sentAt',
  });
  const last = reminders[reminders.length - 1];
  await views.put({
    ...entry,
    reminders: reminders.length,
    ...(last ? { lastRemindedAt: last.sentAt } : {}),
  });
  return true;
}
