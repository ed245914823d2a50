import {
  ContractError,
  idProblem,
  parseAccount,
  parseApprovals,
  parseCommandOutcome,
  parseEventStream,
  parseInstance,
  parseReasons,
  parseStatement,
  parseTransfer,
} from './contracts';

const approval = {
  transferId: 't-big-1',
  fromAccountId: 'acc-alice',
  toAccountId: 'acc-bob',
  amount: 150000,
  reason: 'amount',
  deadline: '2026-01-02T00:00:00.000Z',
  requestedBy: 'alice',
  status: 'pending',
  reminders: 1,
};

describe('parseApprovals', () => {
  it('reads the wrapped list with the server time', () => {
    expect(parseApprovals({ items: [approval], asOf: '2026-01-01T00:00:00.000Z' })).toEqual({
      items: [
        {
          transferId: 't-big-1',
          fromAccountId: 'acc-alice',
          toAccountId: 'acc-bob',
          amount: 150000,
          reason: 'amount',
          deadline: '2026-01-02T00:00:00.000Z',
          requestedBy: 'alice',
          reminders: 1,
        },
      ],
      asOf: '2026-01-01T00:00:00.000Z',
    });
  });

  it('reads a bare array too', () => {
    expect(parseApprovals([approval]).items).toHaveLength(1);
  });

  it('names the field that breaks the contract', () => {
    expect(() => parseApprovals({ items: [{ ...approval, amount: 1500.5 }] })).toThrow(
      '"amount" should be integer cents, got 1500.5',
    );
    expect(() => parseApprovals({ items: [{ ...approval, reason: 'size' }] })).toThrow(ContractError);
    expect(() => parseApprovals({ approvals: [] })).toThrow('expected an array or {items: [...]}');
  });
});

describe('read models', () => {
  it('reads a transfer, an account and a statement', () => {
    expect(
      parseTransfer({
        transferId: 't-1',
        fromAccountId: 'a-1',
        toAccountId: 'a-2',
        amount: 5,
        status: 'rejected',
        reason: 'rejected_by_approver',
        approver: null,
      }),
    ).toEqual({
      transferId: 't-1',
      fromAccountId: 'a-1',
      toAccountId: 'a-2',
      amount: 5,
      status: 'rejected',
      reason: 'rejected_by_approver',
    });
    expect(
      parseAccount({
        accountId: 'a-1',
        ownerId: 'o-1',
        ownerName: 'Ann',
        kind: 'user',
        status: 'open',
        available: 10,
        reserved: 0,
        version: 3,
      }).available,
    ).toBe(10);
    expect(
      parseStatement({
        entries: [
          { at: '2026-01-01T00:00:00Z', type: 'CreditsLoaded', amount: 10000, fee: 2, balanceAfter: 9998 },
        ],
      }),
    ).toEqual([
      { at: '2026-01-01T00:00:00Z', type: 'CreditsLoaded', amount: 10000, fee: 2, balanceAfter: 9998 },
    ]);
    expect(() => parseAccount({ accountId: 'a-1' })).toThrow('"ownerId" should be a string');
  });

  it('accepts only the documented command statuses', () => {
    expect(
      parseCommandOutcome({
        commandId: 'c',
        type: 'DecideTransfer',
        status: 'rejected',
        reason: 'not_awaiting_approval',
      }).reason,
    ).toBe('not_awaiting_approval');
    expect(() => parseCommandOutcome({ commandId: 'c', type: 'DecideTransfer', status: 'done' })).toThrow(
      '"status" should be pending, succeeded, rejected or failed',
    );
  });

  it('reads a Durable API status with or without history', () => {
    const status = {
      name: 'transferProcess',
      instanceId: 't-1',
      runtimeStatus: 'Running',
      input: null,
      customStatus: 'awaitingApproval',
      output: null,
      createdTime: '2026-01-01T00:00:00Z',
      lastUpdatedTime: '2026-01-01T00:00:01Z',
    };
    expect(parseInstance(status)).toEqual({ ...status, input: null, output: null });
    expect(parseInstance({ ...status, historyEvents: [] }).historyEvents).toEqual([]);
    expect(() => parseInstance({ ...status, historyEvents: {} })).toThrow(
      '"historyEvents" should be an array',
    );
  });
});

describe('idProblem', () => {
  it('accepts the API id format and explains anything else', () => {
    expect(idProblem('approver id', 'carol-7')).toBeUndefined();
    expect(idProblem('approver id', '')).toBe('Enter the approver id.');
    expect(idProblem('approver id', 'Carol')).toMatch(/3 to 64 lowercase letters/);
    expect(idProblem('approver id', 'ab')).toMatch(/3 to 64/);
    expect(idProblem('approver id', '-abc')).toMatch(/starting with a letter or digit/);
  });
});

describe('parseEventStream', () => {
  const stored = {
    id: 't-1:request',
    streamId: 'transfer-t-1',
    version: 1,
    type: 'TransferRequested',
    data: { transferId: 't-1', amount: 500 },
    metadata: { correlationId: 'c-1', causationId: 'c-1', occurredAt: '2026-01-01T00:00:00.000Z' },
    schemaVersion: 1,
  };

  it('reads the events with their time and correlation from the metadata', () => {
    expect(parseEventStream({ streamId: 'transfer-t-1', version: 1, events: [stored] })).toEqual({
      streamId: 'transfer-t-1',
      version: 1,
      events: [
        {
          id: 't-1:request',
          version: 1,
          type: 'TransferRequested',
          data: { transferId: 't-1', amount: 500 },
          occurredAt: '2026-01-01T00:00:00.000Z',
          correlationId: 'c-1',
        },
      ],
    });
  });

  it('names the field that breaks the contract', () => {
    expect(() => parseEventStream({ streamId: 'transfer-t-1', version: 1 })).toThrow(
      '"events" should be an array',
    );
    expect(() =>
      parseEventStream({ streamId: 'transfer-t-1', version: 1, events: [{ ...stored, version: '1' }] }),
    ).toThrow('"version"');
    expect(() =>
      parseEventStream({ streamId: 'transfer-t-1', version: 1, events: [{ ...stored, data: [1] }] }),
    ).toThrow(ContractError);
    expect(() => parseEventStream({ version: 1, events: [] })).toThrow('"streamId" should be a string');
  });
});

describe('parseReasons', () => {
  it('reads the codes in words and names a text that is not one', () => {
    expect(parseReasons({ reasons: { same_account: 'the accounts are the same' } })).toEqual({
      same_account: 'the accounts are the same',
    });
    expect(() => parseReasons({ reasons: { same_account: 3 } })).toThrow('"same_account" should be a string');
    expect(() => parseReasons({})).toThrow(ContractError);
  });
});
