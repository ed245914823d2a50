/**
 * The command engine against the real local event store (SQLite in memory), and through both of its
 * callers, the command handler's `executeCommand` and an activity: the same conflict retry, the
 * same limit, the same validation of stored events, the same errors.
 */
import { LocalDocumentStore } from '@cardflow/local-host';
import { Database } from '@cardflow/local-host';
import { reserveFunds } from '../activities/reserveFunds';
import {
  accountTarget,
  commandTarget,
  envelopeAll,
  splitLoad,
  type ClientCommand,
  type DomainEvent,
  type EventEnvelope,
} from '../domain';
import { executeCommand } from '../functions/commands/executeCommand';
import {
  CorruptStreamError,
  decideOn,
  handleCommand,
  loadStream,
  MAX_CONFLICT_RETRIES,
} from './commandEngine';
import { StreamVersionConflictError } from './errors';
import { createLocalStores } from './local/localStores';
import type { EventStore } from './ports';

const at = '2026-01-01T00:00:00.000Z';
const metadata = { correlationId: 'corr', causationId: 'cause', occurredAt: at };
let db: Database;
let events: EventStore;

beforeEach(() => {
  db = new Database(':memory:');
  events = createLocalStores(new LocalDocumentStore(db), { databaseName: 'cardflow' }).events;
});
afterEach(() => db.close());

async function seed(streamId: string, seeded: DomainEvent[]): Promise<void> {
  const expectedVersion = await events.streamVersion(streamId);
  await events.append(
    streamId,
    expectedVersion,
    envelopeAll(seeded, { streamId, expectedVersion, metadata, idPrefix: `seed-${expectedVersion}` }),
  );
}

const opened = (accountId: string, ownerId: string): DomainEvent => ({
  type: 'AccountOpened',
  data: { accountId, ownerId, ownerName: ownerId, kind: 'user' },
});
const loaded = (accountId: string, loadId: string, amount: number): DomainEvent => ({
  type: 'CreditsLoaded',
  data: { accountId, loadId, ...splitLoad(amount), loadedBy: 'otto' },
});
const load = (amount: number, loadId = 'l-1'): ClientCommand => ({
  type: 'LoadCredits',
  data: { accountId: 'acc-a', loadId, amount, loadedBy: 'otto' },
});

/** A store where another writer appends a load to the stream after each of the first `races` reads. */
function racingStore(races: number): EventStore & { reads: number } {
  let raced = 0;
  const store = {
    reads: 0,
    append: (streamId: string, expected: number, batch: readonly EventEnvelope[]) =>
      events.append(streamId, expected, batch),
    streamVersion: (streamId: string) => events.streamVersion(streamId),
    async readStream(streamId: string, from?: number) {
      store.reads++;
      const stream = await events.readStream(streamId, from);
      if (streamId === 'account-acc-a' && raced < races) {
        raced++;
        await seed(streamId, [loaded('acc-a', `l-other-${raced}`, 500)]);
      }
      return stream;
    },
  };
  return store;
}

/** A store whose every append of the account stream meets another writer. */
function alwaysConflicting(): EventStore & { appends: number } {
  const store = {
    appends: 0,
    append: async (streamId: string, expected: number, batch: readonly EventEnvelope[]) => {
      if (streamId !== 'account-acc-a') return events.append(streamId, expected, batch);
      store.appends++;
      throw new StreamVersionConflictError(streamId, expected, expected + 1);
    },
    streamVersion: (streamId: string) => events.streamVersion(streamId),
    readStream: (streamId: string, from?: number) => events.readStream(streamId, from),
  };
  return store;
}

const execution = (command: ClientCommand, store: EventStore) =>
  executeCommand(
    {
      events: store,
      commandId: 'cmd-1',
      correlationId: 'cmd-1',
      occurredAt: () => at,
      processes: () => {
        throw new Error('no durable client in this test');
      },
    },
    command,
  );

const reservation = (store: EventStore) =>
  reserveFunds(store, {
    transferId: 'tr-1',
    fromAccountId: 'acc-a',
    toAccountId: 'acc-b',
    amount: 1_000,
    at,
    correlationId: 'corr',
    causationId: 'cause',
  });

describe('the command engine', () => {
  beforeEach(async () => {
    await seed('account-acc-a', [opened('acc-a', 'ann'), loaded('acc-a', 'l-0', 100_000)]);
    await seed('account-acc-b', [opened('acc-b', 'ben')]);
  });

  it('appends the decision with the given ids, and nothing when run again', async () => {
    const target = accountTarget({
      type: 'ReserveFunds',
      data: { accountId: 'acc-a', transferId: 'tr-1', amount: 5 },
    });
    const first = await handleCommand(events, target, { ids: ['tr-1:reserve'], metadata });
    const again = await handleCommand(events, target, { ids: ['tr-1:reserve'], metadata });
    expect([first.appended, again.appended]).toEqual([1, 0]);
    expect(again.decision).toEqual({ ok: true, events: [] });
    expect((await events.readStream('account-acc-a')).at(-1)).toMatchObject({
      id: 'tr-1:reserve',
      version: 3,
    });
  });

  it('decides again on the new state when another writer appended first', async () => {
    const store = racingStore(3);
    const { decision, version, appended } = await handleCommand(store, commandTarget(load(10_000)), {
      idPrefix: 'cmd-1',
      metadata,
    });
    expect(decision.ok).toBe(true);
    expect({ version, appended, reads: store.reads }).toEqual({ version: 5, appended: 1, reads: 4 });
    expect((await events.readStream('account-acc-a')).map((e) => e.id)).toEqual([
      'seed-0:0',
      'seed-0:1',
      'seed-2:0',
      'seed-3:0',
      'seed-4:0',
      'cmd-1:0',
    ]);
  });

  it(`gives up after ${MAX_CONFLICT_RETRIES} conflicts with the store's conflict error`, async () => {
    const store = alwaysConflicting();
    await expect(
      handleCommand(store, commandTarget(load(10_000)), { idPrefix: 'cmd-1', metadata }),
    ).rejects.toBeInstanceOf(StreamVersionConflictError);
    expect(store.appends).toBe(MAX_CONFLICT_RETRIES);
  });

  it('reads the accounts a decision names, without appending to them', async () => {
    const request: ClientCommand = {
      type: 'RequestTransfer',
      data: {
        transferId: 'tr-1',
        fromAccountId: 'acc-a',
        toAccountId: 'acc-c',
        amount: 5,
        requestedBy: 'ann',
      },
    };
    expect((await decideOn(events, commandTarget(request))).decision).toMatchObject({
      ok: false,
      error: { code: 'account_not_found' },
    });
    await seed('account-acc-c', [opened('acc-c', 'cyd')]);
    const { decision, version } = await decideOn(events, commandTarget(request));
    expect({ ok: decision.ok, version }).toEqual({ ok: true, version: 0 });
    expect(await events.streamVersion('transfer-tr-1')).toBe(0);
  });

  it('refuses to append more events than it was given ids for', async () => {
    const target = accountTarget({
      type: 'ReserveFunds',
      data: { accountId: 'acc-a', transferId: 'tr-1', amount: 5 },
    });
    await expect(handleCommand(events, target, { ids: [], metadata })).rejects.toThrow(/only 0 ids given/);
  });
});

describe('the same engine behind the command handler and the activities', () => {
  beforeEach(async () => {
    await seed('account-acc-a', [opened('acc-a', 'ann'), loaded('acc-a', 'l-0', 100_000)]);
    await seed('account-acc-b', [opened('acc-b', 'ben')]);
  });

  it('retries a conflict for both', async () => {
    const forCommand = racingStore(2);
    expect(await execution(load(10_000), forCommand)).toEqual({ status: 'succeeded' });
    const forActivity = racingStore(2);
    expect(await reservation(forActivity)).toMatchObject({ ok: true, sourceOwnerId: 'ann' });
    // Each: two reads that met another writer, then the one that appended (the activity also read
    // the destination, the transfer stream before and after reserving, and the outflow window).
    expect([forCommand.reads, forActivity.reads]).toEqual([3, 7]);
    const types = (await events.readStream('account-acc-a')).map((e) => e.type);
    expect(types.filter((t) => t === 'FundsReserved')).toHaveLength(1);
    expect(types.filter((t) => t === 'CreditsLoaded')).toHaveLength(6);
  });

  it('gives up after the same number of conflicts, with the same error, for both', async () => {
    const forCommand = alwaysConflicting();
    await expect(execution(load(10_000), forCommand)).rejects.toBeInstanceOf(StreamVersionConflictError);
    const forActivity = alwaysConflicting();
    await expect(reservation(forActivity)).rejects.toBeInstanceOf(StreamVersionConflictError);
    expect([forCommand.appends, forActivity.appends]).toEqual([MAX_CONFLICT_RETRIES, MAX_CONFLICT_RETRIES]);
  });

  it('throws CorruptStreamError, never a rejection, on an invalid stored event, for both', async () => {
    await events.append('account-acc-a', 2, [
      {
        id: 'bad',
        streamId: 'account-acc-a',
        version: 3,
        type: 'CreditsLoaded',
        data: { amount: 'lots' },
        metadata,
        schemaVersion: 1,
      },
    ] as never);
    await expect(execution(load(10_000), events)).rejects.toBeInstanceOf(CorruptStreamError);
    await expect(reservation(events)).rejects.toBeInstanceOf(CorruptStreamError);
    await expect(loadStream(events, 'account-acc-a', accountTarget(load(1) as never).fold)).rejects.toThrow(
      /event bad \(version 3\) of account-acc-a is not a valid CreditsLoaded/,
    );
  });
});
