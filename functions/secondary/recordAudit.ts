/**
 * The audit log, a secondary handler fed by Event Grid: one immutable record per event id, in the
 * stream's audit partition. The first record of an event stands; a redelivery writes nothing.
 */
import { isStoreError, type ViewDocument, type Views } from '../../stores';
import { auditPartition } from '../projections/layout';
import { streamVersionOf, type CardflowCloudEvent } from './cloudEvent';

export interface AuditRecord extends ViewDocument {
  view: 'audit';
  eventId: string;
  type: string;
  subject: string;
  source?: string;
  time?: string;
  streamVersion?: number;
  data: unknown;
  recordedAt: string;
  /** Always 1: records are written once (create-only through the version check). */
  version: 1;
}

export async function recordAudit(
  views: Views,
  event: CardflowCloudEvent,
  now: () => string,
): Promise<'recorded' | 'duplicate'> {
  const subject = event.subject ?? event.source?.replace(/^\/cardflow\//, '') ?? 'unknown';
  const streamVersion = streamVersionOf(event);
  const record: AuditRecord = {
    id: event.id,
    pk: auditPartition(subject),
    view: 'audit',
    eventId: event.id,
    type: event.type,
    subject,
    ...(event.source === undefined ? {} : { source: event.source }),
    ...(event.time === undefined ? {} : { time: event.time }),
    ...(streamVersion === undefined ? {} : { streamVersion }),
    data: event.data ?? null,
    recordedAt: now(),
    version: 1,
  };
  try {
    await views.put(record, { expectedVersion: 0 });
    return 'recorded';
  } catch (error) {
    if (isStoreError(error, 'view_version_conflict')) return 'duplicate';
    throw error;
  }
}
