/**
 * The activities against the real local event store (SQLite): each run twice, as at-least-once
 * delivery may, appends once; business rejections come back as values.
 */
import { Database } from '@cardflow/local-host';
import { accountStreamId, splitLoad, transferStreamId, type DomainEvent } from '../domain';
import { DEFAULT_DATABASE, type EventStore } from '../stores';
import { createLocalStores } from '../stores/local/localStores';
import { seedStream } from '../stores/test/seed';
import * as commandEngine from '../stores/commandEngine';
import { LocalDocumentStore } from '@cardflow/local-host';
import type { ActivityContext } from './contracts';
import { creditDestination } from './creditDestination';
import { recordDecision } from './recordDecision';
import { recordOutcome } from './recordOutcome';
import { reserveFunds } from './reserveFunds';
import { releaseFunds } from './releaseFunds';
import { requestApproval } from './requestApproval';
import { sendReminder } from './sendReminder';

const at = '2026-01-01T10:00:00.000Z';
const context: ActivityContext = { at, correlationId: 'corr-1', causationId: 'cause-1' };
const transfer = { transferId: 'tr-1', fromAccountId: 'acc-a', toAccountId: 'acc-b', amount: 30_000 };

let db: Database;
let events: EventStore;

function seed(streamId: string, seeded: DomainEvent[]): Promise<void> {
  return seedStream(events, streamId, seeded, { occurredAt: '2026-01-01T00:00:00.000Z' });
}

async function types(streamId: string): Promise<string[]> {
  return (await events.readStream(streamId)).map((e) => e.type);
}

beforeEach(async () => {
  db = new Database(':memory:');
  events = createLocalStores(new LocalDocumentStore(db), { databaseName: DEFAULT_DATABASE }).events;
  const { fee, net } = splitLoad(100_000);
  await seed(accountStreamId('acc-a'), [
    { type: 'AccountOpened', data: { accountId: 'acc-a', ownerId: 'ann', ownerName: 'Ann', kind: 'user' } },
    { type: 'CreditsLoaded', data: { accountId: 'acc-a', loadId: 'load-1', amount: 100_000, fee, net } },
  ]);
  await seed(accountStreamId('acc-b'), [
    { type: 'AccountOpened', data: { accountId: 'acc-b', ownerId: 'ben', ownerName: 'Ben', kind: 'user' } },
  ]);
  await seed(transferStreamId('tr-1'), [
    { type: 'TransferRequested', data: { ...transfer, requestedBy: 'ann' } },
  ]);
});
afterEach(() => db.close());

describe('activities run twice append once', () => {
  it('reserveFunds reserves once and answers the same both times', async () => {
    const first = await reserveFunds(events, { ...transfer, ...context });
    const second = await reserveFunds(events, {
      ...transfer,

      ...context,
      at: '2026-01-01T11:00:00.000Z',
    });
    expect(first).toEqual({ ok: true, sourceOwnerId: 'ann', windowTotal: 30_000 });
    expect(second).toEqual(first);
    const stream = await events.readStream(accountStreamId('acc-a'));
    expect(stream.map((e) => e.type)).toEqual(['AccountOpened', 'CreditsLoaded', 'FundsReserved']);
    expect(stream[2]).toMatchObject({
      id: 'tr-1:reserve',
      metadata: { correlationId: 'corr-1', causationId: 'cause-1', occurredAt: at },
    });
  });

  it('reserveFunds in entity mode reserves without reading the last 24 hours back for a window total', async () => {
    const readBack = jest.spyOn(commandEngine, 'readBack');
    const result = await reserveFunds(events, { ...transfer, ...context, windowFromStream: false });
    expect(result).toEqual({ ok: true, sourceOwnerId: 'ann' });
    expect(readBack).not.toHaveBeenCalled();
    // The same reservation asked with the window (stream mode) reads the stream back for it.
    expect(await reserveFunds(events, { ...transfer, ...context })).toEqual({
      ok: true,
      sourceOwnerId: 'ann',
      windowTotal: 30_000,
    });
    expect(readBack).toHaveBeenCalledTimes(1);
    readBack.mockRestore();
  });

  it('creditDestination credits and captures once', async () => {
    await reserveFunds(events, { ...transfer, ...context });
    expect(await creditDestination(events, { ...transfer, ...context })).toEqual({ ok: true });
    expect(await creditDestination(events, { ...transfer, ...context })).toEqual({ ok: true });
    expect(await types(accountStreamId('acc-b'))).toEqual(['AccountOpened', 'FundsTransferredIn']);
    expect(await types(accountStreamId('acc-a'))).toEqual([
      'AccountOpened',
      'CreditsLoaded',
      'FundsReserved',
      'FundsTransferredOut',
    ]);
  });

  it('releaseFunds releases once, and releasing nothing is not an error', async () => {
    expect(await releaseFunds(events, { ...transfer, reason: 'approval_expired', ...context })).toEqual({
      ok: true,
      released: false,
    });
    await reserveFunds(events, { ...transfer, ...context });
    expect(await releaseFunds(events, { ...transfer, reason: 'approval_expired', ...context })).toEqual({
      ok: true,
      released: true,
    });
    expect(await releaseFunds(events, { ...transfer, reason: 'approval_expired', ...context })).toEqual({
      ok: true,
      released: false,
    });
    expect(await types(accountStreamId('acc-a'))).toEqual([
      'AccountOpened',
      'CreditsLoaded',
      'FundsReserved',
      'FundsReleased',
    ]);
  });

  it('releaseFunds releases nothing once the destination was credited (already_credited): that would create money', async () => {
    await reserveFunds(events, { ...transfer, ...context });
    // A credit attempt that credited the destination and then failed to capture.
    await seed(accountStreamId('acc-b'), [
      {
        type: 'FundsTransferredIn',
        data: { accountId: 'acc-b', transferId: 'tr-1', amount: 30_000, fromAccountId: 'acc-a' },
      },
    ]);
    expect(await releaseFunds(events, { ...transfer, reason: 'cancelled_by_operator', ...context })).toEqual({
      ok: false,
      reason: 'already_credited',
    });
    expect(await types(accountStreamId('acc-a'))).toEqual([
      'AccountOpened',
      'CreditsLoaded',
      'FundsReserved',
    ]);
    // The move is finished instead: the capture follows the credit already made.
    expect(await creditDestination(events, { ...transfer, ...context })).toEqual({ ok: true });
    expect(await types(accountStreamId('acc-b'))).toEqual(['AccountOpened', 'FundsTransferredIn']);
    expect((await types(accountStreamId('acc-a'))).at(-1)).toBe('FundsTransferredOut');
  });

  it('requestApproval, recordDecision and recordOutcome each append once', async () => {
    const deadline = '2026-01-02T10:00:00.000Z';
    for (let run = 0; run < 2; run++) {
      await requestApproval(events, { transferId: 'tr-1', reason: 'amount', deadline, ...context });
      await recordDecision(events, {
        transferId: 'tr-1',
        decision: 'approve',
        approver: 'cat',
        ...context,
      });
      await recordOutcome(events, {
        transferId: 'tr-1',
        outcome: 'completed',
        reason: null,
        approver: 'cat',
        note: null,
        deadline,
        ...context,
      });
    }
    const stream = await events.readStream(transferStreamId('tr-1'));
    expect(stream.map((e) => [e.id, e.type])).toEqual([
      ['seed-transfer-tr-1-0:0', 'TransferRequested'],
      ['tr-1:approval-requested', 'TransferApprovalRequested'],
      ['tr-1:approved', 'TransferApproved'],
      ['tr-1:completed', 'TransferCompleted'],
    ]);
  });
});

describe('business rejections are values', () => {
  it('reserveFunds answers insufficient_funds, account_not_found and account_closed', async () => {
    expect(await reserveFunds(events, { ...transfer, amount: 100_001, ...context })).toEqual({
      ok: false,
      reason: 'insufficient_funds',
    });
    expect(await reserveFunds(events, { ...transfer, fromAccountId: 'acc-x', ...context })).toEqual({
      ok: false,
      reason: 'account_not_found',
    });
    await seed(accountStreamId('acc-b'), [{ type: 'AccountClosed', data: { accountId: 'acc-b' } }]);
    expect(await reserveFunds(events, { ...transfer, ...context })).toEqual({
      ok: false,
      reason: 'account_closed',
    });
    expect(await types(accountStreamId('acc-a'))).toEqual(['AccountOpened', 'CreditsLoaded']);
  });

  it('recordDecision leaves the stream alone when a forbidden approver decides', async () => {
    await requestApproval(events, {
      transferId: 'tr-1',
      reason: 'amount',
      deadline: '2026-01-02T10:00:00.000Z',
      ...context,
    });
    expect(
      await recordDecision(events, {
        transferId: 'tr-1',
        decision: 'approve',
        approver: 'ann',
        ...context,
      }),
    ).toEqual({ appended: 0 });
    expect(await types(transferStreamId('tr-1'))).toEqual(['TransferRequested', 'TransferApprovalRequested']);
  });

  it('sendReminder reminds only while the transfer awaits approval', async () => {
    const logged: string[] = [];
    const input = {
      transferId: 'tr-1',
      reason: 'amount' as const,
      deadline: '2026-01-02T10:00:00.000Z',
      ...context,
    };
    expect(await sendReminder(events, null, input, (m) => logged.push(m))).toEqual({ sent: false });
    await requestApproval(events, {
      transferId: 'tr-1',
      reason: 'amount',
      deadline: input.deadline,
      ...context,
    });
    const published: unknown[] = [];
    expect(
      await sendReminder(events, { publish: async (e) => void published.push(...e) }, input, (m) =>
        logged.push(m),
      ),
    ).toEqual({ sent: true });
    expect(published).toEqual([
      expect.objectContaining({
        id: 'tr-1:reminder',
        type: 'TransferApprovalReminder',
        streamId: 'transfer-tr-1',
      }),
    ]);
    expect(logged).toEqual([
      expect.stringContaining('tr-1 awaits a decision until 2026-01-02T10:00:00.000Z'),
    ]);
  });
});

describe('a transfer already final moves no money (a process started late, again, or rewound)', () => {
  const failed: DomainEvent = {
    type: 'TransferFailed',
    data: { transferId: 'tr-1', reason: 'process_ended' },
  };

  it('reserveFunds refuses it with the reason it ended for, and reserves nothing', async () => {
    await seed(transferStreamId('tr-1'), [failed]);
    expect(await reserveFunds(events, { ...transfer, ...context })).toEqual({
      ok: false,
      reason: 'process_ended',
    });
    expect(await types(accountStreamId('acc-a'))).toEqual(['AccountOpened', 'CreditsLoaded']);
  });

  it('reserveFunds does not take again a reservation that was released', async () => {
    await reserveFunds(events, { ...transfer, ...context });
    await releaseFunds(events, { ...transfer, reason: 'process_ended', ...context });
    expect(await reserveFunds(events, { ...transfer, ...context })).toEqual({
      ok: false,
      reason: 'process_ended',
    });
    expect(await types(accountStreamId('acc-a'))).toEqual([
      'AccountOpened',
      'CreditsLoaded',
      'FundsReserved',
      'FundsReleased',
    ]);
  });

  it('reserveFunds releases its new reservation when the transfer became final meanwhile', async () => {
    // The reconciler records the transfer failed while the reservation is being appended.
    const store: EventStore = Object.create(events) as EventStore;
    store.append = async (streamId, expectedVersion, envelopes) => {
      const version = await events.append(streamId, expectedVersion, envelopes);
      if (envelopes.some((envelope) => envelope.id === 'tr-1:reserve'))
        await seed(transferStreamId('tr-1'), [failed]);
      return version;
    };
    expect(await reserveFunds(store, { ...transfer, ...context })).toEqual({
      ok: false,
      reason: 'process_ended',
    });
    const source = await events.readStream(accountStreamId('acc-a'));
    expect(source.map((e) => [e.type, e.id])).toEqual([
      ['AccountOpened', 'seed-account-acc-a-0:0'],
      ['CreditsLoaded', 'seed-account-acc-a-0:1'],
      ['FundsReserved', 'tr-1:reserve'],
      ['FundsReleased', 'tr-1:release'],
    ]);
  });

  it('creditDestination refuses a final transfer, or one whose reservation is gone, before crediting', async () => {
    expect(await creditDestination(events, { ...transfer, ...context })).toEqual({
      ok: false,
      reason: 'reservation_not_found',
    });
    await reserveFunds(events, { ...transfer, ...context });
    await releaseFunds(events, { ...transfer, reason: 'process_ended', ...context });
    expect(await creditDestination(events, { ...transfer, ...context })).toEqual({
      ok: false,
      reason: 'reservation_not_found',
    });
    await seed(transferStreamId('tr-1'), [failed]);
    expect(await creditDestination(events, { ...transfer, ...context })).toEqual({
      ok: false,
      reason: 'process_ended',
    });
    expect(await types(accountStreamId('acc-b'))).toEqual(['AccountOpened']);
  });

  it('creditDestination finishes the capture of a destination already credited', async () => {
    await reserveFunds(events, { ...transfer, ...context });
    await seed(accountStreamId('acc-b'), [
      {
        type: 'FundsTransferredIn',
        data: { accountId: 'acc-b', transferId: 'tr-1', amount: 30_000, fromAccountId: 'acc-a' },
      },
    ]);
    expect(await creditDestination(events, { ...transfer, ...context })).toEqual({ ok: true });
    expect(await types(accountStreamId('acc-a'))).toEqual([
      'AccountOpened',
      'CreditsLoaded',
      'FundsReserved',
      'FundsTransferredOut',
    ]);
    expect(await types(accountStreamId('acc-b'))).toEqual(['AccountOpened', 'FundsTransferredIn']);
  });
});
