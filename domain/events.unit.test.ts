import {
  ACCOUNT_EVENT_TYPES,
  AccountEventSchema,
  DomainEvent,
  DomainEventSchema,
  TRANSFER_EVENT_TYPES,
  TransferEventSchema,
} from './events';
import {
  AccountCommandSchema,
  ClientCommandSchema,
  Command,
  CommandSchema,
  TransferCommandSchema,
} from './commands';

const at = '2026-01-31T12:00:00.000Z';

/** One valid example of every event of docs/architecture.md, domain. */
const sampleEvents: DomainEvent[] = [
  { type: 'AccountOpened', data: { accountId: 'acc-1', ownerId: 'alice', ownerName: 'Alice', kind: 'user' } },
  {
    type: 'CreditsLoaded',
    data: { accountId: 'acc-1', loadId: 'load-1', amount: 10_000, fee: 2, net: 9_998 },
  },
  { type: 'FundsReserved', data: { accountId: 'acc-1', transferId: 'tr-1', amount: 500 } },
  {
    type: 'FundsReleased',
    data: { accountId: 'acc-1', transferId: 'tr-1', amount: 500, reason: 'approval_expired' },
  },
  {
    type: 'FundsTransferredOut',
    data: { accountId: 'acc-1', transferId: 'tr-1', amount: 500, toAccountId: 'acc-2' },
  },
  {
    type: 'FundsTransferredIn',
    data: { accountId: 'acc-2', transferId: 'tr-1', amount: 500, fromAccountId: 'acc-1' },
  },
  { type: 'AccountClosed', data: { accountId: 'acc-1' } },
  {
    type: 'TransferRequested',
    data: {
      transferId: 'tr-1',
      fromAccountId: 'acc-1',
      toAccountId: 'acc-2',
      amount: 500,
      requestedBy: 'alice',
      note: 'rent',
    },
  },
  { type: 'TransferApprovalRequested', data: { transferId: 'tr-1', reason: 'velocity', deadline: at } },
  { type: 'TransferApproved', data: { transferId: 'tr-1', approver: 'carol' } },
  {
    type: 'TransferRejected',
    data: { transferId: 'tr-1', reason: 'rejected_by_approver', approver: 'carol', note: 'no' },
  },
  { type: 'TransferExpired', data: { transferId: 'tr-1', deadline: at } },
  { type: 'TransferCompleted', data: { transferId: 'tr-1' } },
  { type: 'TransferFailed', data: { transferId: 'tr-1', reason: 'account_closed' } },
];

/** Events whose type is already sampled above, in another valid shape. */
const moreEvents: DomainEvent[] = [
  {
    type: 'TransferFailed',
    data: { transferId: 'tr-1', reason: 'cancelled_by_operator', cancelledBy: 'otto', note: 'fraud' },
  },
];

const sampleCommands: Command[] = [
  {
    type: 'OpenAccount',
    data: { accountId: 'acc-1', ownerId: 'alice', ownerName: 'Alice', kind: 'merchant' },
  },
  { type: 'LoadCredits', data: { accountId: 'acc-1', loadId: 'load-1', amount: 1, loadedBy: 'otto' } },
  { type: 'CloseAccount', data: { accountId: 'acc-1' } },
  {
    type: 'RequestTransfer',
    data: {
      transferId: 'tr-1',
      fromAccountId: 'acc-1',
      toAccountId: 'acc-2',
      amount: 1_000_000_000_000,
      requestedBy: 'alice',
    },
  },
  {
    type: 'DecideTransfer',
    data: { transferId: 'tr-1', decision: 'reject', approver: 'carol', note: 'too much' },
  },
  { type: 'CancelTransfer', data: { transferId: 'tr-1', cancelledBy: 'otto', note: 'customer asked' } },
  { type: 'ReserveFunds', data: { accountId: 'acc-1', transferId: 'tr-1', amount: 5 } },
  { type: 'ReleaseFunds', data: { accountId: 'acc-1', transferId: 'tr-1', reason: 'rejected_by_approver' } },
  { type: 'TransferOut', data: { accountId: 'acc-1', transferId: 'tr-1', toAccountId: 'acc-2' } },
  { type: 'TransferIn', data: { accountId: 'acc-2', transferId: 'tr-1', amount: 5, fromAccountId: 'acc-1' } },
];

describe('event schemas', () => {
  it('accept one example of every event, each in its stream union', () => {
    expect(sampleEvents.map((e) => e.type).sort()).toEqual(
      [...ACCOUNT_EVENT_TYPES, ...TRANSFER_EVENT_TYPES].sort(),
    );
    for (const event of [...sampleEvents, ...moreEvents]) {
      expect(DomainEventSchema.parse(event)).toEqual(event);
      const inAccount = (ACCOUNT_EVENT_TYPES as string[]).includes(event.type);
      expect(AccountEventSchema.safeParse(event).success).toBe(inAccount);
      expect(TransferEventSchema.safeParse(event).success).toBe(!inAccount);
    }
  });

  it('reject a load whose fee and net do not add up to the amount', () => {
    const result = DomainEventSchema.safeParse({
      type: 'CreditsLoaded',
      data: { accountId: 'acc-1', loadId: 'load-1', amount: 10, fee: 1, net: 8 },
    });
    expect(result.success).toBe(false);
  });

  it.each([
    ['an unknown type', { type: 'MoneyPrinted', data: {} }],
    [
      'a float amount',
      { type: 'FundsReserved', data: { accountId: 'acc-1', transferId: 'tr-1', amount: 1.5 } },
    ],
    ['a bad id', { type: 'AccountClosed', data: { accountId: 'ACC' } }],
    ['an unknown member', { type: 'AccountClosed', data: { accountId: 'acc-1', extra: 1 } }],
    ['an unknown reason', { type: 'TransferFailed', data: { transferId: 'tr-1', reason: 'oops' } }],
    [
      'a local-time deadline',
      { type: 'TransferExpired', data: { transferId: 'tr-1', deadline: '2026-01-31T12:00:00+01:00' } },
    ],
    [
      'a bad approval reason',
      { type: 'TransferApprovalRequested', data: { transferId: 'tr-1', reason: 'size', deadline: at } },
    ],
  ])('reject %s', (_what, value) => {
    expect(DomainEventSchema.safeParse(value).success).toBe(false);
  });
});

describe('command schemas', () => {
  it('accept one example of every command in the right unions', () => {
    for (const command of sampleCommands) {
      expect(CommandSchema.parse(command)).toEqual(command);
    }
    expect(sampleCommands.filter((c) => ClientCommandSchema.safeParse(c).success).map((c) => c.type)).toEqual(
      ['OpenAccount', 'LoadCredits', 'CloseAccount', 'RequestTransfer', 'DecideTransfer', 'CancelTransfer'],
    );
    expect(sampleCommands.filter((c) => TransferCommandSchema.safeParse(c).success)).toHaveLength(3);
    expect(sampleCommands.filter((c) => AccountCommandSchema.safeParse(c).success)).toHaveLength(7);
  });

  it.each([
    ['zero amount', { type: 'LoadCredits', data: { accountId: 'acc-1', loadId: 'load-1', amount: 0 } }],
    [
      'amount above 10^12',
      { type: 'LoadCredits', data: { accountId: 'acc-1', loadId: 'load-1', amount: 1e12 + 1 } },
    ],
    [
      'amount as a string',
      { type: 'LoadCredits', data: { accountId: 'acc-1', loadId: 'load-1', amount: '100' } },
    ],
    [
      'a bad kind',
      { type: 'OpenAccount', data: { accountId: 'acc-1', ownerId: 'alice', ownerName: 'A', kind: 'bank' } },
    ],
    [
      'a blank owner name',
      { type: 'OpenAccount', data: { accountId: 'acc-1', ownerId: 'alice', ownerName: '  ', kind: 'user' } },
    ],
    [
      'a bad decision',
      { type: 'DecideTransfer', data: { transferId: 'tr-1', decision: 'maybe', approver: 'bob' } },
    ],
    [
      'a missing member',
      {
        type: 'RequestTransfer',
        data: { transferId: 'tr-1', fromAccountId: 'acc-1', amount: 5, requestedBy: 'a1b' },
      },
    ],
    [
      'a note too long',
      {
        type: 'RequestTransfer',
        data: {
          transferId: 'tr-1',
          fromAccountId: 'acc-1',
          toAccountId: 'acc-2',
          amount: 5,
          requestedBy: 'a1b',
          note: 'x'.repeat(501),
        },
      },
    ],
    [
      'a cancel without a note',
      { type: 'CancelTransfer', data: { transferId: 'tr-1', cancelledBy: 'otto' } },
    ],
    [
      'a cancel with a blank note',
      { type: 'CancelTransfer', data: { transferId: 'tr-1', cancelledBy: 'otto', note: '   ' } },
    ],
    [
      'a cancel note too long',
      { type: 'CancelTransfer', data: { transferId: 'tr-1', cancelledBy: 'otto', note: 'x'.repeat(501) } },
    ],
  ])('reject %s', (_what, value) => {
    expect(CommandSchema.safeParse(value).success).toBe(false);
  });
});
