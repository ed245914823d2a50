import fc from 'fast-check';
import {
  batchUnder,
  eventPublisherFromSettings,
  EventTooLargeError,
  MAX_BATCH_BYTES,
  streamKind,
  toCloudEvent,
  type PublishableEvent,
} from './eventPublisher';

const approval: PublishableEvent = {
  id: 'tr-1:approval',
  streamId: 'transfer-tr-1',
  version: 3,
  type: 'TransferApprovalRequested',
  data: { transferId: 'tr-1', reason: 'amount', deadline: '2026-01-02T00:00:00.000Z' },
  metadata: { occurredAt: '2026-01-01T10:00:00.000Z', correlationId: 'c', causationId: 'c' },
};

describe('the CloudEvent an event leaves as', () => {
  it('names type, source and subject from the stream, and carries id, time and data', () => {
    expect(toCloudEvent(approval)).toEqual({
      type: 'Cardflow.Transfer.TransferApprovalRequested',
      source: '/cardflow/transfer-tr-1',
      subject: 'transfer-tr-1',
      id: 'tr-1:approval',
      time: new Date('2026-01-01T10:00:00.000Z'),
      datacontenttype: 'application/json',
      data: approval.data,
      extensionAttributes: { streamversion: 3 },
    });
  });

  it('takes the stream kind from the stream id prefix', () => {
    expect(streamKind('account-ac-1')).toBe('Account');
    expect(streamKind('transfer-tr-1')).toBe('Transfer');
    expect(() => streamKind('nokind')).toThrow(/prefix/);
    expect(() => streamKind('-x')).toThrow(/prefix/);
  });
});

describe('batches under 1 MB', () => {
  const sized = (id: string, bytes: number): PublishableEvent => ({
    ...approval,
    id,
    data: { blob: 'x'.repeat(bytes) },
  });

  it('keeps every event, in order, and keeps each batch under the limit as sent', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400_000 }), { maxLength: 12 }), (sizes) => {
        const events = sizes.map((n, i) => toCloudEvent(sized(`e-${i}`, n)));
        const batches = batchUnder(events);
        expect(batches.flat()).toEqual(events);
        for (const batch of batches) {
          expect(batch.length).toBeGreaterThan(0);
          const wire = JSON.stringify(
            batch.map((e) => ({
              specversion: '1.0',
              ...e,
              ...e.extensionAttributes,
              extensionAttributes: undefined,
            })),
          );
          expect(Buffer.byteLength(wire)).toBeLessThan(MAX_BATCH_BYTES);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('refuses an event that alone is over the limit', () => {
    expect(() => batchUnder([toCloudEvent(sized('huge', MAX_BATCH_BYTES))])).toThrow(EventTooLargeError);
  });
});

describe('publisher settings', () => {
  it('names the missing settings', () => {
    expect(() => eventPublisherFromSettings({})).toThrow(
      'set EVENTGRID_TOPIC_ENDPOINT and EVENTGRID_TOPIC_KEY',
    );
    expect(() =>
      eventPublisherFromSettings({
        EVENTGRID_TOPIC_ENDPOINT: 'http://127.0.0.1:7071/runtime/eventgrid/topics/cardflow',
      }),
    ).toThrow('set EVENTGRID_TOPIC_KEY');
    expect(
      eventPublisherFromSettings({
        EVENTGRID_TOPIC_ENDPOINT: 'https://t.westeurope-1.eventgrid.azure.net/api/events',
        EVENTGRID_TOPIC_KEY: 'k',
      }),
    ).toBeDefined();
  });
});
