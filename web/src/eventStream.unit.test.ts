import fc from 'fast-check';
import type { StreamEvent } from './contracts';
import { reasonTexts } from '../../functions/http/problem';
import { useReasonTexts } from './reasons';
import { describeEvent, eventLines, typeInWords } from './eventStream';

// The dashboard shows the app's own words, which it reads from GET /api/reasons at start.
beforeAll(() => useReasonTexts(reasonTexts()));

const at = '2026-01-01T00:00:00.000Z';
const event = (version: number, type: string, data: Record<string, unknown>): StreamEvent => ({
  id: `e-${version}`,
  version,
  type,
  data,
  occurredAt: at,
});

describe('describeEvent', () => {
  it('says what happened to an account with the amounts in credits', () => {
    const lines = [
      event(1, 'AccountOpened', { accountId: 'acc-a', ownerId: 'alice', ownerName: 'Alice', kind: 'user' }),
      event(2, 'CreditsLoaded', {
        accountId: 'acc-a',
        loadId: 'load-1',
        amount: 250000,
        fee: 50,
        net: 249950,
      }),
      event(3, 'FundsReserved', { accountId: 'acc-a', transferId: 't-1', amount: 150000 }),
      event(4, 'FundsReleased', {
        accountId: 'acc-a',
        transferId: 't-1',
        amount: 150000,
        reason: 'rejected_by_approver',
      }),
      event(5, 'FundsTransferredOut', {
        accountId: 'acc-a',
        transferId: 't-2',
        amount: 500,
        toAccountId: 'acc-b',
      }),
      event(6, 'FundsTransferredIn', {
        accountId: 'acc-a',
        transferId: 't-3',
        amount: 7,
        fromAccountId: 'acc-c',
      }),
      event(7, 'AccountClosed', { accountId: 'acc-a' }),
    ].map((e) => describeEvent(e).summary);
    expect(lines).toEqual([
      'Account opened for Alice (alice), a user account',
      'Credits loaded 2,500.00, fee 0.50, net 2,499.50 (load load-1)',
      'Funds reserved 1,500.00 for transfer t-1',
      'Funds released 1,500.00 for transfer t-1: an approver rejected it',
      'Funds transferred out 5.00 to acc-b (transfer t-2)',
      'Funds transferred in 0.07 from acc-c (transfer t-3)',
      'Account closed',
    ]);
  });

  it('says what happened to a transfer, with the approver, the reason in words and the note', () => {
    const lines = [
      event(1, 'TransferRequested', {
        transferId: 't-1',
        fromAccountId: 'acc-a',
        toAccountId: 'acc-b',
        amount: 150000,
        requestedBy: 'alice',
        note: 'rent',
      }),
      event(2, 'TransferApprovalRequested', {
        transferId: 't-1',
        reason: 'amount',
        deadline: '2026-01-02T00:00:00.000Z',
      }),
      event(3, 'TransferApproved', { transferId: 't-1', approver: 'dave' }),
      event(4, 'TransferCompleted', { transferId: 't-1' }),
      event(5, 'TransferRejected', {
        transferId: 't-1',
        reason: 'rejected_by_approver',
        approver: 'carol',
        note: 'too much',
      }),
      event(6, 'TransferRejected', { transferId: 't-1', reason: 'insufficient_funds' }),
      event(7, 'TransferExpired', { transferId: 't-1', deadline: '2026-01-02T00:00:00.000Z' }),
      event(8, 'TransferFailed', { transferId: 't-1', reason: 'account_closed' }),
      event(9, 'TransferApprovalRequested', {
        transferId: 't-1',
        reason: 'velocity',
        deadline: '2026-01-02T00:00:00.000Z',
      }),
    ].map((e) => describeEvent(e).summary);
    expect(lines).toEqual([
      'Transfer requested 1,500.00 from acc-a to acc-b by alice — note “rent”',
      'Approval requested for its amount, deadline 2026-01-02 00:00:00 UTC',
      'Approved by dave',
      'Transfer completed',
      'Rejected by carol: an approver rejected it — note “too much”',
      'Rejected: the source account does not have enough available credits',
      'Expired: nobody decided by 2026-01-02 00:00:00 UTC',
      'Transfer failed: the account is closed',
      'Approval requested for the 24-hour outflow, deadline 2026-01-02 00:00:00 UTC',
    ]);
  });

  it('keeps the version, the type and the time of the event', () => {
    expect(describeEvent(event(3, 'TransferCompleted', { transferId: 't-1' }))).toEqual({
      version: 3,
      type: 'TransferCompleted',
      at,
      summary: 'Transfer completed',
    });
    const { occurredAt: _, ...undated } = event(1, 'AccountClosed', {});
    expect(describeEvent(undated)).not.toHaveProperty('at');
  });

  it('shows the raw data of an unknown type, or of a known type missing a field, instead of a wrong sentence', () => {
    expect(describeEvent(event(1, 'CardFrozen', { cardId: 'c-1' })).summary).toBe(
      'Card frozen: {"cardId":"c-1"}',
    );
    expect(describeEvent(event(1, 'CardFrozen', {})).summary).toBe('Card frozen');
    expect(describeEvent(event(2, 'FundsReserved', { transferId: 't-1', amount: '1500' })).summary).toBe(
      'Funds reserved: {"transferId":"t-1","amount":"1500"}',
    );
    expect(describeEvent(event(2, 'CreditsLoaded', { amount: 10.5, fee: 0, net: 10.5 })).summary).toMatch(
      /^Credits loaded: /,
    );
  });
});

describe('describeEvent on any data', () => {
  const types = [
    'AccountOpened',
    'CreditsLoaded',
    'FundsReserved',
    'FundsReleased',
    'FundsTransferredOut',
    'FundsTransferredIn',
    'AccountClosed',
    'TransferRequested',
    'TransferApprovalRequested',
    'TransferApproved',
    'TransferRejected',
    'TransferExpired',
    'TransferCompleted',
    'TransferFailed',
    'SomethingNew',
  ];
  const field = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.constant(null),
    fc.constant('2026-01-02T00:00:00.000Z'),
    fc.constantFrom('amount', 'velocity'),
  );
  const data = fc.record(
    {
      amount: field,
      fee: field,
      net: field,
      transferId: field,
      accountId: field,
      toAccountId: field,
      fromAccountId: field,
      reason: field,
      deadline: field,
      approver: field,
      note: field,
      ownerName: field,
      ownerId: field,
      kind: field,
    },
    { requiredKeys: [] },
  );

  it('never throws and always says something, keeping version and type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.integer({ min: 1 }), data, (type, version, d) => {
        const line = describeEvent({ id: 'e', version, type, data: d });
        expect(line.version).toBe(version);
        expect(line.type).toBe(type);
        expect(line.summary.trim()).not.toBe('');
        expect(line.summary).not.toMatch(/undefined|NaN/);
      }),
    );
  });
});

describe('eventLines', () => {
  it('lists the events in version order', () => {
    const stream = {
      streamId: 'transfer-t-1',
      version: 2,
      events: [
        event(2, 'TransferCompleted', { transferId: 't-1' }),
        event(1, 'TransferApproved', { approver: 'dave' }),
      ],
    };
    expect(eventLines(stream).map((line) => line.version)).toEqual([1, 2]);
  });
});

describe('typeInWords', () => {
  it('splits PascalCase into a sentence-case phrase', () => {
    expect(typeInWords('FundsTransferredOut')).toBe('Funds transferred out');
    expect(typeInWords('HTTPRequestFailed')).toBe('Http request failed');
    expect(typeInWords('Done')).toBe('Done');
  });
});
