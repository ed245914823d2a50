/**
 * The command execution against the real local event store (SQLite in memory): optimistic
 * concurrency with re-decide on conflict, idempotent re-execution, and failures that are not rejections.
 */
import { Database } from '@cardflow/local-host';
import { commandId } from '../../domain/commandId';
import type { ClientCommand } from '../../domain/commands';
import { envelopeAll } from '../../domain/envelope';
import type { EventStore } from '../../stores';
import { createLocalStores } from '../../stores/local/localStores';
import { LocalDocumentStore } from '@cardflow/local-host';
import { CorruptStreamError } from '../../stores/commandEngine';
import { executeCommand, type ExecutionContext } from './executeCommand';

const at = '2026-01-01T00:00:00.000Z';
let db: Database;
let events: EventStore;
beforeEach(() => {
  db = new Database(':memory:');
  events = createLocalStores(new LocalDocumentStore(db), { databaseName: 'cardflow' }).events;
});
afterEach(() => db.close());

function context(command: ClientCommand, store: EventStore = events): ExecutionContext {
  const id = commandId(command.type, command.data);
  return {
    events: store,
    commandId: id,
    correlationId: id,
    occurredAt: () => at,
    processes: () => {
      throw new Error('no durable client in this test');
    },
  };
}

const open = (accountId: string, ownerId = 'alice'): ClientCommand => ({
  type: 'OpenAccount',
  data: { accountId, ownerId, ownerName: ownerId, kind: 'user' },
});
const load = (accountId: string, loadId: string, amount: number): ClientCommand => ({
  type: 'LoadCredits',
  data: { accountId, loadId, amount, loadedBy: 'otto' },
});
const run = (command: ClientCommand, store?: EventStore) => executeCommand(context(command, store), command);

it('appends the decided events with deterministic ids and the envelope metadata', async () => {
  const command = open('acc-1');
  expect(await run(command)).toEqual({ status: 'succeeded' });
  const [event] = await events.readStream('account-acc-1');
  const id = commandId(command.type, command.data);
  expect(event).toMatchObject({
    id: `${id}:0`,
    version: 1,
    type: 'AccountOpened',
    metadata: { correlationId: id, causationId: id, commandId: id, occurredAt: at },
  });
});

it('appends nothing when the same command is executed again', async () => {
  await run(open('acc-1'));
  await run(load('acc-1', 'l-1', 10_000));
  expect(await run(load('acc-1', 'l-1', 10_000))).toEqual({ status: 'succeeded' });
  expect(await events.streamVersion('account-acc-1')).toBe(2);
});

it('decides again on the new state when another writer appended first', async () => {
  await run(open('acc-1'));
  // Another writer (e.g. a transfer activity) appends between this command's read and its append.
  let raced = false;
  const racing: EventStore = {
    append: (streamId, expected, batch) => events.append(streamId, expected, batch),
    streamVersion: (streamId) => events.streamVersion(streamId),
    async readStream(streamId, from) {
      const stream = await events.readStream(streamId, from);
      if (!raced) {
        raced = true;
        const other = envelopeAll(
          [
            {
              type: 'CreditsLoaded',
              data: { accountId: 'acc-1', loadId: 'l-other', amount: 500, fee: 0, net: 500 },
            },
          ],
          {
            streamId,
            expectedVersion: stream.length,
            metadata: { correlationId: 'x', causationId: 'x', occurredAt: at },
            idPrefix: 'other',
          },
        );
        await events.append(streamId, stream.length, other as never);
      }
      return stream;
    },
  };
  expect(await run(load('acc-1', 'l-1', 10_000), racing)).toEqual({ status: 'succeeded' });
  const stream = await events.readStream('account-acc-1');
  expect(stream.map((e) => [e.version, (e.data as { loadId?: string }).loadId])).toEqual([
    [1, undefined],
    [2, 'l-other'],
    [3, 'l-1'],
  ]);
});

it('rejects with the reason code the domain gives', async () => {
  expect(await run(load('acc-none', 'l-1', 100))).toEqual({
    status: 'rejected',
    reason: 'account_not_found',
  });
  await run(open('acc-1'));
  await run(open('acc-2', 'bob'));
  await run({ type: 'CloseAccount', data: { accountId: 'acc-2' } });
  const transfer = (to: string): ClientCommand => ({
    type: 'RequestTransfer',
    data: {
      transferId: `tr-${to}`,
      fromAccountId: 'acc-1',
      toAccountId: to,
      amount: 10,
      requestedBy: 'alice',
    },
  });
  expect(await run(transfer('acc-2'))).toEqual({ status: 'rejected', reason: 'account_closed' });
  expect(await run(transfer('acc-1'))).toEqual({ status: 'rejected', reason: 'same_account' });
  expect(await run(transfer('acc-9'))).toEqual({ status: 'rejected', reason: 'account_not_found' });
  expect(
    await run({
      type: 'DecideTransfer',
      data: { transferId: 'tr-none', decision: 'approve', approver: 'carol' },
    }),
  ).toEqual({
    status: 'rejected',
    reason: 'transfer_not_found',
  });
});

it('throws, instead of rejecting, when a stored event is not valid', async () => {
  await events.append('account-acc-bad', 0, [
    {
      id: 'bad',
      streamId: 'account-acc-bad',
      version: 1,
      type: 'CreditsLoaded',
      data: { amount: 'lots' },
      metadata: { correlationId: 'x', causationId: 'x', occurredAt: at },
      schemaVersion: 1,
    },
  ] as never);
  await expect(run(load('acc-bad', 'l-1', 100))).rejects.toBeInstanceOf(CorruptStreamError);
});

describe('a cancel', () => {
  const cancel: ClientCommand = {
    type: 'CancelTransfer',
    data: { transferId: 'tr-1', cancelledBy: 'otto', note: 'called off' },
  };
  const meta = { correlationId: 'x', causationId: 'x', occurredAt: at };
  async function given(transferEvents: object[]): Promise<void> {
    const batch = envelopeAll(transferEvents as never, {
      streamId: 'transfer-tr-1',
      expectedVersion: 0,
      metadata: meta,
      idPrefix: 'given',
    });
    await events.append('transfer-tr-1', 0, batch as never);
  }
  const requested = {
    type: 'TransferRequested',
    data: {
      transferId: 'tr-1',
      fromAccountId: 'acc-1',
      toAccountId: 'acc-2',
      amount: 150_000,
      requestedBy: 'alice',
    },
  };
  const waiting = {
    type: 'TransferApprovalRequested',
    data: { transferId: 'tr-1', reason: 'amount', deadline: at },
  };

  function withProcess(instance: { exists: boolean; finished?: boolean }) {
    const raised: unknown[] = [];
    const processes = {
      instance: async () =>
        instance.exists
          ? { exists: true, runtimeStatus: 'Running', finished: instance.finished ?? false }
          : { exists: false },
      raiseCancel: async (transferId: string, body: unknown) => void raised.push([transferId, body]),
    };
    const ctx: ExecutionContext = { ...context(cancel), processes: () => processes as never };
    return { raised, execute: () => executeCommand(ctx, cancel) };
  }

  it('is raised on the process, not appended', async () => {
    await given([requested, waiting]);
    const { raised, execute } = withProcess({ exists: true });
    expect(await execute()).toEqual({ status: 'succeeded' });
    expect(raised).toEqual([['tr-1', { cancelledBy: 'otto', note: 'called off' }]]);
    expect(await events.streamVersion('transfer-tr-1')).toBe(2);
  });

  it('is rejected with the domain’s reason, or when the process is gone or finished', async () => {
    expect(await withProcess({ exists: true }).execute()).toEqual({
      status: 'rejected',
      reason: 'transfer_not_found',
    });
    await given([requested, waiting]);
    expect(await withProcess({ exists: false }).execute()).toEqual({
      status: 'rejected',
      reason: 'transfer_not_found',
    });
    expect(await withProcess({ exists: true, finished: true }).execute()).toEqual({
      status: 'rejected',
      reason: 'not_cancellable',
    });
  });

  it('raises nothing when the same cancel already ended the transfer', async () => {
    await given([
      requested,
      waiting,
      {
        type: 'TransferFailed',
        data: {
          transferId: 'tr-1',
          reason: 'cancelled_by_operator',
          cancelledBy: 'otto',
          note: 'called off',
        },
      },
    ]);
    const { raised, execute } = withProcess({ exists: true, finished: true });
    expect(await execute()).toEqual({ status: 'succeeded' });
    expect(raised).toEqual([]);
  });
});

describe('a command run again after its effect is in the stream', () => {
  const meta = { correlationId: 'x', causationId: 'x', occurredAt: at };
  async function given(streamId: string, streamEvents: object[]): Promise<void> {
    const batch = envelopeAll(streamEvents as never, {
      streamId,
      expectedVersion: 0,
      metadata: meta,
      idPrefix: 'given',
    });
    await events.append(streamId, 0, batch as never);
  }
  const decide = (approver: string, note?: string): ClientCommand => ({
    type: 'DecideTransfer',
    data: { transferId: 'tr-1', decision: 'approve', approver, ...(note === undefined ? {} : { note }) },
  });
  const completedAfterApproval = [
    {
      type: 'TransferRequested',
      data: {
        transferId: 'tr-1',
        fromAccountId: 'acc-1',
        toAccountId: 'acc-2',
        amount: 150_000,
        requestedBy: 'alice',
      },
    },
    { type: 'TransferApprovalRequested', data: { transferId: 'tr-1', reason: 'amount', deadline: at } },
    { type: 'TransferApproved', data: { transferId: 'tr-1', approver: 'ada', note: 'fine' } },
    { type: 'TransferCompleted', data: { transferId: 'tr-1' } },
  ];
  const noProcess = () => {
    throw new Error('a decision already recorded needs no process');
  };

  it('succeeds when the process recorded this very decision, though the transfer completed since', async () => {
    await given('transfer-tr-1', completedAfterApproval);
    const replayed = decide('ada', 'fine');
    expect(await executeCommand({ ...context(replayed), processes: noProcess }, replayed)).toEqual({
      status: 'succeeded',
    });
  });

  it('is still rejected when the recorded decision is another (another approver or another note)', async () => {
    await given('transfer-tr-1', completedAfterApproval);
    expect(await run(decide('bea', 'fine'))).toEqual({ status: 'rejected', reason: 'not_awaiting_approval' });
    expect(await run(decide('ada'))).toEqual({ status: 'rejected', reason: 'not_awaiting_approval' });
  });

  it('succeeds when its own events are in the stream, though the state moved on', async () => {
    await run(open('acc-1'));
    await run(open('acc-2', 'bob'));
    const request: ClientCommand = {
      type: 'RequestTransfer',
      data: {
        transferId: 'tr-9',
        fromAccountId: 'acc-1',
        toAccountId: 'acc-2',
        amount: 10,
        requestedBy: 'alice',
      },
    };
    expect(await run(request)).toEqual({ status: 'succeeded' });
    await run({ type: 'CloseAccount', data: { accountId: 'acc-2' } });
    // Decided afresh it would be account_closed; but this request is already the transfer's first event.
    expect(await run(request)).toEqual({ status: 'succeeded' });
    expect(await events.streamVersion('transfer-tr-9')).toBe(1);
    const other = { ...request, data: { ...request.data, transferId: 'tr-10' } };
    expect(await run(other)).toEqual({ status: 'rejected', reason: 'account_closed' });
  });
});
