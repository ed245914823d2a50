import { envelopeAll, EventEnvelopeSchema, fromEnvelope, toEnvelope } from './envelope';
import { DomainEvent } from './events';

const metadata = {
  correlationId: 'cmd-1',
  causationId: 'cmd-1',
  commandId: 'cmd-1',
  occurredAt: '2026-01-31T12:00:00.000Z',
};
const reserved: DomainEvent = {
  type: 'FundsReserved',
  data: { accountId: 'acc-1', transferId: 'tr-1', amount: 500 },
};

describe('event envelope', () => {
  it('wraps and unwraps a domain event', () => {
    const envelope = toEnvelope(reserved, {
      id: 'tr-1:reserve',
      streamId: 'account-acc-1',
      version: 3,
      metadata,
    });
    expect(envelope).toEqual({
      id: 'tr-1:reserve',
      streamId: 'account-acc-1',
      version: 3,
      type: 'FundsReserved',
      data: reserved.data,
      metadata,
      schemaVersion: 1,
    });
    expect(EventEnvelopeSchema.parse(envelope)).toEqual(envelope);
    expect(fromEnvelope(envelope)).toEqual(reserved);
  });

  it('numbers events decided together after the expected version', () => {
    const closed: DomainEvent = { type: 'AccountClosed', data: { accountId: 'acc-1' } };
    const envelopes = envelopeAll([reserved, closed], {
      streamId: 'account-acc-1',
      expectedVersion: 4,
      metadata,
      idPrefix: 'cmd-9',
    });
    expect(envelopes.map((e) => [e.id, e.version, e.type])).toEqual([
      ['cmd-9:0', 5, 'FundsReserved'],
      ['cmd-9:1', 6, 'AccountClosed'],
    ]);
    const named = envelopeAll([reserved], {
      streamId: 'account-acc-1',
      expectedVersion: 0,
      metadata,
      idPrefix: 'x',
      ids: ['tr-1:reserve'],
    });
    expect(named[0].id).toBe('tr-1:reserve');
  });

  it.each([
    ['data that does not fit the type', { data: { accountId: 'acc-1' } }],
    ['an unknown type', { type: 'Nope' }],
    ['version 0', { version: 0 }],
    ['a foreign stream', { streamId: 'orders-1' }],
    ['metadata without occurredAt', { metadata: { correlationId: 'a', causationId: 'b' } }],
    ['extra members', { extra: true }],
  ])('rejects %s', (_what, change) => {
    const envelope = {
      ...toEnvelope(reserved, { id: 'e-1', streamId: 'account-acc-1', version: 1, metadata }),
      ...change,
    };
    expect(EventEnvelopeSchema.safeParse(envelope).success).toBe(false);
  });
});
